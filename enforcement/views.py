"""Cases: the secretary's list and steps, the officer's referred cases and decisions, the notice PDF."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role, User
from enforcement.models import Article, CaseSource, CaseStatus, Subject, Tier
from enforcement.notice import notice_pdf
from enforcement.services import (
    NEXT,
    case_decide,
    case_open,
    case_records,
    case_step,
    case_void_last_step,
    cases_visible_to,
    repeat_cases_propose,
)
from grid.access import home_node, role_required
from grid.models import GridNode, Household, Level
from lib.masking import mask_room
from lib.validation import form_pk
from supervision.models import ObservationPhoto

CASE_READERS = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY, Role.ENFORCEMENT_OFFICER}
)
CASE_WORKERS = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY})


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _case(user: User, code: str):  # type: ignore[no-untyped-def]
    case = cases_visible_to(user).filter(code=code).first()
    if case is None:
        raise Http404
    return case


@require_GET
@role_required(CASE_READERS)
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cases = cases_visible_to(user).order_by("-created_at")[:200]
    return render(
        request, "enforcement/case_list.html", {"cases": cases, "can_work": user.has_role(CASE_WORKERS)}
    )


@require_POST
@role_required(CASE_WORKERS)
def propose(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    node = home_node(user)
    created = repeat_cases_propose(
        subdistrict=node.subdistrict or node, node=node, today=timezone.localdate(), actor=user
    )
    messages.success(request, _("%(n)d cases proposed.") % {"n": len(created)})
    return redirect("enforcement:case_list")


@require_GET
@role_required(CASE_READERS)
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = _case(user, code)
    officer = user.role == Role.ENFORCEMENT_OFFICER
    # Residents' personal data stays masked to everyone but the secretary and the admin.
    who = ""
    if case.household is not None:
        room = case.household.room if user.has_role(CASE_WORKERS) else mask_room(case.household.room)
        who = f"{case.household.building.name} {room}"
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "who": who,
            "steps": case.steps.select_related("by").all(),
            "records": case_records(case)[:50],
            "photos": set(
                ObservationPhoto.objects.filter(client_id__in=case.evidence).values_list(
                    "client_id", flat=True
                )
            ),
            "next": [] if officer else sorted(NEXT.get(case.status, set()) - {CaseStatus.DECIDED}),
            "labels": dict(CaseStatus.choices),
            "officer": officer and case.status == CaseStatus.REFERRED,
            "tiers": Tier.objects.filter(article=case.article),
            "can_work": user.has_role(CASE_WORKERS),
        },
    )


@require_POST
@role_required(CASE_READERS)
def case_action(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = _case(user, code)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "decide" and user.role == Role.ENFORCEMENT_OFFICER:
            tier = Tier.objects.filter(pk=form_pk(request.POST.get("tier")), article=case.article).first()
            try:
                amount = int(request.POST.get("fine", ""))
            except ValueError:
                raise ValidationError("罚款金额应为整数。 / The fine must be a whole number.") from None
            case_decide(officer=user, case=case, amount=amount, tier=tier, note=note)
        elif action == "void" and user.has_role(CASE_WORKERS):
            case_void_last_step(actor=user, case=case, reason=note)
        elif action in CaseStatus.values and user.has_role(CASE_WORKERS) and action != CaseStatus.DECIDED:
            case_step(actor=user, case=case, status=action, note=note)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("enforcement:case_detail", code=case.code)


@require_GET
@role_required(CASE_WORKERS)
def notice(request: HttpRequest, code: str) -> HttpResponse:
    case = _case(_user(request), code)
    pdf = notice_pdf(case, issued=timezone.localdate())
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="notice-{case.code}.pdf"'},
    )


@require_http_methods(["GET", "POST"])
@role_required(CASE_WORKERS)
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case by hand or from a report (about a unit, a responsible person, a collector or a resident)."""
    user = _user(request)
    communities = GridNode.objects.visible_to(user).filter(level=Level.COMMUNITY).order_by("code")
    articles = Article.objects.order_by("code", "-effective_from")
    if request.method == "POST":
        community = communities.filter(code=request.POST.get("community", "")).first()
        household = None
        code = request.POST.get("household", "").strip()
        if code and community is not None:
            household = Household.objects.filter(community=community, code=code).first()
        try:
            day = datetime.date.fromisoformat(request.POST.get("violation_day", ""))
            if community is None or (code and household is None):
                raise ValidationError(_("Choose a residential area (and a household of it)."))
            case = case_open(
                actor=user,
                community=community,
                subject=request.POST.get("subject", ""),
                source=CaseSource.REPORT if request.POST.get("source") == "report" else CaseSource.MANUAL,
                violation_day=day,
                article_code=request.POST.get("article", ""),
                household=household,
                subject_name=request.POST.get("subject_name", "")[:120],
                note=request.POST.get("note", "")[:500],
            )
        except ValueError:
            messages.error(request, _("The day must be a date."))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            return redirect("enforcement:case_detail", code=case.code)
    return render(
        request,
        "enforcement/case_new.html",
        {
            "communities": communities,
            "articles": articles,
            "subjects": Subject.choices,
            "today": timezone.localdate(),
        },
    )
