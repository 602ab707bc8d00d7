"""Pages for the model's frame: responsibility lists, projects and milestones, the exemplar roll, the talent
pool. The seven-mechanism report itself (`party:frame`) is served by `reports.frame_views`."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import User
from accounts.roles import ADMINISTER_SUBDISTRICT, MANAGE_AREA, READ_PARTY
from grid.models import GridNode, Household, Person
from grid.scope import Scope
from lib.clock import local_today
from lib.forms import attempt, form_page
from lib.periods import query_year
from lib.validation import form_pk
from party.candidates import candidates
from party.models import (
    Exemplar,
    ExemplarKind,
    Inclusion,
    Milestone,
    Project,
    Responsibility,
    Talent,
    TalentKind,
    WorkStatus,
)
from party.services import (
    exemplar_choose,
    milestone_add,
    milestone_done,
    project_create,
    responsibility_add,
    talent_add,
    work_update,
)
from party.views import _org
from units.models import MemberUnit


def _sd(request: HttpRequest) -> tuple[User, GridNode]:
    user = request.user
    assert isinstance(user, User)
    sd = user.node.subdistrict if user.node else None
    if sd is None:
        raise Http404
    return user, sd


def _year(request: HttpRequest) -> int:
    return query_year(request)


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@require_http_methods(["GET", "POST"])
@role_required(READ_PARTY)
def duties(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    org = _org(user, code)
    editor = user.has_role(MANAGE_AREA)
    error = ""
    if request.method == "POST":
        if not editor:
            raise Http404

        def write() -> None:
            if request.POST.get("action") == "add":
                responsibility_add(
                    actor=user,
                    org=org,
                    item=request.POST.get("item", ""),
                    owner=request.POST.get("owner", ""),
                    due=_date(request.POST.get("due", "")),
                )
            else:
                line = get_object_or_404(Responsibility, pk=form_pk(request.POST.get("line")), org=org)
                work_update(
                    actor=user,
                    obj=line,
                    status=request.POST.get("status", ""),
                    note=request.POST.get("note", ""),
                )

        _done, error = attempt(write, unreadable=_("Give dates as YYYY-MM-DD."))
        if not error:
            return redirect("party:duties", code=org.code)
    context = {
        "org": org,
        "lines": org.responsibilities.all(),
        "statuses": WorkStatus.choices,
        "editor": editor,
    }
    return form_page(request, "party/duties.html", context, error)


@require_http_methods(["GET", "POST"])
@role_required(READ_PARTY)
def projects(request: AuthenticatedHttpRequest) -> HttpResponse:
    user, sd = _sd(request)
    year = _year(request)
    error = ""
    if request.method == "POST":
        if not user.has_role(ADMINISTER_SUBDISTRICT):
            raise Http404
        project, error = attempt(
            lambda: project_create(
                actor=user,
                node=sd,
                inclusion=request.POST.get("inclusion", ""),
                year=year,
                title=request.POST.get("title", ""),
                owner=request.POST.get("owner", ""),
            )
        )
        if project is not None:
            return redirect("party:project", code=project.code)
    rows = (
        Project.objects.filter(subdistrict=sd, year=year)
        .annotate(
            n=Count("milestones"), done=Count("milestones", filter=Q(milestones__done_on__isnull=False))
        )
        .order_by("inclusion", "title")
    )
    context = {
        "rows": rows,
        "year": year,
        "inclusions": Inclusion.choices,
        "can_edit": user.has_role(ADMINISTER_SUBDISTRICT),
    }
    return form_page(request, "party/projects.html", context, error)


@require_http_methods(["GET", "POST"])
@role_required(READ_PARTY)
def project_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user, sd = _sd(request)
    project = get_object_or_404(Project, code=code, subdistrict=sd)
    error = ""
    if request.method == "POST":
        if not user.has_role(ADMINISTER_SUBDISTRICT):
            raise Http404

        def write() -> None:
            if request.POST.get("action") == "add":
                milestone_add(
                    actor=user,
                    project=project,
                    title=request.POST.get("title", ""),
                    due=_date(request.POST.get("due", "")),
                )
            else:
                milestone = get_object_or_404(
                    Milestone, pk=form_pk(request.POST.get("milestone")), project=project
                )
                milestone_done(
                    actor=user,
                    milestone=milestone,
                    day=_date(request.POST.get("day", "")) or local_today(),
                    evidence_note=request.POST.get("evidence_note", ""),
                    evidence=request.FILES.get("evidence"),
                )

        _done, error = attempt(write, unreadable=_("Give dates as YYYY-MM-DD."))
        if not error:
            return redirect("party:project", code=project.code)
    context = {
        "project": project,
        "milestones": project.milestones.all(),
        "can_edit": user.has_role(ADMINISTER_SUBDISTRICT),
        "today": local_today(),
    }
    return form_page(request, "party/project.html", context, error)


def _target(kind: str, pk: int, sd: GridNode) -> dict[str, Any]:
    if kind == ExemplarKind.HOUSEHOLD:
        return {"household": Household.objects.get(pk=pk, subdistrict=sd)}
    if kind in (ExemplarKind.MEMBER, ExemplarKind.VOLUNTEER):
        return {"person": Person.objects.get(pk=pk, subdistrict=sd)}
    if kind == ExemplarKind.UNIT:
        return {"unit": MemberUnit.objects.get(pk=pk, subdistrict=sd)}
    raise ValidationError(_("Unknown kind of exemplar."))


@require_http_methods(["GET", "POST"])
@role_required(READ_PARTY)
def exemplars(request: AuthenticatedHttpRequest) -> HttpResponse:
    user, sd = _sd(request)
    year = _year(request)
    error = ""
    if request.method == "POST":
        if not user.has_role(ADMINISTER_SUBDISTRICT):
            raise Http404
        kind = request.POST.get("kind", "")
        chosen, error = attempt(
            lambda: exemplar_choose(
                actor=user,
                subdistrict=sd,
                year=year,
                kind=kind,
                name=request.POST.get("name", ""),
                reason=request.POST.get("reason", ""),
                **_target(kind, form_pk(request.POST.get("target")), sd),
            ),
            unreadable=_("Choose one household, person or unit."),
            missing=(Household.DoesNotExist, Person.DoesNotExist, MemberUnit.DoesNotExist),
        )
        if chosen is not None:
            return redirect(f"{request.path}?year={year}")
    context = {
        "year": year,
        "roll": Exemplar.objects.filter(subdistrict=sd, year=year),
        "candidates": candidates(sd, year, local_today()) if user.has_role(ADMINISTER_SUBDISTRICT) else {},
        "kinds": dict(ExemplarKind.choices),
    }
    return form_page(request, "party/exemplars.html", context, error)


@require_http_methods(["GET", "POST"])
@role_required(READ_PARTY)
def talents(request: AuthenticatedHttpRequest) -> HttpResponse:
    user, sd = _sd(request)
    editor = user.has_role(MANAGE_AREA)
    error = ""
    if request.method == "POST":
        if not editor:
            raise Http404
        added, error = attempt(
            lambda: talent_add(
                actor=user,
                person=Scope.of(user)
                .filter(Person.objects.filter(subdistrict=sd), "node")
                .get(pk=form_pk(request.POST.get("person"))),
                kind=request.POST.get("kind", ""),
                topics=request.POST.get("topics", ""),
            ),
            unreadable=_("Choose a person."),
            missing=(Person.DoesNotExist,),
        )
        if added is not None:
            return redirect("party:talents")
    q = request.GET.get("q", "").strip()
    rows = (
        Talent.objects.filter(subdistrict=sd)
        .select_related("person")
        .annotate(sessions=Count("person__talks", filter=Q(person__talks__status="done")))
    )
    people = (
        # The picker lists people of the editor's own node and below (a secretary: their residential area).
        list(
            Scope.of(user)
            .filter(Person.objects.filter(subdistrict=sd), "node")
            .filter(name__icontains=q)
            .order_by("name")[:10]
        )
        if q and editor
        else []
    )
    context = {"rows": rows, "kinds": TalentKind.choices, "editor": editor, "q": q, "people": people}
    return form_page(request, "party/talents.html", context, error)
