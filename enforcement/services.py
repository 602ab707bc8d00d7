"""Cases under the regulation: the rule in force on the day, the steps (and the deadlines they wait for), the
fine check, closing with a record. Proposals from the repeat rule: `services_proposal`."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import Role
from accounts.roles import CLOSE_CASES
from audit.services import audit_created, audit_updated, saved_user, snapshot
from enforcement.evidence import case_records
from enforcement.models import Article, Case, CaseStatus, CaseStep, Tier
from grid.models import GridNode, Household
from grid.scope import OUT_OF_SCOPE, Scope
from lib.bilingual import Msg
from lib.clock import local_today
from lib.codes import next_code
from lib.uploads import clean_upload
from lib.validation import InvalidInput, check_day

# "Rectification within 10 days" (Shanghai Daily on the 查处规定, domain-shanghai.md §1.9): the default deadline
# of a rectification notice; the secretary may set another within NOTICE_MAX_DAYS.
NOTICE_DAYS = 10
NOTICE_MAX_DAYS = 60
# Steps that wait for a rectification notice's deadline to pass (逾期不改正 is only known afterwards).
AFTER_DEADLINE = {CaseStatus.REFUSED, CaseStatus.REFERRED}
CLOSE_OUTCOMES = ("paid", "corrected")

# Which steps may follow which.
NEXT: dict[str, set[str]] = {
    CaseStatus.PROPOSED: {CaseStatus.PERSUASION, CaseStatus.DISMISSED},
    # "Refused" only after a rectification notice whose deadline has passed (issue 17): never straight from
    # persuasion, however the refusal was seen.
    CaseStatus.PERSUASION: {CaseStatus.NOTICE, CaseStatus.CORRECTED, CaseStatus.DISMISSED},
    CaseStatus.NOTICE: {CaseStatus.CORRECTED, CaseStatus.REFUSED},
    CaseStatus.REFUSED: {CaseStatus.REFERRED},
    CaseStatus.CORRECTED: {CaseStatus.CLOSED},
    CaseStatus.REFERRED: {CaseStatus.DECIDED},
    CaseStatus.DECIDED: {CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
    CaseStatus.DISMISSED: set(),
}
# Cases that wait for someone's step: not closed or dismissed (a decided case waits for its closing record).
OPEN_STATUSES = [s for s in CaseStatus.values if s not in (CaseStatus.CLOSED, CaseStatus.DISMISSED)]


def article_in_force(code: str, on: datetime.date) -> Article:
    """The version of an article in force on the day of the violation."""
    article = Article.objects.filter(code=code, effective_from__lte=on).order_by("-effective_from").first()
    if article is None:
        raise ValidationError(
            str(Msg("第{c}条在该日尚未生效。", "Article {c} was not in force on that day.").format(c=code))
        )
    return article


def fine_check(*, article: Article, tier: Tier | None, amount: int) -> None:
    """A fine outside the range (of the tier, when there is one) is refused, with the range in the message."""
    if tier is not None and tier.article_id != article.pk:
        raise ValidationError(str(Msg("裁量档次不属于该条款。", "The tier does not belong to this article.")))
    lo, hi = (tier.fine_min, tier.fine_max) if tier else (article.fine_min, article.fine_max)
    if not lo <= amount <= hi:
        where = f"{tier.label}" if tier else f"第{article.code}条"
        raise ValidationError(
            str(
                Msg(
                    "罚款 {a} 元超出{w}的裁量范围 {lo}–{hi} 元。",
                    "A fine of ¥{a} is outside the range for {w}: ¥{lo}–{hi}.",
                ).format(a=amount, w=where, lo=lo, hi=hi)
            )
        )


def _next_code(community: GridNode, day: datetime.date) -> str:
    return next_code(Case, f"{community.code}-C{day:%Y%m}-", 3)


@transaction.atomic
def case_open(
    *,
    actor: Any,
    community: GridNode,
    subject: str,
    source: str,
    violation_day: datetime.date,
    article_code: str,
    household: Household | None = None,
    subject_name: str = "",
    evidence: list[str] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Case:
    """Open a case at `community` (a residential area in the actor's scope) under the article in force on
    `violation_day`; its first step is "proposed" with the typed `note` and generated `data` ({"msg", "params"},
    see models.step_text). ValidationError: a future day, an article not in force or not for this subject."""
    Scope.of(actor).require(community)
    if household is not None and household.community_id != community.pk:
        raise PermissionDenied(str(OUT_OF_SCOPE))
    check_day(violation_day, ahead=0)  # a violation has happened: not in the future, not before MIN_DAY
    article = article_in_force(article_code, violation_day)
    if article.subject != subject:
        raise ValidationError(
            str(Msg("该条款不适用于此类当事人。", "This article does not apply to this kind of subject."))
        )
    assert community.subdistrict_id is not None
    case = Case.objects.create(
        subdistrict_id=community.subdistrict_id,
        community=community,
        code=_next_code(community, violation_day),
        subject=subject,
        household=household,
        subject_name=subject_name,
        source=source,
        violation_day=violation_day,
        article=article,
        evidence=evidence or [],
    )
    CaseStep.objects.create(
        case=case, status=CaseStatus.PROPOSED, by=saved_user(actor), note=note[:500], data=data or {}
    )
    audit_created(actor=actor, obj=case)
    return case


def repeat_cases_propose(**kwargs: Any) -> list[Case]:
    """Kept for scripts and tests written against this module: see services_proposal.repeat_cases_propose
    (imported late: that module builds on this one)."""
    from enforcement.services_proposal import repeat_cases_propose as propose

    return propose(**kwargs)


def notice_deadline(case: Case) -> datetime.date | None:
    """The deadline recorded with the live (not voided) rectification notice of a case (None without one);
    `case.due` mirrors it for lists and is cleared once answered."""
    step = case.steps.filter(status=CaseStatus.NOTICE, voided_by__isnull=True).order_by("-at", "-id").first()
    raw = (step.data or {}).get("params", {}).get("deadline") if step else None
    try:
        return datetime.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _check_deadline(case: Case, status: str, today: datetime.date) -> None:
    """ "Refused" (and so "referred", which follows it) needs a live rectification notice whose deadline has
    passed: 逾期不改正 is only known afterwards, and the notice is what the party refused (issue 17)."""
    if status not in AFTER_DEADLINE:
        return
    deadline = notice_deadline(case)
    if deadline is None:
        raise InvalidInput(
            Msg(
                "须先发出整改通知书并待期限届满，才能记录“{zh}”。",
                "“{en}” needs a rectification notice whose deadline has passed.",
            ).format(zh=CaseStatus(status).label, en=CaseStatus(status).label),
            code="no_notice",
        )
    if today <= deadline:
        raise InvalidInput(
            Msg(
                "整改通知书给予的期限至 {d}；期限届满（{n} 起）前不能记录“{zh}”。",
                "The rectification notice gives until {d} to correct; “{en}” can be recorded from {n}.",
            ).format(
                d=deadline.isoformat(),
                n=(deadline + datetime.timedelta(days=1)).isoformat(),
                zh=CaseStatus(status).label,
                en=CaseStatus(status).label,
            ),
            code="before_deadline",
        )


def has_evidence(case: Case) -> bool:
    """Whether a case holds the evidence a referral needs: at least one bin-side mistake record it rests on
    (`case_records`, implausible ones held back) or a photo / scan attached to one of its live steps.

    The rule: the regulation's companion rules accept CCTV, photos or testimony from volunteers, residents or
    property staff as evidence (/work/shared/docs/domain-shanghai.md §1.9, §5.1 escalation chain); a case sent
    to 城管 with nothing on file is a reason to persuade, not to fine (issue 17)."""
    if case_records(case).exists():
        return True
    return case.steps.filter(voided_by__isnull=True).exclude(document="").exists()


def _check_evidence(case: Case, status: str, document: Any) -> None:
    if status != CaseStatus.REFERRED or document is not None or has_evidence(case):
        return
    raise InvalidInput(
        Msg(
            "移送城管须有证据：至少一条桶边记录，或在案件步骤中上传照片 / 扫描件。",
            "A referral needs evidence: at least one bin-side record, or a photo / scan uploaded with a step.",
        ),
        code="no_evidence",
    )


def _notice_data(
    deadline: datetime.date | None, today: datetime.date
) -> tuple[datetime.date, dict[str, Any]]:
    deadline = deadline or today + datetime.timedelta(days=NOTICE_DAYS)
    if not today < deadline <= today + datetime.timedelta(days=NOTICE_MAX_DAYS):
        raise InvalidInput(
            Msg(
                "整改期限应在明天到 {m} 天之内。",
                "The deadline must lie between tomorrow and {m} days from today.",
            ).format(m=NOTICE_MAX_DAYS)
        )
    return deadline, {"msg": "notice", "params": {"deadline": deadline.isoformat()}}


@transaction.atomic
def case_step(
    *,
    actor: Any,
    case: Case,
    status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    deadline: datetime.date | None = None,
    document: Any = None,
    on: datetime.date | None = None,
) -> CaseStep:
    """Move a case to `status` (an allowed next step, see NEXT) with a typed `note`; `on` is the day the step
    counts from (default today): only the demo passes it, to replay a case whose notice has run out.

    A rectification notice (status "notice") records its deadline (`deadline`, default today + NOTICE_DAYS,
    at most NOTICE_MAX_DAYS ahead) in the step and in `case.due`. "Refused" follows only a live notice and only
    from the day after its deadline (InvalidInput naming the date); "referred" follows "refused" and needs
    evidence (`has_evidence`, or `document` given with the referral). A decided case closes only through
    `case_close`. `document`, when given, is an upload already checked by `clean_upload` (a photo or scan
    kept with the step, e.g. evidence of the refusal).
    ValidationError for a step that may not follow; PermissionDenied outside the actor's scope."""
    case = Case.objects.select_for_update().select_related("community").get(pk=case.pk)
    Scope.of(actor).require(case.community)
    today = on or local_today()
    _check_deadline(case, status, today)  # first: "no notice yet" says more than "cannot go from … to …"
    if status not in NEXT.get(case.status, set()):
        raise InvalidInput(
            Msg("不能从“{a}”进入“{b}”。", "Cannot go from “{a}” to “{b}”.").format(
                a=case.get_status_display(), b=CaseStatus(status).label
            )
        )
    if status == CaseStatus.CLOSED and case.status == CaseStatus.DECIDED and document is None:
        raise InvalidInput(
            Msg(
                "处罚决定后须凭缴款或整改记录结案。",
                "A decided case closes with a record of payment or correction.",
            )
        )
    _check_evidence(case, status, document)
    data = dict(data or {})
    before = snapshot(case)
    if status == CaseStatus.NOTICE:
        case.due, data = _notice_data(deadline, today)
    elif status in (CaseStatus.CORRECTED, CaseStatus.REFUSED, CaseStatus.DISMISSED):
        case.due = None  # the deadline is answered
    step = CaseStep(case=case, status=status, by=saved_user(actor), note=note.strip()[:500], data=data)
    if document is not None:
        document.save_to(step.document, None, default=f"{case.code}-{status}")
    step.save()
    case.status = status
    case.save(update_fields=["status", "due", "updated_at"])
    audit_updated(actor=actor, obj=case, before=before, reason=note[:200])
    return step


@transaction.atomic
def case_decide(
    *, officer: Any, case: Case, amount: int, tier: Tier | None = None, note: str = ""
) -> CaseStep:
    """An officer's penalty decision, validated against the range (and tier) of the article in force."""
    fine_check(article=case.article, tier=tier, amount=amount)
    step = case_step(
        actor=officer,
        case=case,
        status=CaseStatus.DECIDED,
        note=note,
        data={
            "fine": amount,
            "tier": tier.code if tier else "",
            "msg": "decided",
            "params": {"fine": amount, "tier": tier.label if tier else "—"},
        },
    )
    Case.objects.filter(pk=case.pk).update(fine=amount, tier=tier, officer=saved_user(officer))
    return step


@transaction.atomic
def case_close(
    *, actor: Any, case: Case, outcome: str, document: Any, amount: int | None = None, note: str = ""
) -> CaseStep:
    """Close a decided case with its record: "paid" (`amount` in ¥, equal to the fine decided, and the
    receipt) or "corrected" (`note` saying what was corrected, and a photo or scan). `document` is the upload
    (UploadedFile or bytes), checked by content through lib.uploads.clean_upload (photo or PDF).

    Only the enforcement officer or the sub-district admin (or the system) closes a decided case:
    PermissionDenied otherwise or outside their scope. InvalidInput (zh/en) for a case not decided, an
    unknown outcome, a missing or wrong amount, a missing note or document, or a refused upload; nothing
    is written then."""
    if actor is not None and not actor.has_role(CLOSE_CASES):
        raise PermissionDenied(str(OUT_OF_SCOPE))
    case = Case.objects.select_related("community").get(pk=case.pk)
    Scope.of(actor).require(case.community)
    if case.status != CaseStatus.DECIDED:
        raise InvalidInput(
            Msg("只有已作出处罚决定的案件可以结案。", "Only a decided case can be closed here.")
        )
    if outcome not in CLOSE_OUTCOMES:
        raise InvalidInput(Msg("请选择结案方式。", "Choose how the case ends."))
    if outcome == "paid" and amount != case.fine:
        raise InvalidInput(
            Msg("缴款金额应为决定的罚款 {f} 元。", "The amount paid must be the fine decided, ¥{f}.").format(
                f=case.fine
            )
        )
    if outcome == "corrected" and not note.strip():
        raise InvalidInput(Msg("请写明整改情况。", "Say what was corrected."))
    if document is None:
        raise InvalidInput(
            Msg(
                "请上传缴款凭证或整改照片 / 文件。",
                "Upload the receipt or a photo / document of the correction.",
            )
        )
    clean = clean_upload(document)
    params: dict[str, Any] = {"amount": amount} if outcome == "paid" else {}
    return case_step(
        actor=actor,
        case=case,
        status=CaseStatus.CLOSED,
        note=note,
        data={"outcome": outcome, "amount": amount, "msg": outcome, "params": params},
        document=clean,
    )


def live_steps(case: Case) -> list[CaseStep]:
    """A case's steps that stand: not voided, and not themselves a voiding step (those carry the status they
    returned to, so only their data tells them apart). Voiding needs two: the last and the one it returns to."""
    steps = case.steps.filter(voided_by__isnull=True).order_by("at", "id")
    return [s for s in steps if (s.data or {}).get("msg") != "void"]


@transaction.atomic
def case_void_last_step(*, actor: Any, case: Case, reason: str) -> CaseStep:
    """Undo the latest step with a voiding step; the case returns to the step before (and its deadline, if
    that was a notice). Nothing is deleted. ValidationError without a reason or a step to void."""
    Scope.of(actor).require(case.community)
    if not reason.strip():
        raise InvalidInput(Msg("请说明原因。", "Give a reason."))
    live = live_steps(case)
    if len(live) < 2:
        raise InvalidInput(Msg("没有可撤销的步骤。", "There is no step to void."))
    last, previous = live[-1], live[-2]
    void = CaseStep.objects.create(
        case=case,
        status=previous.status,
        by=saved_user(actor),
        note=reason.strip()[:500],
        data={"voids": last.pk, "msg": "void", "params": {}},
    )
    CaseStep.objects.filter(pk=last.pk).update(voided_by=void)
    before = snapshot(case)
    case.status = previous.status
    if last.status == CaseStatus.DECIDED:
        case.fine, case.tier = None, None
    raw = (previous.data or {}).get("params", {}).get("deadline")
    case.due = datetime.date.fromisoformat(raw) if previous.status == CaseStatus.NOTICE and raw else None
    case.save(update_fields=["status", "fine", "tier", "due", "updated_at"])
    audit_updated(actor=actor, obj=case, before=before, reason=reason)
    return void


def cases_visible_to(user: Any) -> Any:
    qs = Case.objects.select_related("community", "household", "article")
    if user.is_superuser and user.node_id is None:
        return qs
    if user.node is None:
        return qs.none()
    if user.role == Role.ENFORCEMENT_OFFICER:
        # Officers see referred cases (and what they decided) in their sub-district, nothing else.
        return qs.filter(subdistrict_id=user.node.subdistrict_id).filter(
            Q(status__in=[CaseStatus.REFERRED, CaseStatus.DECIDED]) | Q(officer=user)
        )
    if user.role in (Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY):
        # Cases belong to residential areas: staff bound to a micro-grid see their residential area's cases
        # only if their node is that area or above it — below it they see none.
        return qs.filter(community__path__startswith=user.node.path)
    return qs.none()
