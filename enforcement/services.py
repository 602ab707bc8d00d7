"""Cases under the regulation: the rule in force on the day, the 30-day repeat rule, the steps, the fine check."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q

from audit.services import audit_created, audit_updated, saved_user, snapshot
from enforcement.models import Article, Case, CaseSource, CaseStatus, CaseStep, Subject, Tier
from grid.access import OUT_OF_SCOPE, Scope
from grid.models import GridNode, Household
from lib.bilingual import Msg
from lib.codes import next_code
from lib.validation import check_day
from supervision.models import Observation, Outcome

# "Caught more than 3 times within 30 days" counts as refusing to correct (查处规定).
REPEAT_WINDOW_DAYS = 30
REPEAT_MORE_THAN = 3
CAUGHT = [Outcome.MIXED, Outcome.BAG_NOT_BROKEN, Outcome.REFUSED]

# Which steps may follow which.
NEXT: dict[str, set[str]] = {
    CaseStatus.PROPOSED: {CaseStatus.PERSUASION, CaseStatus.DISMISSED},
    CaseStatus.PERSUASION: {
        CaseStatus.NOTICE,
        CaseStatus.CORRECTED,
        CaseStatus.REFUSED,
        CaseStatus.DISMISSED,
    },
    CaseStatus.NOTICE: {CaseStatus.CORRECTED, CaseStatus.REFUSED},
    CaseStatus.REFUSED: {CaseStatus.REFERRED},
    CaseStatus.CORRECTED: {CaseStatus.CLOSED},
    CaseStatus.REFERRED: {CaseStatus.DECIDED},
    CaseStatus.DECIDED: {CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
    CaseStatus.DISMISSED: set(),
}


def case_records(case: Case) -> Any:
    """The bin-side records a case rests on (mistakes, all of them), found through the index of mistakes by
    household and day."""
    qs = Observation.objects.filter(
        subdistrict_id=case.subdistrict_id,
        client_id__in=case.evidence,
        outcome__in=CAUGHT,
        day__gte=case.violation_day - datetime.timedelta(days=REPEAT_WINDOW_DAYS + 1),
        day__lte=case.violation_day + datetime.timedelta(days=1),
    )
    if case.household_id:
        qs = qs.filter(household_id=case.household_id)
    return qs.select_related("point").order_by("observed_at")


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
) -> Case:
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
    CaseStep.objects.create(case=case, status=CaseStatus.PROPOSED, by=saved_user(actor), note=note)
    audit_created(actor=actor, obj=case)
    return case


def repeat_catches(
    household_ids: list[int] | None, *, subdistrict: GridNode, today: datetime.date
) -> dict[int, list[str]]:
    """Households caught more than 3 times in the 30 days ending today, with the records as evidence."""
    start = today - datetime.timedelta(days=REPEAT_WINDOW_DAYS - 1)
    qs = Observation.objects.filter(
        subdistrict_id=subdistrict.pk,
        day__gte=start,
        day__lte=today,
        outcome__in=CAUGHT,
        household__isnull=False,
    )
    if household_ids is not None:
        qs = qs.filter(household_id__in=household_ids)
    counts = qs.values("household_id").annotate(n=Count("client_id")).filter(n__gt=REPEAT_MORE_THAN)
    offenders = [row["household_id"] for row in counts]
    evidence: dict[int, list[str]] = {h: [] for h in offenders}
    for household_id, client_id in (
        qs.filter(household_id__in=offenders).order_by("observed_at").values_list("household_id", "client_id")
    ):
        evidence[household_id].append(str(client_id))
    return evidence


@transaction.atomic
def repeat_cases_propose(
    *, subdistrict: GridNode, today: datetime.date, actor: Any = None, node: GridNode | None = None
) -> list[Case]:
    """Propose a case (to the residential-area secretary) for each repeat offender, and each household that
    refused to correct at the bin, that has no open case yet — only for households at `node` or below
    (default: the whole sub-district). `node` must lie in the actor's scope: PermissionDenied otherwise."""
    node = node or subdistrict
    Scope.of(actor).require(node)
    if node.pk != subdistrict.pk and node.subdistrict_id != subdistrict.pk:
        raise PermissionDenied(str(OUT_OF_SCOPE))
    found = repeat_catches(None, subdistrict=subdistrict, today=today)
    # A refusal at the bin is a case on its own (拒不改正 on the spot), even without repeats.
    refusals: dict[int, list[str]] = {}
    for household_id, client_id in Observation.objects.filter(
        subdistrict_id=subdistrict.pk,
        day__gte=today - datetime.timedelta(days=REPEAT_WINDOW_DAYS - 1),
        day__lte=today,
        outcome=Outcome.REFUSED,
        household__isnull=False,
    ).values_list("household_id", "client_id"):
        if household_id not in found:
            refusals.setdefault(household_id, []).append(str(client_id))
    candidates = {
        **{h: (CaseSource.REPEAT_RULE, e) for h, e in found.items()},
        **{h: (CaseSource.BIN_RECORD, e) for h, e in refusals.items()},
    }
    open_for = set(
        Case.objects.filter(household_id__in=list(candidates))
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.DISMISSED])
        .values_list("household_id", flat=True)
    )
    # Only households at the node or below: the records are the sub-district's, the cases are not.
    households = (
        Household.objects.filter(community__path__startswith=node.path)
        .select_related("community")
        .in_bulk([h for h in candidates if h not in open_for])
    )
    created = []
    for household_id, (source, evidence) in candidates.items():
        if household_id in open_for or household_id not in households:
            continue
        note = (
            f"{len(evidence)} catches in {REPEAT_WINDOW_DAYS} days"
            if source == CaseSource.REPEAT_RULE
            else "refused to correct at the bin"
        )
        created.append(
            case_open(
                actor=actor,
                community=households[household_id].community,
                subject=Subject.INDIVIDUAL,
                source=source,
                violation_day=today,
                article_code="57(2)",
                household=households[household_id],
                evidence=evidence,
                note=note,
            )
        )
    return created


