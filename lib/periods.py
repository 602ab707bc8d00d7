"""Assessment and report periods: a month (`2026-11`), a quarter (`2026-Q4`) or a year (`2026`)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


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
        """`2026-11`, `2026-Q4` or `2026`; ValueError otherwise."""
        key = key.strip()
        if m := _MONTH.match(key):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12 or year < 2000:
                raise ValueError(key)
            return cls.containing("month", datetime.date(year, month, 1))
        if m := _QUARTER.match(key):
            if int(m[1]) < 2000:
                raise ValueError(key)
            return cls.containing("quarter", datetime.date(int(m[1]), int(m[2]) * 3 - 2, 1))
        if m := _YEAR.match(key):
            if int(m[1]) < 2000:
                raise ValueError(key)
            return cls.containing("year", datetime.date(int(m[1]), 1, 1))
        raise ValueError(key)
