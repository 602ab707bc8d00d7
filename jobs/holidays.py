"""Statutory holidays for the opening windows, from chinese-calendar (the State Council's yearly notice, kept
up to date on PyPI). supervision.Holiday stays the table the windows read; staff edit it in the admin."""

from __future__ import annotations

import chinese_calendar
from django.db import transaction

from jobs.models import HolidayYear
from supervision.models import Holiday

NAMES = {
    chinese_calendar.Holiday.new_years_day.value: "元旦",
    chinese_calendar.Holiday.spring_festival.value: "春节",
    chinese_calendar.Holiday.tomb_sweeping_day.value: "清明节",
    chinese_calendar.Holiday.labour_day.value: "劳动节",
    chinese_calendar.Holiday.dragon_boat_festival.value: "端午节",
    chinese_calendar.Holiday.national_day.value: "国庆节",
    chinese_calendar.Holiday.mid_autumn_festival.value: "中秋节",
}


@transaction.atomic
def holidays_load(*, year: int) -> int | None:
    """Copy `year`'s statutory holidays into Holiday, once: None when the year was copied before or the
    calendar has no data for it yet (it is published each November; a newer chinese-calendar brings it).
    Staff entries win: a day already in the table is left as it is, and a day staff delete after the copy
    is not brought back. Adjusted working days (调休上班: weekend days worked in exchange) are copied too,
    as `workday` rows opening like a Monday (staff may pick another weekday in the admin); only those on a
    weekend are kept (a weekday worked changes nothing)."""
    if HolidayYear.objects.filter(year=year).exists():
        return None
    days = {day: name for day, name in chinese_calendar.holidays.items() if day.year == year}
    workdays = {
        day: name
        for day, name in chinese_calendar.workdays.items()
        if day.year == year and day.weekday() >= 5
    }
    if not days:
        return None
    taken = set(Holiday.objects.filter(day__in=days.keys() | workdays.keys()).values_list("day", flat=True))
    new = [Holiday(day=d, name=NAMES.get(n, n)[:40]) for d, n in sorted(days.items()) if d not in taken]
    new += [
        Holiday(day=d, name=(NAMES.get(n, n) + "调休上班")[:40], workday=True, opens_like=0)
        for d, n in sorted(workdays.items())
        if d not in taken
    ]
    Holiday.objects.bulk_create(new)
    HolidayYear.objects.create(year=year, days=len(new))
    return len(new)
