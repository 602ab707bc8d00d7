"""When attendance is taken: the one window rule for an activity's check-in and a joint meeting's attendance.

Something held at hours (an activity: starts_at … ends_at) takes attendance from an hour before its start
until half an hour after its end (people check in at the door). Something held on a day without hours (a
joint meeting) takes it from 00:00 of that day, Shanghai time, on: never before it took place, and afterwards
from the paper sign-in sheet whenever the sub-district gets to it. The services refuse a record outside the window; the pages ask the
same window whether to offer the form, and say when it opens instead of a form that would fail.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from lib.clock import SHANGHAI

OPENS_BEFORE = datetime.timedelta(minutes=60)  # check-in opens an hour before the start …
CLOSES_AFTER = datetime.timedelta(minutes=30)  # … and closes half an hour after the end

BEFORE, OPEN, CLOSED = "before", "open", "closed"


@dataclass(frozen=True)
class Window:
    opens: datetime.datetime
    closes: datetime.datetime | None  # None: stays open once opened

    def state(self, now: datetime.datetime | None = None) -> str:
        """ "before" (not open yet), "open", or "closed"."""
        now = now or timezone.now()
        if now < self.opens:
            return BEFORE
        return OPEN if self.closes is None or now <= self.closes else CLOSED

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        return self.state(now) == OPEN


def window(starts_at: datetime.datetime, ends_at: datetime.datetime) -> Window:
    """The attendance window of something held from `starts_at` to `ends_at`."""
    return Window(opens=starts_at - OPENS_BEFORE, closes=ends_at + CLOSES_AFTER)


def day_window(day: datetime.date) -> Window:
    """The attendance window of something held on `day` without hours: from that day on, Shanghai time."""
    return Window(opens=datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI), closes=None)
