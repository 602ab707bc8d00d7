"""Check-in and check-out keep to the shift's window: check-in opens CHECK_IN_OPENS_BEFORE the window starts
and closes when it ends; the minutes credited are those of [check-in, check-out] inside the window."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from grid.services.records import person_create
from lib.clock import SHANGHAI
from supervision.models import Shift, ShiftSignup
from supervision.services import (
    CHECK_IN_OPENS_BEFORE,
    check_in_open,
    point_create,
    shift_check_in,
    shift_check_out,
    shift_signup,
    shifts_generate,
)
from tests.conftest import MORNING, Grid


@pytest.fixture
def morning(grid: Grid) -> Any:
    """A sign-up for today's 07:00–09:00 shift, and a way to set the clock to a Shanghai time today."""
    today = datetime.date(2026, 12, 1)
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房", windows=[(1, *MORNING)])
    shifts_generate(points=[point], start=today, days=1)
    person = person_create(actor=None, node=grid.c1, name="志愿者甲")
    signup = shift_signup(actor=None, shift=Shift.objects.get(day=today), person=person)
    return signup


def _at(signup: ShiftSignup, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(signup.shift.day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def _clock(monkeypatch: pytest.MonkeyPatch, at: datetime.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: at)


@pytest.mark.django_db
def test_it_refuses_a_check_in_long_before_the_window_and_says_when_it_opens(
    morning: ShiftSignup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock(monkeypatch, _at(morning, 2, 40))  # the newcomer's 02:40 for a 07:00 shift
    with translation.override("zh-hans"), pytest.raises(ValidationError) as zh:
        shift_check_in(actor=None, signup=morning)
    assert "签到于 06:30 开放" in zh.value.messages[0]
    with translation.override("en"), pytest.raises(ValidationError) as en:
        shift_check_in(actor=None, signup=morning)
    assert "opens at 06:30" in en.value.messages[0]
    assert ShiftSignup.objects.get(pk=morning.pk).checked_in_at is None


@pytest.mark.django_db
def test_check_in_opens_a_short_time_before_the_window_and_closes_at_its_end(
    morning: ShiftSignup, monkeypatch: pytest.MonkeyPatch
) -> None:
    opens = _at(morning, 7) - CHECK_IN_OPENS_BEFORE
    assert not check_in_open(morning.shift, opens - datetime.timedelta(seconds=1))
    assert check_in_open(morning.shift, opens)
    assert not check_in_open(morning.shift, _at(morning, 9))
    _clock(monkeypatch, _at(morning, 9, 1))
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="已于 09:00 结束"):
        shift_check_in(actor=None, signup=morning)
    _clock(monkeypatch, opens)
    assert shift_check_in(actor=None, signup=morning).checked_in_at == opens


@pytest.mark.django_db
def test_minutes_are_only_those_inside_the_window(
    morning: ShiftSignup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock(monkeypatch, _at(morning, 6, 40))  # early: the 20 minutes before 07:00 are not duty
    shift_check_in(actor=None, signup=morning)
    _clock(monkeypatch, _at(morning, 23, 50))  # checked out at night: credited up to 09:00
    assert shift_check_out(actor=None, signup=morning).minutes == 120


@pytest.mark.django_db
def test_an_immediate_check_out_credits_nothing_before_the_window(
    morning: ShiftSignup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock(monkeypatch, _at(morning, 6, 35))
    shift_check_in(actor=None, signup=morning)
    _clock(monkeypatch, _at(morning, 6, 50))
    assert shift_check_out(actor=None, signup=morning).minutes == 0


@pytest.mark.django_db
def test_a_past_shift_can_still_be_corrected_with_the_real_times(
    morning: ShiftSignup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's `at` (the system, or a secretary of the area) records a past shift's real times: they
    must lie in the window's opening, and never in the future."""
    _clock(monkeypatch, _at(morning, 15))
    with pytest.raises(ValidationError):
        shift_check_in(actor=None, signup=morning, at=_at(morning, 2, 40))
    with pytest.raises(ValidationError):
        shift_check_in(actor=None, signup=morning, at=_at(morning, 16))
    shift_check_in(actor=None, signup=morning, at=_at(morning, 7, 5))
    with pytest.raises(ValidationError):
        shift_check_out(actor=None, signup=morning, at=_at(morning, 7))  # before the check-in
    assert shift_check_out(actor=None, signup=morning, at=_at(morning, 8, 50)).minutes == 105
