"""Template helpers for the duty roster: weekday names for opening windows, today's shift of a user and the
hand-over offers waiting for them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import RECORD_SORTING
from lib.clock import local_today
from supervision.models import OfferStatus, ShiftOffer, ShiftSignup, SignupStatus
from supervision.selectors import is_full
from supervision.services import shift_is_over

register = template.Library()


@register.filter
def full(shift: Any) -> bool:
    """Whether a shift annotated with `people` (selectors.with_people) is full (`selectors.is_full`): the
    lists say so instead of offering "sign up", which the service would refuse."""
    return is_full(shift.people, shift.needed)


@register.filter
def weekday_name(weekday: Any) -> str:
    """0 … 6 (Monday first, as `OpeningWindow.weekday` and `date.weekday()`) → the weekday's name in the
    active language (星期一 … / Monday …, Django's own catalogue); anything else is shown as it is."""
    try:
        return str(WEEKDAYS[int(weekday)])
    except (KeyError, TypeError, ValueError):
        return str(weekday)


@register.filter
def grouped_hours(windows: Any) -> list[tuple[str, list[str]]]:
    """Opening windows (weekday, start, end) as lines of days that share the same hours, consecutive days run
    together: [("星期一至星期五", ["07:00–09:00", "18:30–20:30"]), ("星期六", …)] — 14 lines of a point's
    week read as two or three."""
    by_day: dict[int, list[str]] = {}
    for w in sorted(windows, key=lambda w: (w.weekday, w.start)):
        # Word joiners: a window never breaks at its dash on a phone ("18:30–" / "20:30").
        by_day.setdefault(int(w.weekday), []).append(f"{w.start:%H:%M}\u2060–\u2060{w.end:%H:%M}")
    runs: list[tuple[int, int, list[str]]] = []  # (first day, last day, hours)
    for day in sorted(by_day):
        hours = by_day[day]
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], day, hours)
        else:
            runs.append((day, day, hours))
    return [
        (
            weekday_name(first)
            if first == last
            else _("%(first)s to %(last)s") % {"first": weekday_name(first), "last": weekday_name(last)},
            hours,
        )
        for first, last, hours in runs
    ]


@register.filter
def listed(items: Any) -> str:
    """Items in a line, joined the way the page's language lists them: "07:00–09:00、18:30–20:30" in Chinese,
    "07:00–09:00, 18:30–20:30" in English."""
    sep = "、" if (get_language() or "").lower().startswith("zh") else ", "
    return sep.join(str(i) for i in items)


@register.filter
def shift_over(shift: Any) -> bool:
    """`services.shift_is_over` for templates: a sign-up of a shift that ended is named as one to check
    out of, never as today's shift to go to."""
    return shift_is_over(shift)


@register.simple_tag
def todays_signup(user: Any) -> ShiftSignup | None:
    """The user's sign-up for today (Shanghai) to link from the home page as "today's shift": the first one
    not over yet, or one checked in and not yet checked out (its check-out is still to do). None without a
    linked person, a role that may open the point page (accounts.roles.RECORD_SORTING), or such a sign-up:
    a shift that ended is not offered as today's shift to go to (the roster page lists it as over)."""
    person_id = getattr(user, "person_id", None)
    if not person_id or not user.has_role(RECORD_SORTING):
        return None
    today = local_today()
    signups = list(
        ShiftSignup.objects.filter(
            person_id=person_id,
            shift__day=today,
            status__in=(SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED),
        )
        .select_related("shift__point")
        .order_by("shift__start")
    )
    now = timezone.now()
    return next(
        (s for s in signups if not shift_is_over(s.shift, now) or (s.checked_in_at and not s.checked_out_at)),
        None,
    )


@register.simple_tag
def offers_to_me(user: Any) -> list[tuple[ShiftOffer, str]]:
    """Open hand-over offers made to the user's person, soonest shift first, with the offering person's name
    in full (a colleague of the same roster asking them: supervision.handover): [(offer, name)]; [] without
    a linked person or a role that may open the offer page (accounts.roles.RECORD_SORTING). Shifts already
    over are left out."""
    person_id = getattr(user, "person_id", None)
    if not person_id or not user.has_role(RECORD_SORTING):
        return []
    offers = (
        ShiftOffer.objects.filter(to_person_id=person_id, status=OfferStatus.PENDING)
        .select_related("signup__shift__point", "signup__person")
        .order_by("signup__shift__day", "signup__shift__start")
    )
    now = timezone.now()
    return [(o, o.signup.person.name) for o in offers if not shift_is_over(o.signup.shift, now)]
