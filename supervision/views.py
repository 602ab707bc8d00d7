"""Volunteers' pages (shifts, check-in, the offline recorder) and the numbers for staff."""

from __future__ import annotations

import datetime
import json
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from accounts.models import COVERAGE_READERS, Role, User
from grid.access import get_node_for_user, home_node, role_required
from grid.models import Person
from supervision.ingest import RECORDERS, SHANGHAI, points_for
from supervision.models import DropOffPoint, PurityLevel, Shift, ShiftSignup
from supervision.selectors import (
    by_household_group,
    by_point,
    gaps,
    my_signups,
    numbers_by_child,
    repeat_offenders,
    trend,
    weekly,
)
from supervision.services import (
    purity_checks_record,
    shift_check_in,
    shift_check_out,
    shift_signup,
    shift_swap,
)

SECRETARIES = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY})


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _today() -> datetime.date:
    return timezone.now().astimezone(SHANGHAI).date()


def _point_for_user(user: User, code: str) -> DropOffPoint:
    point = points_for(user).filter(code=code).select_related("community").first()
    if point is None:
        raise Http404
    return point


@require_GET
@role_required(RECORDERS)
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = _today()
    points = list(points_for(user).order_by("code")[:50])
    mine = my_signups(user.person_id, today) if user.person_id else []
    taken = {s.shift_id for s in mine}
    open_shifts = [
        s
        for s in Shift.objects.filter(
            point__in=points, day__gte=today, day__lt=today + datetime.timedelta(days=7)
        )
        .select_related("point")
        .order_by("day", "start", "point__code")[:60]
        if s.pk not in taken
    ]
    context = {
        "points": points,
        "mine": mine,
        "open_shifts": open_shifts,
        "today": today,
        "has_person": bool(user.person_id),
    }
    if user.has_role(SECRETARIES):
        node = home_node(user)
        context["gaps"] = gaps(node, today + datetime.timedelta(days=1))
        context["node"] = node
    return render(request, "supervision/home.html", context)


@require_POST
@role_required(RECORDERS)
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    shift = get_object_or_404(Shift, pk=pk, point__in=points_for(user))
    if user.person is None:
        messages.error(request, _("Your account is not linked to a person on the grid."))
    else:
        shift_signup(actor=user, shift=shift, person=user.person)
        messages.success(request, _("Signed up."))
    return redirect("supervision:home")


@require_POST
@role_required(RECORDERS)
def swap(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand one of my shifts to someone of the same residential area, found by phone number."""
    user = _user(request)
    signup_obj = get_object_or_404(
        ShiftSignup.objects.select_related("shift__point__community"), pk=pk, person_id=user.person_id
    )
    community = signup_obj.shift.point.community
    phone = request.POST.get("phone", "").strip()[:20]
    to = (
        Person.objects.filter(node__path__startswith=community.path, phone=phone)
        .exclude(pk=user.person_id or 0)
        .first()
        if phone
        else None
    )
    if to is None:
        messages.error(request, _("Nobody with that phone number in this residential area."))
    else:
        try:
            shift_swap(actor=user, signup=signup_obj, to=to)
            messages.success(request, _("Shift handed to %(name)s.") % {"name": to.name})
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    return redirect("supervision:home")


@require_POST
@role_required(RECORDERS)
def check(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    signup_obj = get_object_or_404(ShiftSignup, pk=pk, person_id=user.person_id)
    try:
        if action == "in":
            shift_check_in(actor=user, signup=signup_obj)
        else:
            shift_check_out(actor=user, signup=signup_obj)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("supervision:point_detail", code=signup_obj.shift.point.code)


@require_GET
@role_required(RECORDERS)
def point_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    point = _point_for_user(user, code)
    today = _today()
    shifts = list(Shift.objects.filter(point=point, day=today).order_by("start"))
    mine = (
        {s.shift_id: s for s in ShiftSignup.objects.filter(shift__in=shifts, person_id=user.person_id)}
        if user.person_id
        else {}
    )
    return render(
        request,
        "supervision/point.html",
        {
            "point": point,
            "shifts": [(s, mine.get(s.pk)) for s in shifts],
            "bins": point.bins.all(),
            "windows": point.windows.filter(holiday=False).order_by("weekday", "start"),
            "levels": PurityLevel.choices,
            "form_id": uuid.uuid4(),
        },
    )


@require_POST
@role_required(RECORDERS)
def purity(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    point = _point_for_user(user, code)
    try:
        form_id = uuid.UUID(request.POST.get("form_id", ""))
    except ValueError:
        form_id = uuid.uuid4()
    levels = {
        key.removeprefix("level_"): request.POST.get(key, "")
        for key in request.POST
        if key.startswith("level_")
    }
    saved = purity_checks_record(
        actor=user, point=point, levels=levels, notes=request.POST.get("notes", ""), form_id=form_id
    )
    messages.success(request, _("Purity check saved for %(n)d bins.") % {"n": saved})
    return redirect("supervision:point_detail", code=point.code)


@require_GET
@ensure_csrf_cookie
@role_required(RECORDERS)
def record(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    point = _point_for_user(user, code)
    households = sorted(point.households.values_list("code", flat=True))
    return render(
        request,
        "supervision/record.html",
        {"point": point, "households": households, "bins": point.bins.all()},
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = [static("css/app.css"), static("supervision/recorder.js"), static("vendor/htmx/htmx.min.js")]
    response = render(
        request,
        "supervision/sw.js",
        {"assets": json.dumps(assets), "version": "1"},
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = reverse("supervision:home")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@role_required(COVERAGE_READERS)
def numbers(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    node = get_node_for_user(user, code)
    try:
        days = max(1, min(366, int(request.GET.get("days", "30"))))
    except ValueError:
        days = 30
    end = _today()
    start = end - datetime.timedelta(days=days - 1)
    rows = numbers_by_child(node, start, end)
    return render(
        request,
        "supervision/numbers.html",
        {
            "node": node,
            "rows": rows,
            "trend": trend(node, start, end),
            "weeks": weekly(node, start, end),
            "days": days,
            "points": by_point(node, start, end) if node.level == "community" else [],
            "microgrids": by_household_group(node, start, end, "microgrid")
            if node.level == "community"
            else [],
            "workers": by_household_group(node, start, end, "worker") if node.level == "community" else [],
            "offenders": repeat_offenders(node, since=start)
            if user.has_role(SECRETARIES | {Role.AREA_LEAD})
            else [],
        },
    )
