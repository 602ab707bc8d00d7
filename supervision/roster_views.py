"""The roster of one window (shift) for staff: who is signed up, signing someone up for it and withdrawing a
sign-up staff made — where the secretary's "understaffed windows" on the home page lead; and the list of
understaffed windows of a part of the grid, where the area lead's and admin's decisions lead (issue 17)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import Role, User
from accounts.roles import MANAGE_AREA, READ_COVERAGE
from grid.models import Person
from grid.presenters import person_phone
from grid.scope import OUT_OF_SCOPE, Scope, get_node_for_user
from lib.clock import local_today
from lib.forms import attempt, form_page
from lib.validation import form_pk
from supervision.models import Shift, ShiftSignup, SignupStatus
from supervision.selectors import ACTIVE, gaps, missed, point_shifts, shifts_for
from supervision.services import shift_is_over, shift_signup, shift_signup_withdraw

# The area lead reads the rosters of their area (where "understaffed tomorrow" leads) but signs nobody up.
REGULARS_DAYS = 90  # people who stood at this residential area's points lately are suggested first


def _shift_for(user: User, code: str) -> Shift:
    shift = shifts_for(user).filter(code=code).select_related("point__community").first()
    if shift is None:
        raise Http404
    return shift


def _candidates(user: User, shift: Shift, q: str) -> list[Person]:
    """People of the window's residential area the staff member sees: found by name or phone (`q`), or else
    the regulars (signed up at this area's points in the last 90 days, or with a volunteer login)."""
    community = shift.point.community
    people = Scope.of(user).filter(
        Person.objects.filter(subdistrict_id=shift.subdistrict_id, node__path__startswith=community.path),
        "node",
    )
    if q:
        people = people.filter(Q(name__icontains=q) | Q(phone__endswith=q))
    else:
        since = shift.day - datetime.timedelta(days=REGULARS_DAYS)
        people = people.filter(
            Q(shift_signups__shift__point__community=community, shift_signups__shift__day__gte=since)
            | Q(user__role=Role.VOLUNTEER)
        ).distinct()
    return list(people.select_related("node").order_by("name", "pk")[:20])


def _withdraw(request: HttpRequest, user: User, shift: Shift) -> str:
    """Withdraw the sign-up named in the form (one of this window's); the error message, or "" when done."""

    def write() -> ShiftSignup:
        signup = shift.signups.filter(pk=form_pk(request.POST.get("signup"))).select_related("person").first()
        if signup is None:
            raise ValueError
        return shift_signup_withdraw(actor=user, signup=signup)

    done, error = attempt(write, unreadable=_("Choose a sign-up from the list."))
    if isinstance(done, ShiftSignup):
        messages.success(request, _("%(name)s's sign-up is withdrawn.") % {"name": done.person.name})
    return error


@require_http_methods(["GET", "POST"])
@role_required(READ_COVERAGE)
def shift_roster(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    shift = _shift_for(user, code)
    can_edit = user.has_role(MANAGE_AREA)
    error = ""
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(str(OUT_OF_SCOPE))
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        error = _withdraw(request, user, shift)
        if not error:
            return redirect("supervision:shift_roster", code=shift.code)
    elif request.method == "POST":

        def write() -> ShiftSignup:
            person = Person.objects.filter(pk=form_pk(request.POST.get("person"))).first()
            if person is None:
                raise ValueError
            return shift_signup(actor=user, shift=shift, person=person, assigned=True)

        done, error = attempt(write, unreadable=_("Choose a person from the list."))
        if not error:
            # Say so: the list reloads and the person only moves between tables otherwise (issue 17).
            name = done.person.name if isinstance(done, ShiftSignup) else ""
            messages.success(request, _("%(name)s is signed up for this window.") % {"name": name})
            return redirect("supervision:shift_roster", code=shift.code)
    signups = list(
        shift.signups.filter(status__in=ACTIVE).select_related("person__node").order_by("person__name")
    )
    q = request.GET.get("q", "").strip()[:50]
    taken = {s.person_id for s in signups}
    # A sign-up staff made can be withdrawn until the window starts (the service checks it again).
    started = timezone.now() >= shift.starts_at
    # "Understaffed windows" leads back to the reader's own level (an area lead's area, a sub-district's
    # admin's sub-district), not down to the residential area they never opened.
    community = shift.point.community
    own = user.node
    back = (
        own
        if own is not None and own.level != "microgrid" and community.path.startswith(own.path)
        else community
    )
    context = {
        "shift": shift,
        "understaffed_code": back.code,
        "signups": [
            # Phones in full for those who arrange people (to call them), masked for the others.
            (s, person_phone(s.person, user), can_edit and not started and s.status == SignupStatus.ASSIGNED)
            for s in signups
        ],
        "missing": max(0, shift.needed - len(signups)),
        "over": shift_is_over(shift),
        "can_edit": can_edit,
        "candidates": [(p, person_phone(p, user)) for p in _candidates(user, shift, q) if p.pk not in taken]
        if can_edit
        else [],
        "q": q,
        # The point's other windows this week, each to its roster (not only the one "understaffed" led to).
        "siblings": point_shifts(user, shift),
    }
    return form_page(request, "supervision/roster.html", context, error)


@require_GET
@role_required(READ_COVERAGE)
def understaffed(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Today's and tomorrow's understaffed windows (fewer people than needed, `gaps`) of a part of the grid the
    reader sees, each leading to its roster: where "understaffed windows tomorrow" on the home pages leads."""
    user = request.user
    node = get_node_for_user(user, code)
    today = local_today()
    only = request.GET.get("day", "")  # ?day=tomorrow: the part a home page's figure counts
    days = [
        # Today's windows that are over are not to staff any more, so they are not listed as understaffed; those
        # that ended with nobody checked in are listed apart as missed (未到岗), and the "all staffed" line speaks
        # only of the windows still ahead, never of ended ones.
        (
            _("Today"),
            "today",
            [s for s in gaps(node, today) if not shift_is_over(s)],
            missed(node, today, timezone.now()),
            _("The rest of today's windows are staffed."),
        ),
        (
            _("Tomorrow"),
            "tomorrow",
            gaps(node, today + datetime.timedelta(days=1)),
            [],
            _("Every window is staffed."),
        ),
    ]
    if only in ("today", "tomorrow"):
        days = [d for d in days if d[1] == only]
    return render(
        request,
        "supervision/understaffed.html",
        {
            "node": node,
            "days": days,
            "can_edit": user.has_role(MANAGE_AREA),
            "only": only in ("today", "tomorrow"),
        },
    )
