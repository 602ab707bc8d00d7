"""The roster of one window (shift) for staff: who is signed up, and signing someone up for it — where the
secretary's "unstaffed windows" on the home page lead."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role, User
from grid.access import Scope, role_required
from grid.models import Person
from lib.forms import attempt, form_page
from lib.masking import mask_phone
from lib.validation import form_pk
from supervision.ingest import points_for
from supervision.models import Shift, ShiftSignup
from supervision.selectors import ACTIVE
from supervision.services import shift_is_over, shift_signup

ROSTER_STAFF = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY})
REGULARS_DAYS = 90  # people who stood at this residential area's points lately are suggested first


def _shift_for(user: User, pk: int) -> Shift:
    shift = Shift.objects.filter(pk=pk, point__in=points_for(user)).select_related("point__community").first()
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
    return list(people.order_by("name", "pk")[:20])


@require_http_methods(["GET", "POST"])
@role_required(ROSTER_STAFF)
def shift_roster(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    shift = _shift_for(user, pk)
    error = ""
    if request.method == "POST":

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
            return redirect("supervision:shift_roster", pk=shift.pk)
    signups = list(shift.signups.filter(status__in=ACTIVE).select_related("person").order_by("person__name"))
    q = request.GET.get("q", "").strip()[:50]
    taken = {s.person_id for s in signups}
    context = {
        "shift": shift,
        "signups": [(s, mask_phone(s.person.phone)) for s in signups],
        "missing": max(0, shift.needed - len(signups)),
        "over": shift_is_over(shift),
        "candidates": [(p, mask_phone(p.phone)) for p in _candidates(user, shift, q) if p.pk not in taken],
        "q": q,
    }
    return form_page(request, "supervision/roster.html", context, error)
