"""The standing jobs the schedules run (jobs.schedules). Each calls the service the matching management
command calls, for one sub-district, and is idempotent: run twice (a late catch-up, a retry after a worker
died) it changes nothing the second time. Each returns one line for the admin's task results.

`intended` is the time the schedule was due (django-q2's intended_date_kwarg), so a run that starts late
still works on the day it was meant for."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone

from enforcement.services_proposal import repeat_proposal
from grid.models import GridNode, Level
from jobs.holidays import holidays_load as _holidays_load
from lib.clock import local_today
from points.services import points_credit_day, points_expire
from supervision.ingest.reconcile import rollups_reconcile as _rollups_reconcile
from supervision.partitions import partitions_ensure as _partitions_ensure

PARTITION_MONTHS = 13


def _subdistrict(code: str) -> GridNode:
    return GridNode.objects.get(level=Level.SUBDISTRICT, code=code)


def _day(intended: str | None) -> datetime.date:
    if intended:
        return timezone.localdate(datetime.datetime.fromisoformat(intended))
    return local_today()


def credit_points(*, subdistrict: str, intended: str | None = None) -> str:
    """Daily, after midnight: credit the day before's verified correct drop-offs."""
    day = _day(intended) - datetime.timedelta(days=1)
    n = points_credit_day(subdistrict=_subdistrict(subdistrict), day=day)
    return f"{subdistrict} {day}: {n} drop-offs credited"


def propose_cases(*, subdistrict: str, intended: str | None = None) -> str:
    """Daily: count the households the evidence rule offers for a case. Read only: a case is opened only
    when a secretary or the admin confirms it on the proposal page."""
    found = repeat_proposal(actor=None, node=_subdistrict(subdistrict), today=_day(intended))
    offered = sum(1 for c in found if c.offered)
    return f"{subdistrict}: {offered} households meet the rule, {len(found) - offered} listed only"


def rollups_reconcile(*, subdistrict: str, intended: str | None = None) -> str:
    """Nightly: mend the rollups of the last two days against the bin-side records."""
    end = _day(intended)
    start = end - datetime.timedelta(days=1)
    r = _rollups_reconcile(subdistrict=_subdistrict(subdistrict), start=start, end=end)
    return f"{subdistrict} {start}…{end}: {r.added} added, {r.changed} changed, {r.removed} removed"


def expire_points(*, subdistrict: str, intended: str | None = None) -> str:
    """On 1 January, after the night's crediting of 31 December: expire the year's balances."""
    year = _day(intended).year - 1
    with transaction.atomic():  # points_expire locks the accounts it reads
        n = points_expire(subdistrict=_subdistrict(subdistrict), year=year)
    return f"{subdistrict} {year}: {n} balances expired"


def partitions_ensure(*, intended: str | None = None) -> str:
    """Monthly (PostgreSQL): the coming months' partitions of the bin-side records. One table for every
    sub-district, so one job, not one per sub-district."""
    today = _day(intended)
    end = today + datetime.timedelta(days=31 * PARTITION_MONTHS)
    created = _partitions_ensure(connection, start=today, end=end)
    return f"{len(created)} partitions created"


def holidays_load(*, intended: str | None = None) -> str:
    """Monthly: this year's and next year's statutory holidays, once each, as soon as they are published."""
    year = _day(intended).year
    loaded = {y: _holidays_load(year=y) for y in (year, year + 1)}
    return ", ".join(f"{y}: {'—' if n is None else n}" for y, n in loaded.items())


ATTEMPTS_KEEP = datetime.timedelta(days=30)


def schedules_ensure(*, intended: str | None = None) -> str:
    """Daily: schedules for sub-districts added since the last migrate; start counts of jobs that ended more
    than ATTEMPTS_KEEP ago are dropped (django-q2 prunes its own results: Q_CLUSTER save_limit)."""
    from jobs.models import Attempt
    from jobs.schedules import schedules_ensure as ensure

    dropped, _ = Attempt.objects.filter(updated_at__lt=timezone.now() - ATTEMPTS_KEEP).delete()
    return f"{ensure()} schedules added, {dropped} old job attempts dropped"
