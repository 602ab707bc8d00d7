"""Pages link only to pages their reader may open (the crawl's "4xx-link" kind, as fast unit tests): something
held above the reader's node is shown, but its node's own pages answer 404, so no link leads there."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Role, User
from activities.services import activity_create
from party.services import org_create
from tests.conftest import Grid, client_for


def _hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


@pytest.mark.django_db
def test_a_sub_district_activity_leads_a_secretary_back_to_her_own_list(
    grid: Grid, personas: dict[str, User]
) -> None:
    starts = timezone.now() + datetime.timedelta(days=3)
    held_above = activity_create(
        actor=None,
        node=grid.sd,
        kind="lecture",
        title="街道宣讲",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        publish=True,
    )
    own = activity_create(
        actor=None,
        node=grid.c1,
        kind="training",
        title="居民区培训",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        publish=True,
    )
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    page = secretary.get(f"/activities/a/{held_above.code}/")
    assert page.status_code == 200
    assert f"/activities/n/{grid.sd.code}/" not in _hrefs(page.content.decode())
    assert f"/activities/n/{grid.c1.code}/" in _hrefs(page.content.decode())
    assert (
        secretary.get(f"/activities/n/{grid.sd.code}/").status_code == 404
    )  # why the link must not be there
    # Her own residential area's activity, and the admin on the sub-district's, link to the activity's node.
    assert f"/activities/n/{grid.c1.code}/" in _hrefs(
        secretary.get(f"/activities/a/{own.code}/").content.decode()
    )
    admin = client_for(personas[Role.SUBDISTRICT_ADMIN])
    assert f"/activities/n/{grid.sd.code}/" in _hrefs(
        admin.get(f"/activities/a/{held_above.code}/").content.decode()
    )


@pytest.mark.django_db
def test_a_branch_names_its_parent_but_links_it_only_for_readers_above(
    grid: Grid, personas: dict[str, User]
) -> None:
    committee = org_create(actor=None, kind="committee", name="街道党工委", node=grid.sd)
    branch = org_create(actor=None, kind="branch", name="甲居民区党支部", node=grid.c1, parent=committee)
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    page = secretary.get(f"/party/o/{branch.code}/").content.decode()
    assert "街道党工委" in page
    assert not any(href.startswith(f"/party/o/{committee.code}/") for href in _hrefs(page))
    assert secretary.get(f"/party/o/{committee.code}/").status_code == 404
    admin = client_for(personas[Role.SUBDISTRICT_ADMIN])
    page = admin.get(f"/party/o/{branch.code}/").content.decode()
    assert any(href.startswith(f"/party/o/{committee.code}/") for href in _hrefs(page))


@pytest.mark.django_db
def test_a_unit_liaison_is_offered_the_joint_meetings_page(grid: Grid, personas: dict[str, User]) -> None:
    # Joint meetings are the liaison's too (their unit's invitations, to answer): offered and readable.
    liaison = client_for(personas[Role.UNIT_LIAISON])
    page = liaison.get("/units/")
    assert page.status_code == 200
    assert "/units/meetings/" in _hrefs(page.content.decode())
    assert "/units/meetings/" in _hrefs(liaison.get("/").content.decode())
    assert liaison.get("/units/meetings/").status_code == 200
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    assert "/units/meetings/" in _hrefs(secretary.get("/units/").content.decode())
