"""Every role × every scoped page and API endpoint → the expected status."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Grid, client_for

ROLES = [
    "subdistrict_admin",
    "area_lead",
    "community_secretary",
    "grid_worker",
    "volunteer",
    "party_member",
    "unit_liaison",
    "enforcement_officer",
    "resident",
    "outsider",
]
READERS = {
    "subdistrict_admin": 200,
    "area_lead": 200,
    "community_secretary": 200,
    "grid_worker": 200,
    "outsider": 200,
}


def expect(default: int, base: dict[str, int] | None = None, **overrides: int) -> dict[str, int]:
    merged = {**(base or {}), **overrides}
    return {role: merged.get(role, default) for role in ROLES}


# Pages of c1 for those who read coverage (outsider: the other residential area's secretary).
IN_C1 = expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=404)
# Party-building pages of the user's own sub-district.
PARTY = expect(
    403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
)

# (method, url with {placeholders}, role → status). Anonymous users are checked separately.
MATRIX = [
    ("get", "/", expect(200)),
    ("get", "/grid/", expect(403, READERS)),
    ("get", "/grid/n/{c1}/", expect(403, READERS, grid_worker=404, outsider=404)),
    ("get", "/grid/n/{m1}/", expect(403, READERS, outsider=404)),
    ("get", "/grid/n/{c2}/", expect(403, READERS, community_secretary=404, grid_worker=404)),
    ("get", "/grid/households/", expect(403, READERS)),
    ("get", "/grid/households/{h1}/", expect(403, READERS, resident=200, outsider=404)),
    (
        "get",
        "/grid/households/{h_other}/",
        expect(403, READERS, community_secretary=404, grid_worker=404, resident=404),
    ),
    ("get", "/grid/my/", expect(403, grid_worker=200)),
    (
        "get",
        "/grid/n/{c1}/coverage/",
        IN_C1,
    ),
    ("get", "/grid/import/", expect(403, subdistrict_admin=200, community_secretary=200, outsider=200)),
    (
        "get",
        "/grid/import/template/households.xlsx",
        expect(403, subdistrict_admin=200, community_secretary=200, outsider=200),
    ),
    (
        "post",
        "/grid/n/{c1}/assign/",
        expect(403, subdistrict_admin=302, community_secretary=302, outsider=404),
    ),
    ("get", "/audit/", expect(403, subdistrict_admin=200)),
    ("get", "/admin/", expect(302, subdistrict_admin=200)),
    ("get", "/guide/", expect(200)),
    ("get", "/guide/review/", expect(403, subdistrict_admin=200, community_secretary=200, outsider=200)),
    (
        "get",
        "/guide/qr/{c1}/households.pdf",
        IN_C1,
    ),
    (
        "get",
        "/supervision/",
        expect(
            403,
            subdistrict_admin=200,
            community_secretary=200,
            grid_worker=200,
            volunteer=200,
            party_member=200,
            outsider=200,
        ),
    ),
    (
        "get",
        "/supervision/numbers/{c1}/",
        IN_C1,
    ),
    ("get", "/api/v1/supervision/points", expect(200)),
    ("get", "/points/h/{h1}/", expect(403, READERS, resident=200, outsider=404)),
    (
        "get",
        "/points/counter/",
        expect(403, subdistrict_admin=200, community_secretary=200, volunteer=200, outsider=200),
    ),
    (
        "get",
        "/cases/",
        expect(
            403,
            subdistrict_admin=200,
            area_lead=200,
            community_secretary=200,
            enforcement_officer=200,
            outsider=200,
        ),
    ),
    ("get", "/cases/new/", expect(403, subdistrict_admin=200, community_secretary=200, outsider=200)),
    (
        "get",
        "/points/n/{c1}/leaders/",
        IN_C1,
    ),
    (
        "get",
        "/tonnage/n/{c1}/",
        IN_C1,
    ),
    (
        "get",
        "/tonnage/n/{c1}/record/",
        expect(403, subdistrict_admin=200, community_secretary=200, outsider=404),
    ),
    (
        "get",
        "/assessment/n/{c1}/",
        IN_C1,
    ),
    (
        "get",
        "/assessment/n/{sd}/",
        expect(403, subdistrict_admin=200, area_lead=404, community_secretary=404, outsider=404),
    ),
    (
        "get",
        "/assessment/n/{c1}/i/correct/",
        IN_C1,
    ),
    (
        "get",
        "/assessment/n/{c1}/i/correct/records/?key=x",
        IN_C1,
    ),
    ("get", "/assessment/n/{sd}/inspect/", expect(403, subdistrict_admin=200)),
    (
        "get",
        "/reports/dashboard/{c1}/",
        IN_C1,
    ),
    (
        "get",
        "/reports/dashboard/{area}/",
        expect(403, subdistrict_admin=200, area_lead=200, community_secretary=404, outsider=404),
    ),
    (
        "get",
        "/reports/n/{c1}/",
        IN_C1,
    ),
    (
        "get",
        "/api/v1/assessment/{c1}",
        IN_C1,
    ),
    (
        "get",
        "/party/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/n/{c1}/visits/",
        expect(
            403,
            subdistrict_admin=200,
            area_lead=200,
            community_secretary=200,
            party_member=200,
            grid_worker=404,
            outsider=404,
        ),
    ),
    (
        "get",
        "/party/n/{m1}/visits/",
        expect(
            403,
            subdistrict_admin=200,
            area_lead=200,
            community_secretary=200,
            party_member=200,
            grid_worker=200,
            outsider=404,
        ),
    ),
    ("get", "/contests/n/{c1}/", expect(200, grid_worker=404, outsider=404)),
    ("get", "/activities/n/{c1}/", expect(200, grid_worker=404, outsider=404)),
    (
        "get",
        "/units/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, unit_liaison=200, outsider=200
        ),
    ),
    (
        "get",
        "/units/meetings/",
        expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=200),
    ),
    (
        "get",
        "/party/frame/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/projects/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/exemplars/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/talents/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    ("get", "/api/v1/me", expect(200)),
    ("get", "/api/v1/grid/nodes/{c1}", expect(403, READERS, grid_worker=404, outsider=404)),
    ("get", "/api/v1/grid/households", expect(403, READERS, resident=200)),
    ("get", "/api/v1/grid/households/{h1}", expect(403, READERS, resident=200, outsider=404)),
    (
        "get",
        "/api/v1/grid/households/{h_other}",
        expect(403, READERS, community_secretary=404, grid_worker=404, resident=404),
    ),
    (
        "get",
        "/api/v1/grid/nodes/{c1}/coverage",
        IN_C1,
    ),
    (
        "post",
        "/api/v1/grid/nodes/{c1}/assign",
        expect(403, subdistrict_admin=200, community_secretary=200, outsider=404),
    ),
]


def _url(template: str, grid: Grid) -> str:
    return template.format(
        sd=grid.sd.code,
        area=grid.area.code,
        c1=grid.c1.code,
        c2=grid.c2.code,
        m1=grid.m1.code,
        h1=grid.h1.code,
        h_other=grid.h_other.code,
    )


@pytest.mark.django_db
def test_permission_matrix(grid: Grid, personas: dict) -> None:
    # The sub-district admin is a superuser for the back office, bound to their sub-district.
    admin = personas["subdistrict_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    mismatches = []
    for role in ROLES:
        client = client_for(personas[role])
        for method, template, expected in MATRIX:
            url = _url(template, grid)
            response = getattr(client, method)(url)
            if response.status_code != expected[role]:
                mismatches.append(
                    f"{role} {method.upper()} {url}: {response.status_code} != {expected[role]}"
                )
    assert mismatches == []


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_or_told_401(grid: Grid) -> None:
    client = Client()
    for method, template, _expected in MATRIX:
        url = _url(template, grid)
        if url == "/guide/":
            assert client.get(url).status_code == 200  # public
            continue
        response = getattr(client, method)(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
            assert response.json()["code"] == "unauthenticated"
        else:
            assert response.status_code == 302, url
            assert "login" in response["Location"], url


@pytest.mark.django_db
def test_admin_back_office_is_scoped_to_the_sub_district(grid: Grid, personas: dict) -> None:
    from grid.services.records import building_create, node_create

    other_sd = node_create(actor=None, level="subdistrict", name="别的街道", code="OTH")
    other_area = node_create(actor=None, level="area", name="片区", parent=other_sd)
    other_c = node_create(actor=None, level="community", name="别的居民区", parent=other_area)
    foreign = building_create(actor=None, community=other_c, name="99号楼")
    admin = personas["subdistrict_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    listing = client.get("/admin/grid/building/").content.decode()
    assert grid.b1.code in listing and foreign.code not in listing
    assert (
        client.get(f"/admin/grid/building/{foreign.pk}/change/").status_code == 302
    )  # "doesn't exist" redirect
