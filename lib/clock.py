"""The city's clock: "now", "today" and "the day of a timestamp" in Shanghai time, named once.

Every reader asks here instead of `timezone.localdate()` or `….astimezone(SHANGHAI).date()`. The functions
read `django.utils.timezone.now` at call time, so tests that freeze it (`monkeypatch.setattr(timezone, "now",
…)`, the `noon` fixture) freeze these too.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_now() -> datetime.datetime:
    """Now, as a Shanghai wall-clock (aware) datetime."""
    return timezone.now().astimezone(SHANGHAI)


def local_today() -> datetime.date:
    """Today in Shanghai."""
    return local_now().date()


def local_time(at: datetime.datetime) -> datetime.datetime:
    """A stored (aware, UTC) timestamp as Shanghai wall-clock time: what a page or a file shows as its time."""
    return at.astimezone(SHANGHAI)


def local_day(at: datetime.datetime) -> datetime.date:
    """The Shanghai calendar day a given (aware) timestamp falls on."""
    return at.astimezone(SHANGHAI).date()
