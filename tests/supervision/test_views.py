"""The volunteer's pages: check-in offered only while it is taken, and the open shifts by calendar week."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grid.services.records import person_create
from lib.clock import SHANGHAI
from supervision.models import Shift
from supervision.services import point_create, shift_signup, shifts_generate
from tests.conftest import EVENING, MORNING, Grid, client_for, make_user

WEDNESDAY = datetime.date(2026, 12, 2)
CHECK_IN_BUTTON = '<button class="primary">签到</button>'


def _set_up(grid: Grid, monkeypatch: pytest.MonkeyPatch, at: datetime.datetime):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: at)
    point = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号箱房",
        windows=[(d, *w) for d in range(7) for w in (MORNING, EVENING)],
    )
    shifts_generate(points=[point], start=at.date(), days=14)
    person = person_create(actor=None, node=grid.c1, name="志愿者甲")
    user = make_user("vol_w", "volunteer", grid.c1, person)
    return point, person, client_for(user)


@pytest.mark.django_db
def test_the_point_page_offers_check_in_only_when_it_is_open(
    grid: Grid, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = datetime.datetime.combine(WEDNESDAY, datetime.time(2, 40), tzinfo=SHANGHAI)
    point, person, client = _set_up(grid, monkeypatch, at)
    signup = shift_signup(actor=None, shift=Shift.objects.get(day=WEDNESDAY, start=MORNING[0]), person=person)
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    assert "签到于 06:30 开放" in html and CHECK_IN_BUTTON not in html
    # A forged POST at 02:40 is refused with the same words, and nothing is recorded.
    answer = client.post(f"/supervision/signups/{signup.code}/check-in/", follow=True).content.decode()
    assert "还不能签到：签到于 06:30 开放" in answer
    signup.refresh_from_db()
    assert signup.checked_in_at is None
    monkeypatch.setattr(timezone, "now", lambda: at.replace(hour=6, minute=45))
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    assert "签到于" not in html and CHECK_IN_BUTTON in html


@pytest.mark.django_db
def test_open_shifts_are_listed_by_calendar_week(grid: Grid, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a Wednesday "this week" runs to Sunday and "next week" is Monday to Sunday (not rolling 7 days)."""
    at = datetime.datetime.combine(WEDNESDAY, datetime.time(12), tzinfo=SHANGHAI)
    _point, _person, client = _set_up(grid, monkeypatch, at)
    weeks = client.get("/supervision/").context["open_weeks"]
    (_, this, _, first, last), (_, nxt, _, next_first, next_last) = weeks
    sunday, monday = datetime.date(2026, 12, 6), datetime.date(2026, 12, 7)
    assert (first, last, next_first, next_last) == (WEDNESDAY, sunday, monday, datetime.date(2026, 12, 13))
    assert {s.day for s in this} == {WEDNESDAY + datetime.timedelta(days=n) for n in range(5)}
    assert {s.day for s in nxt} == {monday + datetime.timedelta(days=n) for n in range(7)}
    html = client.get("/supervision/").content.decode()
    assert "12-06 星期日" in html and "12-07 星期一–12-13 星期日" in html
    # On a Sunday, this week is that day alone and next week starts tomorrow.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime.combine(sunday, datetime.time(8), tzinfo=SHANGHAI)
    )
    weeks = client.get("/supervision/").context["open_weeks"]
    assert [(w[3], w[4]) for w in weeks] == [(sunday, sunday), (monday, datetime.date(2026, 12, 13))]
