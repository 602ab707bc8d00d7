"""Repeat offenders: a preview of the households the evidence rule points at, and cases only for the ones a
secretary (or the admin) confirms.

The evidence rule. 《上海市生活垃圾分类违法行为查处规定》 counts "caught more than 3 times within 30 days" as
refusing to correct (拒不改正), which opens the way to a fine under Art. 57(2) (see
/work/shared/docs/domain-shanghai.md §1.9). We read "times" as separate occasions: a case needs mistake records
(mixed, bag not broken, refused) on at least EVIDENCE_MIN_DAYS = 4 different days within the 30 days ending on
the day of the proposal. Four taps on one morning are one occasion, not four. A refusal at the bin on its own
is a reason to persuade (the regulation's first step), not to fine: such a household is listed as "persuade
first" and is not offered.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q

from enforcement.evidence import REPEAT_WINDOW_DAYS, evidence_records
from enforcement.models import Case, CaseSource, Subject
from enforcement.services import OPEN_STATUSES, case_open
from grid.models import GridNode, Household
from grid.scope import OUT_OF_SCOPE, Scope
from lib.bilingual import Msg
from supervision.models import Outcome
from supervision.outcomes import MISTAKES

EVIDENCE_MIN_DAYS = 4  # "more than 3 times in 30 days", counted as different days
MAX_CHOSEN = 500  # households confirmed in one go; a residential area has at most a few thousand

# Why a listed household is (not) offered for a case.
OFFERED, PERSUADE_FIRST, TOO_FEW, HAS_OPEN_CASE = "offered", "persuade_first", "too_few", "open_case"


@dataclass
class Candidate:
    """One household in the preview. `days`: different days with mistakes in the window; `records`: mistake
    records; `kinds`: outcome → count; `last_days`: the latest days with mistakes (newest first, ≤ 5);
    `state`: OFFERED, PERSUADE_FIRST, TOO_FEW or HAS_OPEN_CASE; `open_case`: its code when there is one."""

    household: Household
    days: int
    records: int
    refusals: int
    kinds: dict[str, int] = field(default_factory=dict)
    last_days: list[datetime.date] = field(default_factory=list)
    state: str = OFFERED
    open_case: str = ""

    @property
    def offered(self) -> bool:
        return self.state == OFFERED


def _window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=REPEAT_WINDOW_DAYS - 1), today


def _subdistrict_of(node: GridNode) -> int:
    """Records live per sub-district: a proposal is made at a sub-district or below."""
    if node.subdistrict_id is None:
        raise ValidationError(
            str(Msg("请在街道或其下级网格中查找。", "Look within a sub-district or a node below it."))
        )
    return node.subdistrict_id


def repeat_proposal(
    *, actor: Any, node: GridNode, today: datetime.date, only: list[int] | None = None
) -> list[Candidate]:
    """Read only: households at `node` or below with mistakes on EVIDENCE_MIN_DAYS or more different days in
    the 30 days ending `today`, plus those with a refusal at the bin but too few days (PERSUADE_FIRST).
    Ordered by days, then records, most first; `only` narrows it to those household ids. PermissionDenied
    when `node` is outside the actor's scope."""
    Scope.of(actor).require(node)
    subdistrict_id = _subdistrict_of(node)
    start, end = _window(today)
    households_here = Household.objects.in_node(node)
    records = evidence_records(subdistrict_id=subdistrict_id, start=start, end=end).filter(
        household_id__in=households_here.values("pk")
    )
    if only is not None:
        records = records.filter(household_id__in=only)
    # One grouped pass: days, records and each kind of mistake per household.
    per_household = {
        row["household_id"]: row
        for row in records.values("household_id").annotate(
            days=Count("day", distinct=True),
            records=Count("client_id"),
            **{kind: Count("client_id", filter=Q(outcome=kind)) for kind in MISTAKES},
        )
    }
    refusals = {h: row[Outcome.REFUSED] for h, row in per_household.items()}
    listed = [h for h, row in per_household.items() if row["days"] >= EVIDENCE_MIN_DAYS or refusals[h]]
    if not listed:
        return []
    kinds = {h: {str(k): per_household[h][k] for k in MISTAKES if per_household[h][k]} for h in listed}
    last_days: dict[int, list[datetime.date]] = defaultdict(list)
    for household_id, day in (
        records.filter(household_id__in=listed).values_list("household_id", "day").distinct().order_by("-day")
    ):
        if len(last_days[household_id]) < 5:
            last_days[household_id].append(day)
    open_cases = dict(
        Case.objects.filter(household_id__in=listed, status__in=OPEN_STATUSES).values_list(
            "household_id", "code"
        )
    )
    households = (
        Household.objects.filter(subdistrict_id=subdistrict_id)
        .select_related("community", "building__microgrid", "grid_worker__person")
        .in_bulk(listed)
    )
    out = []
    for household_id in listed:
        row = per_household[household_id]
        enough = row["days"] >= EVIDENCE_MIN_DAYS
        state = (
            HAS_OPEN_CASE
            if household_id in open_cases
            else OFFERED
            if enough
            else PERSUADE_FIRST
            if refusals[household_id]
            else TOO_FEW
        )
        out.append(
            Candidate(
                household=households[household_id],
                days=row["days"],
                records=row["records"],
                refusals=refusals[household_id],
                kinds=kinds[household_id],
                last_days=last_days[household_id],
                state=state,
                open_case=open_cases.get(household_id, ""),
            )
        )
    out.sort(key=lambda c: (not c.offered, -c.days, -c.records, c.household.code))
    return out


