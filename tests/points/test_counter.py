"""The points counter finds a household as the app writes it ("11号楼 3-302", "3号楼 102", full-width digits),
through the household list's own search, in the counter user's part of the grid; several are listed to choose
from, and nothing found names where it was looked for."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from grid.services.records import building_create, household_create
from tests.conftest import Grid, client_for


def _buildings(grid: Grid) -> dict[str, str]:
    """Codes of: 11号楼 3-302, 3号楼 102 and 13号楼 102 in 甲居民区, 5号楼 201 in both residential areas."""
    codes = {}
    for community, name, room in (
        (grid.c1, "11号楼", "3-302"),
        (grid.c1, "3号楼", "102"),
        (grid.c1, "13号楼", "102"),
        (grid.c1, "5号楼", "201"),
        (grid.c2, "5号楼", "201"),
    ):
        building = building_create(actor=None, community=community, name=name, address=f"测试路{name}")
        h = household_create(actor=None, building=building, room=room, size=1)
        codes[f"{community.name} {name} {room}"] = h.code
    return codes


def _page(client: object, text: str, lang: str = "zh-hans") -> str:
    return client.get("/points/counter/", {"h": text}, HTTP_ACCEPT_LANGUAGE=lang).content.decode()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_counter_finds_a_household_written_as_the_app_writes_it(grid: Grid, personas: dict) -> None:
    codes = _buildings(grid)
    admin = client_for(personas[Role.SUBDISTRICT_ADMIN])
    for text, key in (
        ("11号楼 3-302", "甲居民区 11号楼 3-302"),
        ("１１号楼 ３-３０２", "甲居民区 11号楼 3-302"),
        ("3号楼 102", "甲居民区 3号楼 102"),  # not 13号楼 102
        ("3号楼102", "甲居民区 3号楼 102"),
        ("３号楼１０２", "甲居民区 3号楼 102"),
        (codes["甲居民区 3号楼 102"].lower(), "甲居民区 3号楼 102"),
    ):
        page = _page(admin, text)
        assert 'id="balance"' in page and f'name="household" value="{codes[key]}"' in page, text
        assert 'id="counter-choices"' not in page
    # The box keeps what was typed.
    assert 'value="3号楼 102"' in _page(admin, "3号楼 102")


@pytest.mark.django_db
def test_the_counter_lists_several_matches_to_choose_from_in_the_users_scope(
    grid: Grid, personas: dict
) -> None:
    codes = _buildings(grid)
    admin = client_for(personas[Role.SUBDISTRICT_ADMIN])
    page = _page(admin, "5号楼 201")
    assert 'id="balance"' not in page and 'id="counter-choices"' in page
    listed = page[page.index('id="counter-choices"') :].split("</section>")[0]
    for key in ("甲居民区 5号楼 201", "乙居民区 5号楼 201"):
        assert f'href="?h={codes[key]}"' in listed
    assert "甲居民区" in listed and "乙居民区" in listed
    # The secretary of 甲居民区 finds theirs only: one, so the household itself.
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    page = _page(secretary, "5号楼 201")
    assert (
        f'name="household" value="{codes["甲居民区 5号楼 201"]}"' in page
        and 'id="counter-choices"' not in page
    )


@pytest.mark.django_db
def test_nothing_found_names_the_scope_searched(grid: Grid, personas: dict) -> None:
    _buildings(grid)
    admin = client_for(personas[Role.SUBDISTRICT_ADMIN])
    page = _page(admin, "8号楼 101")
    assert "在 测试街道 没有找到这户。" in page and 'id="balance"' not in page
    assert "本居民区" not in page
    assert "No household found in 测试街道." in _page(admin, "8号楼 101", "en")
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    assert "在 甲居民区 没有找到这户。" in _page(secretary, grid.h_other.code)  # another residential area's


@pytest.mark.django_db
def test_a_role_that_does_not_see_rooms_is_told_to_use_the_code(grid: Grid, personas: dict) -> None:
    """A volunteer is shown rooms masked: a room is not found by its number (that would tell it), and the
    counter says why rather than "not found"."""
    codes = _buildings(grid)
    volunteer = client_for(personas[Role.VOLUNTEER])
    page = _page(volunteer, "3号楼 102")
    assert 'id="balance"' not in page and "请按编码或楼栋搜索" in page and "没有找到这户" not in page
    page = _page(volunteer, codes["甲居民区 3号楼 102"])
    assert 'id="balance"' in page
