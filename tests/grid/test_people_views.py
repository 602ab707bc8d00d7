"""账号与人员 (issue 18): each account without a person has a "link a person" action leading to the people
of that account's part of the grid who have no account yet, with only that account to link."""

from __future__ import annotations

import pytest

from grid.services.records import person_create
from tests.conftest import Grid, client_for


@pytest.mark.django_db
def test_an_unlinked_account_leads_to_linking_within_its_part_of_the_grid(grid: Grid, personas: dict) -> None:
    volunteer = personas["volunteer"]  # an account of c1 without a person
    here = person_create(actor=None, node=grid.c1, name="志愿者甲", phone="13700000001")
    below = person_create(actor=None, node=grid.m1, name="志愿者乙")
    admin = client_for(personas["subdistrict_admin"])
    elsewhere = person_create(actor=None, node=grid.c2, name="乙区居民")
    page = admin.get("/accounts/people/").content.decode()
    assert f'href="?account={volunteer.username}#find-person"' in page
    linking = admin.get("/accounts/people/", {"account": volunteer.username}).content.decode()
    found = linking[linking.index('id="people-found"') :]
    assert here.name in found and below.name in found and elsewhere.name not in found
    assert personas["resident"].person.name not in found  # has an account already
    assert f'<option value="{volunteer.pk}">' in found
    assert 'name="account" value="volunteer"' in linking  # a search keeps to this account
    narrowed = admin.get("/accounts/people/", {"account": volunteer.username, "q": "甲"}).content.decode()
    assert here.name in narrowed and below.name not in narrowed[narrowed.index('id="people-found"') :]
    answer = admin.post(
        f"/accounts/people/{here.code}/link/", {"account": volunteer.pk}, follow=True
    ).content.decode()
    volunteer.refresh_from_db()
    assert volunteer.person_id == here.pk and "志愿者甲" in answer


@pytest.mark.django_db
def test_a_person_searched_for_who_has_an_account_is_named_with_it_not_reported_missing(
    grid: Grid, personas: dict
) -> None:
    volunteer, resident = personas["volunteer"], personas["resident"]  # both of c1; the resident is linked
    admin = client_for(personas["subdistrict_admin"])
    page = admin.get("/accounts/people/", {"account": volunteer.username, "q": resident.person.name})
    found = page.content.decode()
    found = found[found.index('id="people-found"') :]
    assert f"此人已关联账号 {resident.username}" in found
    assert "没有找到" not in found
    assert (
        f"/accounts/people/{resident.person.code}/link/" not in found
        and f'<option value="{volunteer.pk}">' not in found
    )  # no second account
