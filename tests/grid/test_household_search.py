"""Household search: building + room as the pages show them (one parser, grid.household_query), and nothing a
reader sees masked is searchable by them."""

from __future__ import annotations

import pytest

from accounts.models import User
from grid.household_query import parse
from grid.models import Household
from grid.services.records import building_create, household_create
from tests.conftest import Grid, client_for


def _codes(user: User, q: str) -> set[str]:
    found = Household.objects.visible_to(user).search(q, personal=user.sees_personal_data)
    return set(found.values_list("code", flat=True))


def test_the_parser_reads_building_and_room_as_pages_show_them() -> None:
    for text in ("3号楼 102", "3号楼102", "３号楼　１０２", "3-102", "3号楼 1单元 102"):
        assert [(p.number, p.room) for p in parse(text).places] == [("3", "102")], text
    assert [(p.number, p.room) for p in parse("11号楼 1-301").places] == [("11", "1-301")]
    assert ("11", "1-301") in [(p.number, p.room) for p in parse("11-1-301").places]
    assert parse("3号楼").places == () and parse("102").places == ()
    assert parse("13800001111").looks_personal and parse("张三").looks_personal
    assert not parse("1号楼").looks_personal and not parse("TSD-01").looks_personal


@pytest.mark.django_db
def test_search_finds_building_and_room_written_as_the_app_shows_them(grid: Grid, personas: dict) -> None:
    secretary = personas["community_secretary"]
    h = Household.objects.get(building=grid.b1, room="102")
    for q in ("1号楼 102", "1号楼102", "１号楼 １０２", "1-102", "1号楼 1单元 102"):
        assert _codes(secretary, q) == {h.code}, q
    # "<building> <stairwell-room>" rooms, like the demo's "11号楼 1-301".
    b11 = building_create(
        actor=None, community=grid.c1, name="11号楼", address="测试路1弄11号", microgrid=grid.m1
    )
    h11 = household_create(actor=None, building=b11, room="1-301")
    household_create(actor=None, building=grid.b1, room="1-301")  # same room, another building
    assert _codes(secretary, "11号楼 1-301") == {h11.code}
    assert _codes(secretary, "11-1-301") == {h11.code}
    # Building alone and room alone still work.
    assert h.code in _codes(secretary, "1号楼") and h.code in _codes(secretary, "102")


@pytest.mark.django_db
def test_a_reader_without_personal_data_cannot_search_rooms_names_or_phones(
    grid: Grid, personas: dict
) -> None:
    lead = personas["area_lead"]
    h = Household.objects.get(building=grid.b1, room="102")
    assert not lead.sees_personal_data
    assert _codes(lead, "1号楼 102") == set()
    assert _codes(lead, "102") == set()  # rooms are "***" to them, and codes end in the room
    assert _codes(lead, h.contact_phone) == set()
    assert h.code in _codes(lead, h.code) and h.code in _codes(lead, "1号楼")
    client = client_for(lead)
    page = client.get("/grid/households/").content.decode()
    assert (
        "联系人" not in page.split('name="q"')[1].split(">")[0]
    )  # the placeholder offers only what they may search
    page = client.get("/grid/households/", {"q": h.contact_phone}).content.decode()
    assert 'id="search-hint"' in page
    assert 'id="search-hint"' not in client.get("/grid/households/", {"q": "1号楼"}).content.decode()
    secretary = client_for(personas["community_secretary"]).get("/grid/households/", {"q": h.contact_phone})
    page = secretary.content.decode()
    assert 'id="search-hint"' not in page and h.code in page and "联系人" in page
    assert f'href="tel:{h.contact_phone}"' in page  # a phone the reader may see is tap-to-call
