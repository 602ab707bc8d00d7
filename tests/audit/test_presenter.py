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
        assert view.record == f"走访 {grid.h1.community.name} {grid.h1} 2026-12-01 已入户交流"
        assert "talked" not in view.record and "talked" not in text
        assert "街道" not in text  # the sub-district is the page's scope, not a change
        assert str(visit.client_id) not in text  # the phone's UUID is an internal
        assert f"住户: {grid.h1.community.name} {grid.h1}" in text  # with its residential area


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
    assert f"住户: {grid.h1.community.name} {grid.h1} → 9号楼 909" in view.text
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


@pytest.mark.django_db
def test_every_key_on_a_busy_page_is_named_by_its_record(grid: Grid) -> None:
    """A walk of the log: on a page referring to many kinds of record a sign-up read "班次 班次" (the models
    past the eighth were not named). Every key is named, in one query per model referred to."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.models import Shift
    from supervision.services import shifts_generate
    from tests.personas import all_day_point

    point = all_day_point(grid, "交通路西侧点")
    shifts_generate(points=[point], start=datetime.date(2026, 12, 1), days=1)
    shift = Shift.objects.get(point=point)
    others = {
        "activities.Registration": ["activity_id", "person_id"],
        "party.Visit": ["household_id", "microgrid_id", "plan_id"],
        "party.Exemplar": ["unit_id", "chosen_by_id"],
        "points.Redemption": ["reward_id", "entry_id"],
        "grid.Household": ["building_id"],
    }

    def page(gone: list[int]) -> None:
        # Keys to records no longer on record, of ten other models, each twice: they outnumber the shift's.
        for label, keys in others.items():
            AuditEntry.objects.create(
                action="update", model=label, object_id="1", object_repr="x", changes={k: gone for k in keys}
            )
        AuditEntry.objects.create(
            action="create",
            model="supervision.ShiftSignup",
            object_id="1",
            object_repr="y",
            changes={"shift_id": shift.pk, "status": "signed_up"},
        )

    page([900001, 900002])
    with translation.override("zh-hans"), CaptureQueriesContext(connection) as queries:
        signup = present(AuditEntry.objects.order_by("id"))[-1]
    # (PostgreSQL's jsonb keeps the keys in its own order: the row is looked for, not its place.)
    assert f"班次: {shift}" in signup.text.split("; ") and "班次: 班次" not in signup.text
    page([900003, 900004])  # twice the rows, of the same models: no more queries
    with translation.override("zh-hans"), CaptureQueriesContext(connection) as again:
        present(AuditEntry.objects.order_by("id"))
    assert len(again) == len(queries)


@pytest.mark.django_db
def test_accounts_read_as_people_keys_as_nothing_and_households_with_their_area(
    grid: Grid, personas: dict
) -> None:
    """A walk of the log: a ledger entry read "操作人 jiaotong_vol", "标识 activity:ZJXL-A0042:989" and
    "住户 2号楼 1206". An account reads as its person with the login (masked for a reader without personal
    data), an internal unique key is not shown, a household is named with its residential area."""
    from types import SimpleNamespace

    from grid.services.records import person_create

    volunteer = personas["community_secretary"]
    volunteer.person = person_create(actor=None, node=grid.c1, name="钱书记")
    volunteer.save()
    AuditEntry.objects.create(
        action="create",
        model="points.LedgerEntry",
        object_id="1",
        object_repr="x",
        changes={
            "household_id": grid.h1.pk,
            "kind": "activity",
            "amount": 20,
            "key": "activity:ZJXL-A0042:989",
            "created_by_id": volunteer.pk,
        },
    )
    area = grid.h1.community.name
    with translation.override("zh-hans"):
        entries = AuditEntry.objects.filter(model="points.LedgerEntry")
        (view,) = present(entries)
        (masked,) = present(entries, reader=SimpleNamespace(sees_personal_data=False))
    assert f"住户: {area} {grid.h1}" in view.text
    assert f"钱书记 ({volunteer.username})" in view.text
    assert "钱书记" not in masked.text and f"钱** ({volunteer.username})" in masked.text
    assert "activity:" not in view.text and "标识" not in view.text


@pytest.mark.django_db
def test_an_exemplar_named_by_a_households_code_reads_as_the_household(grid: Grid) -> None:
    """A walk of the log: a model household read "名称 ZJXL-01-B007-203". A text that copied the code of a
    household the entry refers to reads as that household, with its residential area; so does the record."""
    from party.services import exemplar_choose

    exemplar_choose(
        actor=None,
        subdistrict=grid.sd,
        year=2026,
        kind="household",
        name=grid.h1.code,
        reason="分类准确率 100%",
        household=grid.h1,
    )
    named = f"{grid.h1.community.name} {grid.h1}"
    with translation.override("zh-hans"):
        (view,) = present(AuditEntry.objects.filter(model="party.Exemplar"))
    assert grid.h1.code not in view.text and grid.h1.code not in view.record
    assert f"名称: {named}" in view.text and view.record.endswith(named)


@pytest.mark.django_db
def test_an_export_names_every_record_past_a_batch(grid: Grid, monkeypatch: pytest.MonkeyPatch) -> None:
    """The export presents a thousand entries at a time: records past the first 500 of a model read
    "已不存在的住户". They are read in batches, all of them named."""
    from audit import presenter

    monkeypatch.setattr(presenter, "BATCH", 1)
    for household in (grid.h1, grid.h_other):
        AuditEntry.objects.create(
            action="create",
            model="party.Visit",
            object_id="0",
            object_repr="x",
            changes={"household_id": household.pk},
        )
    with translation.override("zh-hans"):
        texts = [v.text for v in present(AuditEntry.objects.filter(model="party.Visit").order_by("id"))]
    assert texts == [f"住户: {h.community.name} {h}" for h in (grid.h1, grid.h_other)]
