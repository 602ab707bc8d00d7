"""Pages: constant queries on lists, search and filters, the tree's figures, language switching."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grid.services.records import household_create
from tests.conftest import Grid, client_for


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_household_list_runs_a_constant_number_of_queries(grid: Grid, personas: dict) -> None:
    client = client_for(personas["subdistrict_admin"])
    few = _queries(client, "/grid/households/")
    for i in range(60):
        household_create(actor=None, building=grid.b2, room=f"9{i:02d}")
    assert _queries(client, "/grid/households/") == few
    assert _queries(client, "/grid/households/?page=2") == few


@pytest.mark.django_db
def test_my_households_runs_a_constant_number_of_queries(grid: Grid, personas: dict) -> None:
    client = client_for(personas["grid_worker"])
    before = _queries(client, "/grid/my/")
    household_create(actor=None, building=grid.b1, room="777")
    from grid.services.assignment import households_assign

    households_assign(actor=None, community=grid.c1)
    assert _queries(client, "/grid/my/") == before


@pytest.mark.django_db
def test_my_households_lists_exactly_the_workers_households(grid: Grid, personas: dict) -> None:
    body = client_for(personas["grid_worker"]).get("/grid/my/").content.decode()
    assert body.count('class="card household"') == grid.w1.households.count() == 18
    assert grid.h_other.contact_phone not in body


@pytest.mark.django_db
def test_search_and_unassigned_filter(grid: Grid, personas: dict) -> None:
    client = client_for(personas["community_secretary"])
    lonely = household_create(actor=None, building=grid.b2, room="888")
    body = client.get("/grid/households/?unassigned=1").content.decode()
    assert lonely.code in body and grid.h1.code not in body
    body = client.get("/grid/households/?q=888").content.decode()
    assert lonely.code in body and grid.h1.code not in body
    # htmx asks for the table fragment only.
    fragment = client.get("/grid/households/?q=888", HTTP_HX_REQUEST="true").content.decode()
    assert lonely.code in fragment and "<html" not in fragment


@pytest.mark.django_db
def test_tree_shows_counts_and_coverage_per_child(grid: Grid, personas: dict) -> None:
    household_create(actor=None, building=grid.b3, room="888")
    body = client_for(personas["area_lead"]).get(f"/grid/n/{grid.area.code}/").content.decode()
    assert grid.c1.name in body and grid.c2.name in body
    assert "36" in body and "19" in body  # households in c1 and in c2
    assert "94.7%" in body  # c2: 18 of 19 assigned


@pytest.mark.django_db
def test_chinese_by_default_english_on_request(grid: Grid, personas: dict) -> None:
    client = client_for(personas["community_secretary"])
    assert "我的包责户" not in client.get("/").content.decode()  # secretaries have no "my households"
    assert "全覆盖报告" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Coverage report" in client.get("/").content.decode()


@pytest.mark.django_db
def test_admin_is_localised(grid: Grid, personas: dict) -> None:
    admin = personas["subdistrict_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    body = client_for(admin).get("/admin/").content.decode()
    assert (
        "后台管理" in body and "住户" in body and "Django" not in body.split("<body")[1].split("</header>")[0]
    )


@pytest.mark.parametrize(
    ("role", "link"),
    [("volunteer", "/supervision/"), ("unit_liaison", "/units/"), ("enforcement_officer", "/cases/")],
)
def test_field_roles_home_pages_lead_to_their_work_not_a_promise(
    grid: Grid, personas: dict, role: str, link: str
) -> None:
    from django.urls import reverse

    page = client_for(personas[role]).get(reverse("accounts:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="{link}' in html, link
    assert "后续版本" not in html and "next releases" not in html


@pytest.mark.django_db
def test_a_resident_on_the_staff_household_page_is_sent_to_their_own_page(grid: Grid, personas: dict) -> None:
    """The staff page showed the resident their full ID number (the grid worker sees it masked) and none of
    their own page: a resident is sent to their own household page, which shows no ID number."""
    from grid.models import Person

    Person.objects.filter(household=grid.h1).update(id_number="310106198203190004")
    client = client_for(personas["resident"])
    response = client.get(f"/grid/households/{grid.h1.code}/")
    assert response.status_code == 302 and response["Location"] == "/h/"
    assert "310106198203190004" not in client.get("/h/").content.decode()
    assert client.get(f"/grid/households/{grid.h_other.code}/").status_code == 404  # another: as before
    worker = client_for(personas["grid_worker"]).get(f"/grid/households/{grid.h1.code}/").content.decode()
    assert "310106198203190004" not in worker and "0004" in worker  # staff pages: masking as before
