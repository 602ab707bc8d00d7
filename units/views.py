"""The member-unit registry, a unit's page (liaisons, commitments, checks, meetings), joint meetings."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role, User
from grid.access import role_required
from lib.forms import attempt, form_page
from lib.masking import mask_phone
from lib.periods import query_year
from lib.validation import form_pk
from lib.xlsx import xlsx_response
from units.models import CheckResult, Commitment, CommitmentStatus, Meeting, MemberUnit
from units.selectors import registry, units_for
from units.services import (
    attendance_mark,
    commitment_add,
    commitment_update,
    meeting_create,
    unit_check_record,
)

READERS = frozenset({Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY, Role.UNIT_LIAISON})
EDITORS = frozenset({Role.SUBDISTRICT_ADMIN})


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _year(request: HttpRequest) -> int:
    return query_year(request)


@require_http_methods(["GET"])
@role_required(READERS)
def unit_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = units_for(user)
    if user.role == Role.UNIT_LIAISON and units.count() == 1:
        only = units.first()
        assert only is not None
        return redirect("units:detail", code=only.code)
    year = _year(request)
    rows = registry(units, year)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"member-units-{year}.xlsx",
            [
                _("Code"),
                _("Name"),
                _("Kind"),
                _("Commitments"),
                _("Done"),
                _("Meetings"),
                _("Present"),
                _("Last check"),
            ],
            [
                (
                    r.unit.code,
                    r.unit.name,
                    r.unit.get_kind_display(),
                    r.commitments,
                    r.done,
                    r.meetings,
                    r.present,
                    r.last_check.get_result_display() if r.last_check else "—",
                )
                for r in rows
            ],
        )
    return render(
        request, "units/list.html", {"rows": rows, "year": year, "can_edit": user.has_role(EDITORS)}
    )


def _unit(user: User, code: str) -> MemberUnit:
    unit = units_for(user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


@require_http_methods(["GET", "POST"])
@role_required(READERS)
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    unit = _unit(user, code)
    can_edit = user.has_role(EDITORS)
    is_liaison = user.role == Role.UNIT_LIAISON
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")

        def write() -> None:
            if action == "commitment" and (can_edit or is_liaison):
                commitment = get_object_or_404(
                    Commitment, pk=form_pk(request.POST.get("commitment")), unit=unit
                )
                commitment_update(
                    actor=user,
                    commitment=commitment,
                    status=request.POST.get("status", ""),
                    evidence_note=request.POST.get("evidence_note", ""),
                    evidence=request.FILES.get("evidence"),
                )
            elif action == "add_commitment" and (can_edit or is_liaison):
                due = request.POST.get("due") or None
                commitment_add(
                    actor=user,
                    unit=unit,
                    year=int(request.POST.get("year", "") or timezone.localdate().year),
                    title=request.POST.get("title", ""),
                    due=datetime.date.fromisoformat(due) if due else None,
                )
            elif action == "check" and can_edit:
                unit_check_record(
                    actor=user,
                    unit=unit,
                    day=datetime.date.fromisoformat(request.POST.get("day", "")),
                    result=request.POST.get("result", ""),
                    notes=request.POST.get("notes", ""),
                    inspector=request.POST.get("inspector", ""),
                )
            else:
                raise Http404

        _done, error = attempt(write, unreadable=_("Give dates as YYYY-MM-DD and the year as a number."))
        if not error:
            return redirect("units:detail", code=unit.code)
    personal = user.role in (Role.SUBDISTRICT_ADMIN,) or is_liaison
    liaisons = [
        (lia, lia.person.phone if personal else mask_phone(lia.person.phone))
        for lia in unit.liaisons.select_related("person").order_by("-primary", "person__name")
    ]
    context = {
        "unit": unit,
        "liaisons": liaisons,
        "commitments": unit.commitments.order_by("-year", "due", "pk"),
        "checks": unit.checks.order_by("-day")[:20],
        "attendance": unit.attendance.select_related("meeting").order_by("-meeting__day")[:20],
        "statuses": CommitmentStatus.choices,
        "results": CheckResult.choices,
        "can_edit": can_edit,
        "can_update": can_edit or is_liaison,
        "today": timezone.localdate(),
    }
    return form_page(request, "units/detail.html", context, error)


@require_http_methods(["GET", "POST"])
@role_required(EDITORS | frozenset({Role.AREA_LEAD, Role.COMMUNITY_SECRETARY}))
def meetings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.node is None:
        raise Http404
    sd = user.node.subdistrict
    error = ""
    if request.method == "POST":
        if not user.has_role(EDITORS) or sd is None:
            raise Http404
        meeting, error = attempt(
            lambda: meeting_create(
                actor=user,
                subdistrict=sd,
                title=request.POST.get("title", ""),
                day=datetime.date.fromisoformat(request.POST.get("day", "")),
                place=request.POST.get("place", ""),
            ),
            unreadable=_("Give dates as YYYY-MM-DD and the year as a number."),
        )
        if meeting is not None:
            return redirect("units:meeting", pk=meeting.pk)
    context = {
        "meetings": Meeting.objects.filter(subdistrict=sd).prefetch_related("attendance")[:50],
        "can_edit": user.has_role(EDITORS),
        "today": timezone.localdate(),
    }
    return form_page(request, "units/meetings.html", context, error)


@require_http_methods(["GET", "POST"])
@role_required(EDITORS | frozenset({Role.AREA_LEAD, Role.COMMUNITY_SECRETARY}))
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    meeting = get_object_or_404(Meeting, pk=pk, subdistrict_id=user.node.subdistrict_id if user.node else 0)
    if request.method == "POST":
        if not user.has_role(EDITORS):
            raise Http404
        present = set(request.POST.getlist("present"))
        for attendance in meeting.attendance.select_related("unit"):
            attendance_mark(
                actor=user,
                meeting=meeting,
                unit=attendance.unit,
                present=attendance.unit.code in present,
                representative=request.POST.get(f"rep-{attendance.unit.code}", attendance.representative),
            )
        return redirect("units:meeting", pk=meeting.pk)
    # A joint meeting is the sub-district's; its attendance list shows only the units the reader sees.
    rows = list(
        meeting.attendance.filter(unit__in=units_for(user)).select_related("unit").order_by("unit__code")
    )
    return render(
        request,
        "units/meeting.html",
        {
            "meeting": meeting,
            "rows": rows,
            "present": sum(r.present for r in rows),
            "can_edit": user.has_role(EDITORS),
        },
    )
