"""The member-unit registry, a unit's page (liaisons, commitments, checks, meetings), joint meetings."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import Role, User
from accounts.roles import ADMINISTER_SUBDISTRICT, READ_UNITS, UNIT_LIAISON_ONLY
from lib.clock import local_today
from lib.confirm import confirm_first
from lib.forms import attempt, form_page
from lib.masking import mask_phone
from lib.periods import query_year
from lib.uploads import file_response
from lib.validation import form_pk
from lib.xlsx import xlsx_response
from units.models import Attendance, CheckResult, Commitment, CommitmentStatus, Meeting, MemberUnit
from units.selectors import registry, units_for
from units.services import (
    attendance_mark_many,
    attendance_reply,
    attendance_window,
    commitment_add,
    commitment_update,
    liaison_account_link,
    meeting_create,
    unit_check_record,
)


def _back(request: HttpRequest, default: HttpResponse) -> HttpResponse:
    """Forms on the liaison's home page post `next=home` to come back there; anything else stays put."""
    return redirect("accounts:home") if request.POST.get("next") == "home" else default


def _year(request: HttpRequest) -> int:
    return query_year(request)


@require_http_methods(["GET"])
@role_required(READ_UNITS)
def unit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
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
        request,
        "units/list.html",
        {"rows": rows, "year": year, "can_edit": user.has_role(ADMINISTER_SUBDISTRICT)},
    )


def _unit(user: User, code: str) -> MemberUnit:
    unit = units_for(user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


@require_http_methods(["GET", "POST"])
@role_required(READ_UNITS)
def unit_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = _unit(user, code)
    can_edit = user.has_role(ADMINISTER_SUBDISTRICT)
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
                    year=int(request.POST.get("year", "") or local_today().year),
                    title=request.POST.get("title", ""),
                    due=datetime.date.fromisoformat(due) if due else None,
                )
            elif action == "link_liaison" and can_edit:
                account = User.objects.filter(
                    username=request.POST.get("username", "").strip(), role=Role.UNIT_LIAISON
                ).first()
                if account is None:
                    raise ValueError
                liaison_account_link(actor=user, unit=unit, user=account, title=request.POST.get("title", ""))
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

        if action == "link_liaison" and can_edit:
            # Linking gives the account the unit's records (commitments, meetings): asked once more.
            asked = confirm_first(
                request,
                title=_("Link this account to %(unit)s?") % {"unit": unit.name},
                consequences=[
                    _("The account %(name)s will see and update this unit's commitments and meetings.")
                    % {"name": request.POST.get("username", "")}
                ],
                back=reverse("units:detail", args=[unit.code]),
            )
            if asked is not None:
                return asked
        _done, error = attempt(
            write,
            unreadable=_(
                "Give dates as YYYY-MM-DD, the year as a number and an existing liaison account's user name."
            ),
        )
        if not error:
            if action == "commitment":
                messages.success(request, _("Commitment saved."))
            return _back(request, redirect("units:detail", code=unit.code))
    personal = user.role in (Role.SUBDISTRICT_ADMIN,) or is_liaison
    liaisons = [
        (lia, lia.person.phone if personal else mask_phone(lia.person.phone))
        for lia in unit.liaisons.select_related("person__user").order_by("-primary", "person__name")
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
        "today": local_today(),
    }
    return form_page(request, "units/detail.html", context, error)


@require_http_methods(["GET"])
@role_required(READ_UNITS)
def commitment_evidence(request: AuthenticatedHttpRequest, code: str) -> FileResponse:
    """The evidence file of a commitment of a unit the reader may see (units_for: staff their sub-district,
    a liaison their own unit); 404 otherwise or without a file. Photos inline, PDFs as attachments."""
    commitment = Commitment.objects.filter(code=code, unit__in=units_for(request.user)).first()
    if commitment is None or not commitment.evidence:
        raise Http404
    return file_response(commitment.evidence, inline_image=True)


