"""The audit log reads as a person would say it: names, not ids, codes or choice values."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import translation

from audit.models import AuditEntry
from audit.presenter import EntryView, present
from audit.services import audit_created
from party.models import Visit, VisitOutcome
from tests.conftest import Grid


def _visit(grid: Grid) -> Visit:
    return Visit.objects.create(
        subdistrict=grid.sd,
        household=grid.h1,
        microgrid=grid.m1,
        day=datetime.date(2026, 12, 1),
        outcome=VisitOutcome.TALKED,
        client_id=uuid.uuid4(),
    )


@pytest.mark.django_db
def test_it_names_records_and_choices_and_the_system_in_words(grid: Grid) -> None:
    visit = _visit(grid)
    audit_created(actor=None, obj=visit)
    with translation.override("zh-hans"):
        (view,) = present(AuditEntry.objects.filter(model="party.Visit"))
        text = view.text
        assert view.actor == "系统"
        assert view.record == f"走访 {grid.h1} 2026-12-01 已入户交流"
        assert "talked" not in view.record and "talked" not in text
        assert "街道" not in text  # the sub-district is the page's scope, not a change
        assert str(visit.client_id) not in text  # the phone's UUID is an internal
        assert f"住户: {grid.h1}" in text


@pytest.mark.django_db
def test_an_old_entry_shows_its_records_name_as_it_is_now(grid: Grid) -> None:
    visit = _visit(grid)
    AuditEntry.objects.create(
        action="create", model="party.Visit", object_id=str(visit.pk), object_repr="2 2026-12-01 talked"
    )
    with translation.override("zh-hans"):
        (view,) = present(AuditEntry.objects.filter(model="party.Visit"))
    assert "talked" not in view.record and str(grid.h1) in view.record


@pytest.mark.django_db
def test_a_key_to_a_gone_record_reads_its_last_logged_name_never_an_id(grid: Grid) -> None:
    visit = _visit(grid)
    AuditEntry.objects.create(
        action="delete", model="grid.Household", object_id="999999", object_repr="9号楼 909"
    )
    AuditEntry.objects.create(
        action="update",
        model="party.Visit",
        object_id=str(visit.pk),
        object_repr=str(visit),
        changes={"household_id": [grid.h1.pk, 999999], "plan_id": [None, 888888]},
    )
    with translation.override("zh-hans"):
        view = present(AuditEntry.objects.filter(action="update"))[0]
    assert f"住户: {grid.h1} → 9号楼 909" in view.text
    assert "#" not in view.text and "888888" not in view.text
    assert "已不存在的" in view.text


@pytest.mark.django_db
def test_opaque_codes_and_hashes_are_not_shown_as_changes(grid: Grid) -> None:
    AuditEntry.objects.create(
        action="create",
        model="supervision.ShiftOffer",
        object_id="1",
        object_repr="x",
        changes={"code": "tghqsx79dh", "status": "pending"},
    )
    AuditEntry.objects.create(
        action="create",
        model="accounts.AccountClaim",
        object_id="1",
        object_repr="y",
        changes={"code_hash": "ab12"},
    )
    with translation.override("zh-hans"):
        views = present(
            AuditEntry.objects.filter(model__in=["supervision.ShiftOffer", "accounts.AccountClaim"]).order_by(
                "id"
            )
        )
    assert views[0].text == "状态: 等待答复"
    assert "ab12" not in views[1].text


@pytest.mark.django_db
def test_a_visitor_added_to_a_plan_reads_as_the_plans_change(grid: Grid) -> None:
    from lib.periods import Period
    from party.services import visit_plan_create, visit_plan_members_add
    from tests.personas import party_member

    member = party_member(grid, "叶辉丽", household=grid.h1)
    plan = visit_plan_create(
        actor=None, microgrid=grid.m1, period=Period.containing("quarter", datetime.date(2026, 11, 1))
    )
    visit_plan_members_add(actor=None, plan=plan, members=[member])
    entry = AuditEntry.objects.get(model="party.VisitPlan_members")
    assert entry.subdistrict_id == grid.sd.pk
    with translation.override("zh-hans"):
        (view,) = present([entry])
        assert view.record == f"走访计划 {plan}"
        assert view.summary == "添加 党员 叶辉丽" and view.rows == []
        assert "object" not in view.text and "VisitPlan" not in view.text


@pytest.mark.django_db
def test_a_sign_up_names_its_point_by_name_with_the_code_as_title(grid: Grid) -> None:
    from supervision.models import Shift
    from supervision.services import shift_signup, shifts_generate
    from tests.personas import all_day_point

    point = all_day_point(grid, "交通路西侧点")
    shifts_generate(points=[point], start=datetime.date(2026, 12, 1), days=1)
    shift = Shift.objects.get(point=point)
    person = grid.w1.person
    signup = shift_signup(actor=None, shift=shift, person=person)
    AuditEntry.objects.all().delete()
    audit_created(actor=None, obj=signup)
    with translation.override("zh-hans"):
        (view,) = present(AuditEntry.objects.all())
    assert "交通路西侧点" in view.record and point.code not in view.record
    assert view.code == point.code


@pytest.mark.django_db
def test_a_plans_visitors_are_listed_under_the_plans_kind(grid: Grid) -> None:
    from audit.selectors import AuditFilters, filter_entries
    from lib.periods import Period
    from party.services import visit_plan_create
    from tests.personas import party_member

    member = party_member(grid, "叶辉丽", household=grid.h1)
    period = Period.containing("quarter", datetime.date(2026, 11, 1))
    visit_plan_create(actor=None, microgrid=grid.m1, period=period, members=[member])
    found = filter_entries(AuditEntry.objects.all(), AuditFilters(kind="party.VisitPlan"))
    assert sorted(e.model for e in found) == ["party.VisitPlan", "party.VisitPlan_members"]


@pytest.mark.django_db
def test_the_actor_reads_as_the_person_with_their_login(grid: Grid, personas: dict) -> None:
    """A third walk: the 操作人 column showed logins only ("jiaotong_sec"). An account linked to a person
    reads as the person with the login; one linked to nobody as the login; the page asks no query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.selectors import visible_entries
    from grid.services.records import person_create

    secretary = personas["community_secretary"]
    secretary.person = person_create(actor=None, node=grid.c1, name="钱书记")
    secretary.save()
    lead = personas["area_lead"]
    lead.person = None  # an account linked to nobody
    lead.save()
    for actor in (secretary, lead):
        audit_created(actor=actor, obj=_visit(grid))
    entries = visible_entries(personas["subdistrict_admin"]).filter(model="party.Visit").order_by("id")
    with CaptureQueriesContext(connection) as queries:
        rows = list(entries)
        actors = [EntryView(e, "").actor for e in rows]
    assert actors[0] == f"钱书记 ({secretary.username})"
    assert actors[1] == lead.username
    assert len(queries) == 1
