"""Cases: the list (filters, pages), the repeat-offender preview and confirmation, the steps, the officer's
decisions and closings with a record, the notice PDF and the documents."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import Role, User
from accounts.roles import CLOSE_CASES, MANAGE_AREA, READ_CASES
from enforcement.evidence import case_records, evidence_kinds
from enforcement.models import Article, Case, CaseSource, CaseStatus, CaseStep, Subject, Tier
from enforcement.notice import notice_pdf
from enforcement.selectors import CaseFilters, case_areas, case_page, case_party, party_view
from enforcement.services import (
    NEXT,
    NOTICE_DAYS,
    case_close,
    case_decide,
    case_open,
    case_step,
    case_void_last_step,
    cases_visible_to,
    live_steps,
    notice_deadline,
)
from enforcement.services_proposal import (
    EVIDENCE_MIN_DAYS,
    REPEAT_WINDOW_DAYS,
    repeat_cases_confirm,
    repeat_proposal,
)
from grid.models import GridNode, Household, Level
from grid.presenters import household_view
from grid.scope import home_node
from lib.clock import local_today
from lib.uploads import clean_upload, file_response
from lib.validation import form_pk
from supervision.models import ObservationPhoto


def _case(user: User, code: str):  # type: ignore[no-untyped-def]
    case = cases_visible_to(user).filter(code=code).first()
    if case is None:
        raise Http404
    return case


def _list(request: AuthenticatedHttpRequest, *, to_close: bool) -> HttpResponse:
    user = request.user
    filters = CaseFilters.from_query(request.GET, status=CaseStatus.DECIDED if to_close else "")
    page, rows = case_page(user, filters, request.GET.get("page"), today=local_today())
    return render(
        request,
        "enforcement/case_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "to_close": to_close,
            "statuses": CaseStatus.choices,
            "areas": case_areas(user),
            "can_work": user.has_role(MANAGE_AREA),
            "can_close": user.has_role(CLOSE_CASES),
        },
    )


@require_GET
@role_required(READ_CASES)
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _list(request, to_close=False)


@require_GET
@role_required(CLOSE_CASES)
def to_close(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Decided cases waiting for a record of payment or correction (the officer's second task)."""
    return _list(request, to_close=True)


@require_http_methods(["GET", "POST"])
@role_required(MANAGE_AREA)
def propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the households the evidence rule points at in the user's own part of the grid, to tick. POST:
    open cases for the ticked ones only (`household` codes), then back to the list."""
    user = request.user
    node = home_node(user)
    today = local_today()
    if request.method == "POST":
        codes = request.POST.getlist("household")
        if not codes:
            messages.error(request, _("Tick the households to open cases for."))
            return redirect("enforcement:propose")
        try:
            created = repeat_cases_confirm(actor=user, node=node, today=today, household_codes=codes)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("enforcement:propose")
        messages.success(request, _("%(n)d cases opened.") % {"n": len(created)})
        return redirect("enforcement:case_list")
    try:
        candidates = repeat_proposal(actor=user, node=node, today=today)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        candidates = []
    rows = [(c, household_view(c.household, user)) for c in candidates]
    return render(
        request,
        "enforcement/propose.html",
        {
            "rows": rows,
            "node": node,
            "offered": sum(1 for c in candidates if c.offered),
            "min_days": EVIDENCE_MIN_DAYS,
            "window": REPEAT_WINDOW_DAYS,
        },
    )


@require_GET
@role_required(READ_CASES)
def case_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    return _detail(request, user, _case(user, code))


# Buttons say what the person does, not the state the case lands in (issue 17: "认定拒不改正", not "拒不改正").
ACTION_LABELS: dict[str, object] = {
    CaseStatus.PERSUASION: gettext_lazy("Record persuasion"),
    CaseStatus.NOTICE: gettext_lazy("Issue a rectification notice"),
    CaseStatus.CORRECTED: gettext_lazy("Confirm it was corrected"),
    CaseStatus.REFUSED: gettext_lazy("Find a refusal to correct"),
    CaseStatus.REFERRED: gettext_lazy("Refer to law enforcement"),
    CaseStatus.CLOSED: gettext_lazy("Close the case"),
    CaseStatus.DISMISSED: gettext_lazy("Dismiss the case"),
}


def step_actions(case: Case, today: datetime.date) -> list[dict[str, object]]:
    """The next steps a secretary may take, as buttons: label, and why it is not possible yet ("" when it
    is). "Refused" waits for the notice's deadline (services._check_deadline): shown disabled until then
    rather than offered and refused."""
    deadline = notice_deadline(case)
    out: list[dict[str, object]] = []
    for status in sorted(NEXT.get(case.status, set()) - {CaseStatus.DECIDED}):
        wait = ""
        if status == CaseStatus.REFUSED and deadline is not None and today <= deadline:
            wait = _("After the deadline of %(d)s") % {"d": deadline.isoformat()}
        out.append({"status": status, "label": ACTION_LABELS.get(status, status), "wait": wait})
    return out


def _detail(
    request: HttpRequest,
    user: User,
    case: Case,
    *,
    decide_form: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; `decide_form` refills the officer's decision after a refusal (tier pk, fine, note)."""
    officer = user.role == Role.ENFORCEMENT_OFFICER
    # Residents' personal data is masked for roles that do not need it (grid.presenters); the officer gets the
    # name on a case for decision, the address and room on a case they act on (selectors.party_view).
    who = case_party(case, user) if case.household is not None else ""
    party = party_view(case, user)
    today = local_today()
    # A decided case closes with a record only (below); the officer decides, never steps.
    next_steps = [] if officer or case.status == CaseStatus.DECIDED else step_actions(case, today)
    steps = list(case.steps.select_related("by").all())
    records = list(case_records(case)[:50])
    kinds = evidence_kinds(case, records)
    # Voiding needs a step before the last live one: never offered on a case that has only its first step.
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "who": who,
            "party": party,
            "steps": steps,
            "can_void": len(live_steps(case)) >= 2,
            # Each record with its place (its photo's address) and, beside the charge, the kinds of evidence:
            # the officer sees records that do not bear the article out (未破袋 is not mixing under 57(2)).
            "records": list(enumerate(records, start=1)),
            "kinds": kinds,
            "not_charged": sum(k.n for k in kinds if k.charged is False),
            "not_charged_outcomes": {k.outcome for k in kinds if k.charged is False},
            "photos": set(
                ObservationPhoto.objects.filter(client_id__in=case.evidence).values_list(
                    "client_id", flat=True
                )
            ),
            "next": next_steps,
            "offers_notice": any(a["status"] == CaseStatus.NOTICE for a in next_steps),
            "officer": officer and case.status == CaseStatus.REFERRED,
            "decide": decide_form or {},
            "closing": case.status == CaseStatus.DECIDED and user.has_role(CLOSE_CASES),
            "tiers": Tier.objects.filter(article=case.article),
            "can_work": user.has_role(MANAGE_AREA),
            "has_notice": notice_deadline(case) is not None,
            "notice_default": today + datetime.timedelta(days=NOTICE_DAYS),
            "today": today,
        },
        status=status,
    )


