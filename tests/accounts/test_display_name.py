"""User.display_name: the person's name, else the account's own name, else the login — one rule for every
place that names an account (and `display_name_for`, masked as the reader may see it)."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from grid.services.records import person_create
from tests.conftest import Grid, make_user


@pytest.mark.django_db
def test_it_is_the_persons_name_else_the_accounts_name_else_the_login(grid: Grid, personas: dict) -> None:
    linked = make_user(
        "v_qian", Role.VOLUNTEER, grid.c1, person_create(actor=None, node=grid.c1, name="钱俊晨")
    )
    named = make_user("v_named", Role.VOLUNTEER, grid.c1)
    named.first_name = "王小明"
    login_only = make_user("v_login", Role.VOLUNTEER, grid.c1)
    assert (linked.display_name, named.display_name, login_only.display_name) == (
        "钱俊晨",
        "王小明",
        "v_login",
    )
    # A reader without personal data (the area lead) reads names masked; the login is never masked.
    lead, secretary = personas[Role.AREA_LEAD], personas[Role.COMMUNITY_SECRETARY]
    assert [u.display_name_for(lead) for u in (linked, named, login_only)] == ["钱**", "王**", "v_login"]
    assert [u.display_name_for(secretary) for u in (linked, named, login_only)] == [
        "钱俊晨",
        "王小明",
        "v_login",
    ]


@pytest.mark.django_db
def test_the_purity_checks_name_their_recorder_by_the_one_rule(grid: Grid, personas: dict) -> None:
    """A caller: a recorder linked to nobody but given a name by staff is named by it (masked for the area
    lead), not by the login (purity_checks_recent used to fall back to the login at once)."""
    import datetime
    import uuid

    from lib.clock import local_today
    from supervision.selectors import purity_checks_recent
    from supervision.services import point_create, purity_checks_record

    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    user = make_user("v_named", Role.VOLUNTEER, grid.c1)
    User.objects.filter(pk=user.pk).update(first_name="王小明")
    user.refresh_from_db()
    purity_checks_record(actor=user, point=point, levels={"wet": "clean"}, form_id=str(uuid.uuid4()))
    today = local_today()
    week = (today - datetime.timedelta(days=6), today)
    lead, secretary = personas[Role.AREA_LEAD], personas[Role.COMMUNITY_SECRETARY]
    assert [r.by for r in purity_checks_recent(point, *week, reader=secretary)] == ["王小明"]
    assert [r.by for r in purity_checks_recent(point, *week, reader=lead)] == ["王**"]
