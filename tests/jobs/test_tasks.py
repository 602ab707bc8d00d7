"""Background jobs and the standing schedule: a queued job waits in the database until a worker runs it;
the runner gives up on a job that keeps killing its worker (the row says so, in Chinese) and retries a
transient error with backoff; every standing job is idempotent; the schedule is data, ensured once; the
holidays come from chinese-calendar with the staff's entries winning. (The worker killed mid-job, with real
`qcluster` processes: tests/jobs/test_runner.py.)"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import OperationalError
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from enforcement.models import Case
from grid.models import ImportJob, ImportStatus
from grid.services.importing import import_job_give_up
from jobs import runner, tasks
from jobs.holidays import holidays_load
from jobs.models import Attempt, HolidayYear, Outcome
from jobs.schedules import SPECS, schedules_ensure
from lib.clock import local_today
from lib.periods import Period
from points.models import LedgerEntry
from reports.models import ReportJob, ReportStatus
from reports.services import report_job_create
from supervision.models import Holiday, HouseholdDay, PointDay
from tests.conftest import Grid
from tests.points.test_services import drops

CALLS: list[dict[str, Any]] = []


def locked(**kwargs: Any) -> None:
    CALLS.append(kwargs)
    raise OperationalError("database is locked")


def _report(grid: Grid, personas: dict) -> ReportJob:
    period = Period.containing("month", local_today() - datetime.timedelta(days=40))
    return report_job_create(actor=personas["subdistrict_admin"], node=grid.sd, period=period)


@pytest.mark.django_db
def test_a_queued_job_waits_in_the_database_and_runs_from_there(grid: Grid, personas: dict, settings) -> None:
    settings.WASTEGRID_JOBS_INLINE = False
    job = _report(grid, personas)
    assert job.status == ReportStatus.PENDING  # nothing ran in the request
    [queued] = OrmQ.objects.all()
    task = SignedPackage.loads(queued.payload)
    assert task["func"] == "jobs.runner.run"
    assert task["args"][:2] == ("reports.services.report_job_run", {"job_id": job.pk})
    runner.run(*task["args"])  # what a worker does with it
    job.refresh_from_db()
    assert (job.status, job.percent) == (ReportStatus.DONE, 100)
    assert Attempt.objects.get(key=task["args"][2]).outcome == Outcome.DONE


@pytest.mark.django_db
def test_inline_runs_the_job_at_once(grid: Grid, personas: dict) -> None:
    job = _report(grid, personas)
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE
    assert not OrmQ.objects.exists()


@pytest.mark.django_db
def test_a_job_that_keeps_killing_its_worker_is_given_up_and_says_so_in_chinese(
    grid: Grid, personas: dict, settings
) -> None:
    settings.WASTEGRID_JOBS_INLINE = False
    job = _report(grid, personas)
    key = uuid.uuid4().hex
    # Each start is counted before the job runs: MAX_STARTS starts whose worker died left only this row.
    Attempt.objects.create(key=key, func="reports.services.report_job_run", starts=runner.MAX_STARTS)
    result = runner.run(
        "reports.services.report_job_run", {"job_id": job.pk}, key, "reports.services.report_job_give_up"
    )
    assert result.startswith("gave up")
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED and "多次中断" in job.error
    assert Attempt.objects.get(key=key).outcome == Outcome.GAVE_UP
    page = Client()
    page.force_login(personas["subdistrict_admin"])
    html = page.get(f"/reports/job/{job.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "多次中断" in html


@pytest.mark.django_db
def test_a_build_that_fails_says_so_in_chinese_without_the_exceptions_text(
    grid: Grid, personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reports.services

    def broken(*args: object, **kwargs: object) -> bytes:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(reports.services, "report_pdf", broken)
    job = _report(grid, personas)
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert "内部错误（ZeroDivisionError）" in job.error and "division by zero" not in job.error
    page = Client()
    page.force_login(personas["subdistrict_admin"])
    html = page.get(f"/reports/job/{job.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "内部错误" in html and "division by zero" not in html


@pytest.mark.django_db
def test_an_import_given_up_reads_in_both_languages(grid: Grid, personas: dict) -> None:
    job = ImportJob.objects.create(
        public_id=uuid.uuid4(), kind="households", filename="a.xlsx", data=b"x", node=grid.sd
    )
    import_job_give_up(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "多次中断" in job.errors[0]["zh"] and "interrupted" in job.errors[0]["en"]


@pytest.mark.django_db
def test_a_transient_error_is_retried_later_with_growing_delays() -> None:
    key = uuid.uuid4().hex
    delays = []
    for _ in range(runner.MAX_STARTS):
        before = timezone.now()
        with pytest.raises(OperationalError):
            runner.run("tests.jobs.test_tasks.locked", {"n": 1}, key)
        retry = Schedule.objects.filter(func=runner.RUN).order_by("-id").first()
        delays.append(round((retry.next_run - before).total_seconds() / 30) if retry else None)
        Schedule.objects.filter(func=runner.RUN).delete()
    assert delays == [1, 2, 4, None]  # 30 s, 60 s, 120 s, then it stops
    assert Attempt.objects.get(key=key).outcome == Outcome.FAILED
    assert "database is locked" in Attempt.objects.get(key=key).error


def _state() -> tuple[Any, ...]:
    return (
        LedgerEntry.objects.count(),
        LedgerEntry.objects.aggregate(s=Sum("amount"))["s"],
        sorted(HouseholdDay.objects.values_list("household_id", "day", "total", "mistakes")),
        PointDay.objects.count(),
        Case.objects.count(),
        Holiday.objects.count(),
        Schedule.objects.count(),
    )


@pytest.mark.django_db
def test_every_standing_job_run_twice_changes_nothing_the_second_time(grid: Grid) -> None:
    yesterday = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, yesterday, ["correct", "correct", "mixed"])
    HouseholdDay.objects.all().delete()  # something for the reconcile to mend
    # expire_points works on the year before `intended`: run it "on 1 January next year".
    new_year = datetime.datetime(yesterday.year + 1, 1, 1, 3, tzinfo=datetime.UTC).isoformat()
    cases = Case.objects.count()
    for name in ("credit_points", "rollups_reconcile", "propose_cases", "expire_points"):
        job = getattr(tasks, name)
        kwargs: dict[str, Any] = {"subdistrict": grid.sd.code}
        if name == "expire_points":
            kwargs["intended"] = new_year
        first = job(**kwargs)
        after_first = _state()
        second = job(**kwargs)
        assert _state() == after_first, name
        assert first != second or name == "propose_cases", (name, first)
    for job in (tasks.partitions_ensure, tasks.holidays_load, tasks.schedules_ensure):
        job()
        after_first = _state()
        job()
        assert _state() == after_first, job
    assert LedgerEntry.objects.filter(kind="expire").exists()
    assert Case.objects.count() == cases  # proposals only: a person opens a case


@pytest.mark.django_db
def test_the_schedule_is_data_ensured_once_and_visible_in_the_admin(grid: Grid, admin_client: Client) -> None:
    schedules_ensure()  # the test database was migrated before the grid existed
    assert schedules_ensure() == 0
    per_sd = [s for s in SPECS if s.per_subdistrict]
    assert Schedule.objects.filter(kwargs=f"subdistrict={grid.sd.code!r}").count() == len(per_sd)
    credit = Schedule.objects.get(func="jobs.tasks.credit_points", kwargs=f"subdistrict={grid.sd.code!r}")
    assert credit.schedule_type == Schedule.DAILY and credit.next_run > timezone.now()
    assert timezone.localtime(credit.next_run).time() == datetime.time(1, 0)
    assert Schedule.objects.get(func="jobs.tasks.expire_points").schedule_type == Schedule.YEARLY
    page = admin_client.get("/admin/django_q/schedule/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "积分入账" in page.content.decode()
    type(grid.sd).objects.filter(pk=grid.sd.pk).update(code="RENAMED")  # its schedules follow the code
    assert schedules_ensure() == len(per_sd)
    assert not Schedule.objects.filter(kwargs=f"subdistrict={grid.sd.code!r}").exists()


@pytest.mark.django_db
def test_holidays_come_from_the_calendar_once_and_staff_entries_win() -> None:
    Holiday.objects.create(day=datetime.date(2026, 10, 1), name="社区自定")
    added = holidays_load(year=2026)
    assert added and Holiday.objects.filter(day__year=2026).count() == added + 1
    assert not Holiday.objects.filter(day=datetime.date(2026, 10, 9)).exists()  # a Friday worked: no change
    assert Holiday.objects.get(day=datetime.date(2026, 10, 1)).name == "社区自定"
    assert Holiday.objects.get(day=datetime.date(2026, 10, 2)).name == "国庆节"
    assert Holiday.objects.get(day=datetime.date(2026, 2, 17)).name == "春节"
    # An adjusted working Sunday (调休上班): points open as on a Monday that day.
    sunday = Holiday.objects.get(day=datetime.date(2026, 9, 20))
    assert sunday.workday and sunday.opens_like == 0 and sunday.name == "国庆节调休上班"
    Holiday.objects.filter(day=datetime.date(2026, 10, 2)).delete()  # staff take a day out
    assert holidays_load(year=2026) is None
    assert not Holiday.objects.filter(day=datetime.date(2026, 10, 2)).exists()
    assert holidays_load(year=2099) is None and not HolidayYear.objects.filter(year=2099).exists()