@require_POST
@role_required(READ_CASES)
def case_action(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    case = _case(user, code)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "decide" and user.role == Role.ENFORCEMENT_OFFICER:
            tier = Tier.objects.filter(pk=form_pk(request.POST.get("tier")), article=case.article).first()
            amount = _yuan(request.POST.get("fine"))
            if amount is None:
                raise ValidationError("罚款金额应为整数。 / The fine must be a whole number.")
            case_decide(officer=user, case=case, amount=amount, tier=tier, note=note)
        elif action == "close" and user.has_role(CLOSE_CASES):
            outcome = request.POST.get("outcome", "")
            paid = _yuan(request.POST.get("amount"))
            if outcome == "paid" and paid is None:
                raise ValidationError(_("The amount must be a whole number of yuan."))
            case_close(
                actor=user,
                case=case,
                outcome=outcome,
                amount=paid if outcome == "paid" else None,
                note=note,
                document=request.FILES.get("document"),
            )
        elif action == "void" and user.has_role(MANAGE_AREA):
            case_void_last_step(actor=user, case=case, reason=note)
        elif action in CaseStatus.values and user.has_role(MANAGE_AREA) and action != CaseStatus.DECIDED:
            deadline = None
            if action == CaseStatus.NOTICE and request.POST.get("deadline"):
                try:
                    deadline = datetime.date.fromisoformat(request.POST["deadline"])
                except ValueError:
                    raise ValidationError(_("The day must be a date.")) from None
            # A photo or scan sent with a step (e.g. of the refusal) is kept with it as evidence.
            upload = request.FILES.get("document")
            document = clean_upload(upload) if upload is not None else None
            case_step(actor=user, case=case, status=action, note=note, deadline=deadline, document=document)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        if action == "decide":
            # Refused decision: the page again with what the officer entered, so nothing is typed twice.
            form = {k: request.POST.get(k, "")[:500] for k in ("tier", "fine", "note")}
            return _detail(request, user, _case(user, code), decide_form=form, status=400)
    return redirect("enforcement:case_detail", code=case.code)


def _yuan(raw: str | None) -> int | None:
    """A whole number of yuan as typed in a form (ASCII digits, at most 9), else None: fines and payments."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@require_GET
@role_required(MANAGE_AREA)
def notice(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = _case(request.user, code)
    deadline = notice_deadline(case)
    if deadline is None:
        raise Http404  # the notice exists only once the notice step is recorded (and not voided)
    pdf = notice_pdf(case, issued=local_today(), deadline=deadline)
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="notice-{case.code}.pdf"'},
    )


@require_GET
@role_required(READ_CASES)
def document(request: AuthenticatedHttpRequest, code: str, step: int) -> FileResponse:
    """A step's document (receipt, photo or scan of the correction), for whoever may see the case. `step` is
    the step's place in the case (1 for the first, in the order the case page lists them), not its id: steps
    are never deleted (a void is a step of its own), so the number stays."""
    case = _case(request.user, code)
    steps = CaseStep.objects.filter(case=case).order_by("at", "id")
    item = next(iter(steps[step - 1 : step]), None) if step >= 1 else None
    if item is None or not item.document:
        raise Http404
    return file_response(item.document)


@require_GET
@role_required(READ_CASES)
def evidence_photo(request: AuthenticatedHttpRequest, code: str, n: int) -> FileResponse:
    """The photo taken with the case's `n`-th evidence record (in the order the case page lists them), for
    whoever may see the case (`cases_visible_to`: the officer within their scope); 404 when it has none."""
    case = _case(request.user, code)
    record = next(iter(case_records(case)[n - 1 : n]), None) if n >= 1 else None
    photo = (
        ObservationPhoto.objects.filter(
            client_id=record.client_id, subdistrict_id=case.subdistrict_id
        ).first()
        if record is not None
        else None
    )
    if photo is None or not photo.image:
        raise Http404
    return file_response(photo.image, inline_image=True)


@require_http_methods(["GET", "POST"])
@role_required(MANAGE_AREA)
def case_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open a case by hand or from a report (about a unit, a responsible person, a collector or a resident)."""
    user = request.user
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
            "today": local_today(),
        },
    )