@transaction.atomic
def repeat_cases_confirm(
    *, actor: Any, node: GridNode, today: datetime.date, household_codes: list[str]
) -> list[Case]:
    """Open a case (Art. 57(2), source "repeat rule", the window's records as evidence, the violation day that
    of the last record) for each chosen
    household that the evidence rule offers at `node`. Codes of households outside the actor's scope:
    PermissionDenied; codes not offered (too little evidence, unknown): ValidationError naming them; nothing
    is written in either case. Chosen households that meanwhile got an open case are skipped, so a second
    submit of the same form opens nothing twice. Returns the cases opened (each audited by `case_open`)."""
    scope = Scope.of(actor)
    scope.require(node)
    codes = sorted({c.strip() for c in household_codes if c.strip()})
    if not codes:
        return []
    if len(codes) > MAX_CHOSEN:
        raise ValidationError(
            str(Msg("一次最多确认 {n} 户。", "At most {n} households at a time.").format(n=MAX_CHOSEN))
        )
    subdistrict_id = _subdistrict_of(node)
    # Lock the chosen households: two confirmations at once cannot both open a case for one household.
    chosen = list(
        Household.objects.select_for_update()
        .filter(subdistrict_id=subdistrict_id, code__in=codes)
        .select_related("community")
    )
    for household in chosen:
        if not household.community.path.startswith(node.path) or not scope.covers(household.community):
            raise PermissionDenied(str(OUT_OF_SCOPE))
    found = repeat_proposal(actor=actor, node=node, today=today, only=[h.pk for h in chosen])
    by_code = {c.household.code: c for c in found}
    refused = [
        code for code in codes if code not in by_code or by_code[code].state in (PERSUADE_FIRST, TOO_FEW)
    ]
    if refused:
        raise ValidationError(
            str(
                Msg(
                    "以下住户不符合立案条件（30 天内至少 {d} 天有违规记录）：{c}",
                    "These households do not meet the rule (mistakes on at least {d} days in 30 days): {c}",
                ).format(d=EVIDENCE_MIN_DAYS, c="、".join(refused[:20]))
            )
        )
    opening = [by_code[code] for code in codes if by_code[code].offered]  # an open case: never a second
    evidence, last_day = _evidence_of(subdistrict_id, today, [c.household.pk for c in opening])
    created = []
    for candidate in opening:
        household = candidate.household
        case = case_open(
            actor=actor,
            community=household.community,
            subject=Subject.INDIVIDUAL,
            source=CaseSource.REPEAT_RULE,
            # The violation is the last mistake on record, not the day the case is opened (issue 17).
            violation_day=last_day.get(household.pk, today),
            article_code="57(2)",
            household=household,
            evidence=evidence[household.pk],
            data={
                "msg": "repeat",
                "params": {
                    "days": candidate.days,
                    "window": REPEAT_WINDOW_DAYS,
                    "records": candidate.records,
                },
            },
        )
        created.append(case)
    return created


def repeat_cases_propose(
    *, subdistrict: GridNode, today: datetime.date, actor: Any = None, node: GridNode | None = None
) -> list[Case]:
    """For scripts and tests: confirm every household the preview offers at `node` (default: the whole
    sub-district). The pages never call this; people confirm from the preview."""
    node = node or subdistrict
    Scope.of(actor).require(node)
    if node.pk != subdistrict.pk and node.subdistrict_id != subdistrict.pk:
        raise PermissionDenied(str(OUT_OF_SCOPE))
    offered = [c.household.code for c in repeat_proposal(actor=actor, node=node, today=today) if c.offered]
    return repeat_cases_confirm(actor=actor, node=node, today=today, household_codes=offered)


def _evidence_of(
    subdistrict_id: int, today: datetime.date, household_ids: list[int]
) -> tuple[dict[int, list[str]], dict[int, datetime.date]]:
    """The window's evidence of these households in one read: their records' client ids (oldest first) and
    the day of each one's last record."""
    start, end = _window(today)
    evidence: dict[int, list[str]] = {h: [] for h in household_ids}
    last_day: dict[int, datetime.date] = {}
    for household_id, client_id, day in (
        evidence_records(subdistrict_id=subdistrict_id, start=start, end=end)
        .filter(household_id__in=household_ids)
        .order_by("observed_at")
        .values_list("household_id", "client_id", "day")
    ):
        evidence[household_id].append(str(client_id))
        last_day[household_id] = max(day, last_day.get(household_id, day))
    return evidence, last_day


def repeat_catches(
    household_ids: list[int] | None, *, subdistrict: GridNode, today: datetime.date
) -> dict[int, list[str]]:
    """Households meeting the evidence rule (`repeat_proposal`, open case or not) in the 30 days ending
    `today` → their records' client ids (oldest first). Read only; for scripts and tests."""
    found = repeat_proposal(actor=None, node=subdistrict, today=today, only=household_ids)
    offenders = [c.household.pk for c in found if c.days >= EVIDENCE_MIN_DAYS]
    return _evidence_of(subdistrict.pk, today, offenders)[0]
