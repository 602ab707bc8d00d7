"""The demo sub-district: the report's shape, the grid rules, determinism, idempotency, logins."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import Role, User
from grid.models import GridNode, GridWorker, Household, Level
from grid.selectors import coverage_report
from grid.services.demo import demo_generate
from lib.clock import local_today

ROLE_KEYS = {r.value for r in Role}


@pytest.mark.django_db
def test_small_demo_has_the_reports_shape_and_is_idempotent() -> None:
    sd = demo_generate(scale=0.12)  # ~3,240 households: 18 residential areas of ~180
    assert GridNode.objects.filter(parent=sd, level=Level.AREA).count() == 4
    names = list(
        GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).values_list("name", flat=True)
    )
    assert len(names) == 18 and "洪南山宅居民区" in names and "中兴居民区" in names
    assert not any("示意" in n or "示例" in n for n in names)  # demo data reads like real data
    assert Household.objects.filter(subdistrict=sd).count() == round(27_000 * 0.12)
    report = coverage_report(sd)
    assert report.root.unassigned == 0 and not report.overloaded and not report.underloaded
    counts = (Household.objects.count(), GridWorker.objects.count(), User.objects.count())
    demo_generate(scale=0.12)
    assert (Household.objects.count(), GridWorker.objects.count(), User.objects.count()) == counts


class _Rollback(Exception):
    pass


def _snapshot() -> list[tuple[str, str, str]]:
    return list(Household.objects.order_by("code").values_list("code", "contact_name", "grid_worker__code"))


@pytest.mark.django_db
def test_demo_is_deterministic() -> None:
    with pytest.raises(_Rollback), transaction.atomic():
        demo_generate(scale=0.03, seed=7)
        first = _snapshot()
        raise _Rollback
    assert not Household.objects.exists()
    demo_generate(scale=0.03, seed=7)
    assert _snapshot() == first and len(first) == 810


@pytest.mark.django_db
def test_demo_logins_json_prints_one_object_per_role() -> None:
    demo_generate(scale=0.03)
    out = io.StringIO()
    call_command("demo_logins", json=True, stdout=out)
    logins = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {entry["role"] for entry in logins} == ROLE_KEYS
    for entry in logins:
        user = User.objects.get(username=entry["username"])
        assert user.role == entry["role"] and user.check_password(entry["password"])
    gw = User.objects.get(role=Role.GRID_WORKER)
    assert GridWorker.objects.get(person=gw.person).households.count() > 0


@pytest.mark.django_db
def test_every_residential_area_the_report_names_is_in_the_demo() -> None:
    demo_generate(scale=0.03)
    names = set(GridNode.objects.filter(level=Level.COMMUNITY).values_list("name", flat=True))
    for name in [
        "交通",
        "复元坊",
        "光华坊",
        "永太",
        "三兴",
        "1233弄",
        "洪南山宅",
        "新赵家宅",
        "灵光",
        "大统",
        "普善",
        "芷江新村",
        "苏家巷",
        "协和",
        "芷江西路123弄",
        "城上城",
        "共和新路",
    ]:
        assert f"{name}居民区" in names


@pytest.mark.django_db
def test_generate_demo_command_fills_every_part() -> None:
    from points.models import PointsAccount, Reward
    from supervision.models import DropOffPoint, Observation
    from tonnage.models import TonnageRecord

    call_command("generate_demo", scale=0.03, quiet=True, stdout=io.StringIO())
    assert DropOffPoint.objects.exists() and Observation.objects.exists()
    assert Reward.objects.exists() and PointsAccount.objects.filter(balance__gt=0).exists()
    assert TonnageRecord.objects.exists()
    counts = (Observation.objects.count(), TonnageRecord.objects.count(), PointsAccount.objects.count())
    cases = _officer_cases()
    call_command("generate_demo", scale=0.03, quiet=True, stdout=io.StringIO())  # idempotent
    assert (
        Observation.objects.count(),
        TonnageRecord.objects.count(),
        PointsAccount.objects.count(),
    ) == counts
    assert _officer_cases() == cases  # the officer's cases are not seeded twice


def _officer_cases() -> list[tuple[str, str]]:
    """The demo gives the officer one referred and one decided case (issue 17), each through the services:
    audited, resting on bin-side records, after a rectification notice whose deadline has passed."""

    from audit.models import AuditEntry
    from enforcement.evidence import case_records
    from enforcement.models import Case, CaseStatus
    from enforcement.services import cases_visible_to, notice_deadline

    officer = User.objects.get(username="zjx_officer")
    cases = list(Case.objects.order_by("code"))
    assert sorted(c.status for c in cases) == [CaseStatus.DECIDED, CaseStatus.REFERRED]
    for case in cases:
        deadline = notice_deadline(case)
        assert deadline is not None and deadline < local_today()
        assert case_records(case).exists()
        assert AuditEntry.objects.filter(model="enforcement.Case", object_id=str(case.pk)).count() >= 5
    assert set(cases_visible_to(officer)) == set(cases)
    return [(c.code, c.status) for c in cases]