@require_http_methods(["GET", "POST"])
@role_required(READ_UNITS)
def meetings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The sub-district's joint meetings; a liaison sees those their unit is invited to."""
    user = request.user
    if user.node is None:
        raise Http404
    sd = user.node.subdistrict
    error = ""
    if request.method == "POST":
        if not user.has_role(ADMINISTER_SUBDISTRICT) or sd is None:
            raise Http404
        asked = confirm_first(
            request,
            title=_("Call this joint meeting?"),
            consequences=[
                _(
                    "Every active member unit is invited; their liaisons see the invitation on their home page."
                ),
                _("A meeting is not deleted once called."),
            ],
            back=reverse("units:meetings"),
        )
        if asked is not None:
            return asked
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
            return redirect("units:meeting", code=meeting.code)
    listed = Meeting.objects.filter(subdistrict=sd)
    if user.role == Role.UNIT_LIAISON:
        listed = listed.filter(attendance__unit__in=units_for(user)).distinct()
    context = {
        "meetings": listed.prefetch_related("attendance")[:50],
        "can_edit": user.has_role(ADMINISTER_SUBDISTRICT),
        "today": local_today(),
    }
    return form_page(request, "units/meetings.html", context, error)


@require_http_methods(["GET", "POST"])
@role_required(READ_UNITS)
def meeting_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    meeting = get_object_or_404(
        Meeting, code=code, subdistrict_id=user.node.subdistrict_id if user.node else 0
    )
    if request.method == "POST":
        if not user.has_role(ADMINISTER_SUBDISTRICT):
            raise Http404
        came, error = attempt(
            lambda: attendance_mark_many(
                actor=user,
                meeting=meeting,
                present=request.POST.getlist("present"),
                representatives={
                    key[4:]: request.POST.get(key, "") for key in request.POST if key.startswith("rep-")
                },
            )
        )
        if error:
            return form_page(request, "units/meeting.html", _meeting_context(user, meeting), error)
        messages.success(
            request,
            _("Attendance saved: %(n)s of %(total)s units attended.")
            % {"n": came, "total": meeting.attendance.count()},
        )
        return redirect("units:meeting", code=meeting.code)
    context = _meeting_context(user, meeting)  # its rows: the invited units the reader sees
    if user.role == Role.UNIT_LIAISON and not context["rows"]:
        raise Http404  # a liaison sees the meetings their unit is invited to
    return render(request, "units/meeting.html", context)


@require_http_methods(["POST"])
@role_required(UNIT_LIAISON_ONLY)
def attendance_answer(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The liaison confirms or declines their unit's invitation (`attend` = "yes" / "no")."""
    user = request.user
    attendance = get_object_or_404(
        Attendance.objects.select_related("meeting", "unit"), code=code, unit__in=units_for(user)
    )
    answer = request.POST.get("attend")
    if answer not in ("yes", "no"):
        return form_page(
            request,
            "units/meeting.html",
            _meeting_context(user, attendance.meeting),
            _("Answer “will attend” or “cannot attend”."),
        )
    done, error = attempt(
        lambda: attendance_reply(
            actor=user,
            attendance=attendance,
            attend=answer == "yes",
            representative=request.POST.get("representative", ""),
        )
    )
    if error:
        return form_page(request, "units/meeting.html", _meeting_context(user, attendance.meeting), error)
    # Say what was recorded (issue 17): the page shows the reply, with a way to change it, not the buttons.
    if done is not None and done.reply == "confirmed":
        said = _("Reply recorded: %(unit)s will attend “%(meeting)s”.")
    else:
        said = _("Reply recorded: %(unit)s cannot attend “%(meeting)s”.")
    messages.success(request, said % {"unit": attendance.unit.name, "meeting": attendance.meeting.title})
    return _back(request, redirect("units:meeting", code=attendance.meeting.code))


def _meeting_context(user: User, meeting: Meeting) -> dict[str, object]:
    # A joint meeting is the sub-district's; its attendance list shows only the units the reader sees.
    rows = list(
        meeting.attendance.filter(unit__in=units_for(user)).select_related("unit").order_by("unit__code")
    )
    return {
        "meeting": meeting,
        "rows": rows,
        "present": sum(r.present for r in rows),
        # Two different facts: the units' answers before the meeting, and who was recorded there after it.
        "confirmed": sum(r.reply == "confirmed" for r in rows),
        "can_edit": user.has_role(ADMINISTER_SUBDISTRICT),
        # The form only while attendance is recorded (the meeting's day); before it, when it opens.
        "recording": attendance_window(meeting).state(),
        "can_reply": user.role == Role.UNIT_LIAISON and meeting.day >= local_today(),
        "today": local_today(),
    }