@transaction.atomic
def case_step(
    *, actor: Any, case: Case, status: str, note: str = "", data: dict[str, Any] | None = None
) -> CaseStep:
    case = Case.objects.select_for_update().select_related("community").get(pk=case.pk)
    Scope.of(actor).require(case.community)
    if status not in NEXT.get(case.status, set()):
        raise ValidationError(
            str(
                Msg("不能从“{a}”进入“{b}”。", "Cannot go from “{a}” to “{b}”.").format(
                    a=case.get_status_display(), b=CaseStatus(status).label
                )
            )
        )
    step = CaseStep.objects.create(
        case=case,
        status=status,
        by=saved_user(actor),
        note=note[:500],
        data=data or {},
    )
    before = snapshot(case)
    case.status = status
    case.save(update_fields=["status", "updated_at"])
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
        data={"fine": amount, "tier": tier.code if tier else ""},
    )
    Case.objects.filter(pk=case.pk).update(fine=amount, tier=tier, officer=officer)
    return step


@transaction.atomic
def case_void_last_step(*, actor: Any, case: Case, reason: str) -> CaseStep:
    """Undo the latest step with a voiding step; the case returns to the step before. Nothing is deleted."""
    Scope.of(actor).require(case.community)
    if not reason.strip():
        raise ValidationError(str(Msg("请说明原因。", "Give a reason.")))
    live = [s for s in case.steps.filter(voided_by__isnull=True).exclude(status="void").order_by("at", "id")]
    if len(live) < 2:
        raise ValidationError(str(Msg("没有可撤销的步骤。", "There is no step to void.")))
    last, previous = live[-1], live[-2]
    void = CaseStep.objects.create(
        case=case,
        status=previous.status,
        by=saved_user(actor),
        note=f"void: {reason}"[:500],
        data={"voids": last.pk},
    )
    CaseStep.objects.filter(pk=last.pk).update(voided_by=void)
    before = snapshot(case)
    case.status = previous.status
    if last.status == CaseStatus.DECIDED:
        case.fine, case.tier = None, None
    case.save(update_fields=["status", "fine", "tier", "updated_at"])
    audit_updated(actor=actor, obj=case, before=before, reason=reason)
    return void


def cases_visible_to(user: Any) -> Any:
    from accounts.models import Role

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
