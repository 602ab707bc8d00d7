"""Personal data is masked for roles that do not need it; every change is in the audit log."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from audit.models import AuditEntry
from grid.models import GridWorker, Household
from grid.services.records import household_update
from lib.masking import mask_id_number, mask_name, mask_phone
from tests.conftest import Grid, client_for


def test_mask_helpers() -> None:
    assert mask_phone("13812345678") == "138****5678"
    # The last 4 at most: region and birth date (the first 14) identify a person (issue 14).
    assert mask_id_number("11010519491231002X") == "**************002X"
    assert mask_id_number("1234567") == "*******"
    assert mask_name("张三丰") == "张**"
    assert mask_phone("") == ""


@pytest.mark.django_db
def test_area_lead_sees_masked_phone_secretary_sees_it(grid: Grid, personas: dict) -> None:
    phone = grid.h1.contact_phone
    lead = client_for(personas["area_lead"])
    page = lead.get(f"/grid/households/?node={grid.c1.code}&q={grid.h1.code}").content.decode()
    assert phone not in page and mask_phone(phone) in page
    api = lead.get(f"/api/v1/grid/households/{grid.h1.code}").json()
    assert api["contact_phone"] == mask_phone(phone) and api["masked"] is True and api["room"] == "***"

    secretary = client_for(personas["community_secretary"])
    assert phone in secretary.get(f"/grid/households/{grid.h1.code}/").content.decode()
    assert secretary.get(f"/api/v1/grid/households/{grid.h1.code}").json()["contact_phone"] == phone


@pytest.mark.django_db
def test_masked_roles_cannot_search_by_phone(grid: Grid, personas: dict) -> None:
    lead = client_for(personas["area_lead"])
    page = lead.get(f"/grid/households/?q={grid.h1.contact_phone}").content.decode()
    assert grid.h1.code not in page


@pytest.mark.django_db
def test_export_is_masked_too(grid: Grid, personas: dict) -> None:
    response = client_for(personas["area_lead"]).get(f"/grid/households/?node={grid.c1.code}&export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + Household.objects.filter(community=grid.c1).count()
    phones = {r[8] for r in rows[1:]}
    assert all("****" in str(p) for p in phones)


@pytest.mark.django_db
def test_resident_is_sent_from_the_staff_page_to_their_own_household_page(grid: Grid, personas: dict) -> None:
    """The staff household page shows identity numbers (masked or not by role); a resident is sent to the
    resident's page of their own household instead (tests/grid/test_views.py checks no ID number shows)."""
    response = client_for(personas["resident"]).get(f"/grid/households/{grid.h1.code}/", follow=True)
    body = response.content.decode()
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith("/h/")
    assert grid.h1.building.name in body and grid.h1.room in body


@pytest.mark.django_db
def test_update_is_audited_with_who_and_what(grid: Grid, personas: dict) -> None:
    secretary = personas["community_secretary"]
    household_update(
        actor=secretary, household=grid.h1, size=5, contact_phone="13999999999", reason="走访更新"
    )
    entry = AuditEntry.objects.filter(
        model="grid.Household", object_id=str(grid.h1.pk), action="update"
    ).latest("id")
    assert entry.actor == secretary and entry.reason == "走访更新"
    assert entry.changes["size"] == [2, 5]
    assert entry.changes["contact_phone"][1] == "13999999999"
    assert entry.subdistrict_id == grid.sd.pk


@pytest.mark.django_db
def test_moving_building_releases_the_grid_worker_and_is_audited(grid: Grid) -> None:
    household_update(actor=None, household=grid.h1, building=grid.b2, room="1101")
    grid.h1.refresh_from_db()
    assert grid.h1.grid_worker is None and grid.h1.community == grid.c1
    entry = AuditEntry.objects.filter(
        model="grid.Household", object_id=str(grid.h1.pk), action="update"
    ).latest("id")
    assert set(entry.changes) == {"building_id", "grid_worker_id", "room"}


@pytest.mark.django_db
def test_admin_edit_is_audited(grid: Grid, personas: dict) -> None:
    admin = personas["subdistrict_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    worker = GridWorker.objects.get(pk=grid.w1.pk)
    response = client.post(
        f"/admin/grid/gridworker/{worker.pk}/change/",
        {
            "person": worker.person_id,
            "microgrid": worker.microgrid_id,
            "code": worker.code,
        },  # active unticked
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(model="grid.GridWorker", action="update").get()
    assert entry.changes == {"active": [True, False]} and entry.actor == admin and entry.reason == "admin"


@pytest.mark.django_db
def test_audit_page_lists_changes_of_own_sub_district_only(grid: Grid, personas: dict) -> None:
    household_update(actor=personas["community_secretary"], household=grid.h1, size=4)
    AuditEntry.objects.create(
        actor_name="x",
        action="update",
        model="grid.Household",
        object_id="1",
        object_repr="外区记录",
        subdistrict_id=grid.sd.pk + 999,
    )
    body = client_for(personas["subdistrict_admin"]).get("/audit/").content.decode()
    assert "secretary" in body and "外区记录" not in body


@pytest.mark.django_db
def test_members_id_numbers_are_masked_for_area_lead(grid: Grid, personas: dict) -> None:
    from grid.services.records import person_create

    person_create(
        actor=None,
        node=grid.c1,
        name="王大明",
        phone="13612345678",
        id_number="11010519491231002X",
        household=grid.h1,
    )
    lead = client_for(personas["area_lead"]).get(f"/grid/households/{grid.h1.code}/").content.decode()
    assert "11010519491231002X" not in lead and "**************002X" in lead and "王**" in lead
    secretary = (
        client_for(personas["community_secretary"]).get(f"/grid/households/{grid.h1.code}/").content.decode()
    )
    assert "11010519491231002X" in secretary and "王大明" in secretary
    # The grid worker reaches people by name and phone, never needs the ID number: its last 4 only; the
    # table is headed 登记成员 with a column 姓名 (issue 14's phone walk).
    worker = client_for(personas["grid_worker"]).get(f"/grid/households/{grid.h1.code}/")
    assert worker.status_code == 200
    body = worker.content.decode()
    assert "11010519491231002X" not in body and "**************002X" in body
    assert "王大明" in body and "13612345678" in body
    assert "登记成员" in body and "登记人数" not in body and "<th>姓名</th>" in body
