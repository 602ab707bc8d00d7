"""The standing schedule, as code that writes it as data: one django-q2 Schedule row per job (and per
sub-district where the work is per sub-district), visible and editable in the admin with its last run and
its outcome. `schedules_ensure` adds what is missing and never touches a row that exists (staff may have
moved a time): running it twice changes nothing. It runs after every migrate, from `make demo`, and daily."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connections
from django.utils import timezone
from django_q.models import Schedule

from grid.models import GridNode, Level


@dataclass(frozen=True)
class Spec:
    func: str
    label: str  # data, shown to staff in the admin: Chinese first, English after
    schedule_type: str
    at: datetime.time  # Shanghai time
    per_subdistrict: bool = True
    postgres_only: bool = False
    now: bool = False  # first run at once (the holidays: a new install needs them before the 1st)


D, M, Y = Schedule.DAILY, Schedule.MONTHLY, Schedule.YEARLY
SPECS = (
    Spec("jobs.tasks.schedules_ensure", "补齐计划任务 / ensure schedules", D, datetime.time(0, 30), False),
    Spec("jobs.tasks.credit_points", "积分入账 / credit points", D, datetime.time(1, 0)),
    Spec("jobs.tasks.rollups_reconcile", "核对汇总 / reconcile rollups", D, datetime.time(2, 0)),
    Spec("jobs.tasks.expire_points", "积分年终清零 / expire points", Y, datetime.time(3, 0)),
    Spec("jobs.tasks.partitions_ensure", "预建分区 / partitions", M, datetime.time(4, 0), False, True),
    Spec("jobs.tasks.holidays_load", "载入法定节假日 / holidays", M, datetime.time(4, 30), False, now=True),
    Spec("jobs.tasks.propose_cases", "立案建议 / propose cases", D, datetime.time(6, 0)),
)


def first_run(spec: Spec, now: datetime.datetime) -> datetime.datetime:
    """The next time the spec's slot comes round: today or tomorrow (daily), the 1st of a month (monthly),
    1 January (yearly)."""
    local = timezone.localtime(now)
    if spec.now:
        return now
    day = local.date()
    if spec.schedule_type == Y:
        day = datetime.date(day.year, 1, 1)
    elif spec.schedule_type == M:
        day = day.replace(day=1)
    when = datetime.datetime.combine(day, spec.at, tzinfo=local.tzinfo)
    if when <= local:
        if spec.schedule_type == D:
            when += datetime.timedelta(days=1)
        elif spec.schedule_type == M:
            when = when.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
        else:
            when = when.replace(year=day.year + 1)
    return when


def schedules_ensure(*, using: str = "default") -> int:
    """Add the missing schedules; drop those of sub-districts that no longer exist. Returns how many were
    added. Does nothing before the tables exist (a partial migrate)."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {Schedule._meta.db_table, GridNode._meta.db_table} <= tables:
        return 0
    schedules = Schedule.objects.using(using)
    codes = list(
        GridNode.objects.using(using)
        .filter(level=Level.SUBDISTRICT)
        .order_by("code")
        .values_list("code", "name")
    )
    now = timezone.now()
    added = 0
    for spec in SPECS:
        if spec.postgres_only and connection.vendor != "postgresql":
            continue
        wanted = {f"subdistrict={code!r}": f"{spec.label} · {name}" for code, name in codes}
        if not spec.per_subdistrict:
            wanted = {"": spec.label}
        existing = set(schedules.filter(func=spec.func).values_list("kwargs", flat=True))
        for kwargs, name in wanted.items():
            if kwargs in existing:
                continue
            schedules.create(
                name=name[:100],
                func=spec.func,
                kwargs=kwargs,
                schedule_type=spec.schedule_type,
                next_run=first_run(spec, now),
                repeats=-1,
                intended_date_kwarg="intended",
            )
            added += 1
        if spec.per_subdistrict:
            schedules.filter(func=spec.func).exclude(kwargs__in=list(wanted)).delete()
    return added
