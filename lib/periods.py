"""Assessment and report periods: a month (`2026-11`), a quarter (`2026-Q4`) or a year (`2026`).

The one parser for periods, years, days and spans typed by people (query strings, forms, the API): every
year lies in MIN_YEAR..next year, so `9999-12` or `0001-01` is refused here instead of overflowing a date
computation deeper down.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Container
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from lib.bilingual import Msg
from lib.clock import local_today

# ASCII digits only: \d also matches "２０２６" or "٢٠٢٦", which the API's documented patterns refuse.
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
MIN_YEAR = 2000  # the product's data starts long after; earlier years are typos
MIN_DAY = datetime.date(MIN_YEAR, 1, 1)
# Graded and reported periods must have begun: Period.parse accepts next year (targets and plans are set
# ahead), but a report or an assessment of 2027-01 would grade months nobody has lived yet.
NOT_BEGUN = Msg(
    "该期间尚未开始，无法考核或生成报表。",
    "This period has not begun yet: it cannot be assessed or reported.",
)


def max_year() -> int:
    """The last year anyone may name: next year (plans and targets are set a year ahead)."""
    return local_today().year + 1


def max_day(ahead: int = 366) -> datetime.date:
    return local_today() + datetime.timedelta(days=ahead)


def last_whole_day(today: datetime.date | None = None) -> datetime.date:
    """The last day a page, a report or an assessment counts: yesterday ("截至昨天"). Today is not over, so
    counting it would move figures during the day and make pages disagree."""
    return (today or local_today()) - datetime.timedelta(days=1)


def last_whole_period(kind: str = "month", today: datetime.date | None = None) -> Period:
    """The period a page shows by default: the `kind` period holding `last_whole_day`, the last one with
    whole data. The current month up to yesterday when it has past days, the previous month on the 1st (a
    month that began today has nothing to show yet)."""
    return Period.containing(kind, last_whole_day(today))


def last_days(days: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """ "The last N days" on every page (numbers, dashboard): N whole days ending with `last_whole_day`."""
    end = last_whole_day(today)
    return end - datetime.timedelta(days=days - 1), end


def year_ok(year: int) -> bool:
    return MIN_YEAR <= year <= max_year()


def _month_end(year: int, month: int) -> datetime.date:
    first_next = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    start: datetime.date
    end: datetime.date

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.kind == "quarter":
            return _("%(year)d Q%(q)d") % {"year": self.start.year, "q": (self.start.month - 1) // 3 + 1}
        return _("%(year)d (year)") % {"year": self.start.year}

    def begun(self, today: datetime.date | None = None) -> bool:
        """Whether the period's first day has come (today: the local date)."""
        return self.start <= (today or local_today())

    def days_until(self, today: datetime.date) -> int:
        """Days of the period that have begun by `today` (a running month counts only its past days)."""
        last = min(self.end, today)
        return max(0, (last - self.start).days + 1)

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - datetime.timedelta(days=1))

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> Period:
        if kind == "month":
            return cls("month", day.replace(day=1), _month_end(day.year, day.month))
        if kind == "quarter":
            first = (day.month - 1) // 3 * 3 + 1
            return cls("quarter", datetime.date(day.year, first, 1), _month_end(day.year, first + 2))
        if kind == "year":
            return cls("year", datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))
        raise ValueError(kind)

    @classmethod
    def parse(cls, key: str) -> Period:
        """`2026-11`, `2026-Q4` or `2026`, the year within MIN_YEAR..max_year(); ValueError otherwise."""
        key = key.strip()
        if m := _MONTH.match(key):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12 or not year_ok(year):
                raise ValueError(key)
            return cls.containing("month", datetime.date(year, month, 1))
        if m := _QUARTER.match(key):
            if not year_ok(int(m[1])):
                raise ValueError(key)
            return cls.containing("quarter", datetime.date(int(m[1]), int(m[2]) * 3 - 2, 1))
        if m := _YEAR.match(key):
            if not year_ok(int(m[1])):
                raise ValueError(key)
            return cls.containing("year", datetime.date(int(m[1]), 1, 1))
        raise ValueError(key)


def parse_begun(key: str, today: datetime.date | None = None) -> Period:
    """Period.parse, and the period must have begun by `today` (see NOT_BEGUN); ValueError otherwise."""
    period = Period.parse(key)
    if not period.begun(today):
        raise ValueError(key)
    return period


# Query-string readers for pages: a missing, malformed or out-of-range value falls back to the page's
# default (the current month, year, …), the way a page treats a stale bookmark; never an exception.


def query_period(
    request: HttpRequest, default_kind: str = "month", name: str = "period", *, whole: bool = False
) -> Period:
    """`?period=` as Period.parse reads it; else the `default_kind` period containing today, or with
    `whole=True` (pages that count whole days: the assessment) the last one with whole data
    (`last_whole_period`)."""
    try:
        return Period.parse(request.GET.get(name, ""))
    except ValueError:
        return last_whole_period(default_kind) if whole else Period.containing(default_kind, local_today())


def query_month(request: HttpRequest, name: str = "month", *, whole: bool = False) -> Period:
    """`?month=YYYY-MM` (a longer date is cut to its month); else the current month, or with `whole=True`
    (pages that count whole days, as `query_period`) the last month with whole data (`last_whole_period`)."""
    default = last_whole_period("month") if whole else Period.containing("month", local_today())
    try:
        period = Period.parse(request.GET.get(name, "")[:7])
    except ValueError:
        return default
    return period if period.kind == "month" else default


def parse_year(raw: str) -> int:
    """A year typed as digits within MIN_YEAR..max_year(); ValueError otherwise."""
    raw = raw.strip()
    if not _YEAR.match(raw) or not year_ok(int(raw)):
        raise ValueError(raw)
    return int(raw)


def query_year(request: HttpRequest, name: str = "year") -> int:
    """`?year=` (or the same field of a form post); else the current year."""
    try:
        return parse_year(request.GET.get(name, "") or request.POST.get(name, ""))
    except ValueError:
        return local_today().year


def query_days(request: HttpRequest, options: Container[int], default: int, name: str = "days") -> int:
    """`?days=` when it is one of the spans the page offers; else `default`."""
    raw = request.GET.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 5 and int(raw) in options else default


def parse_day(raw: str) -> datetime.date:
    """An ISO date (YYYY-MM-DD) within MIN_DAY..a year from today; ValueError otherwise."""
    day = datetime.date.fromisoformat(raw.strip())
    if not MIN_DAY <= day <= max_day():
        raise ValueError(raw)
    return day
