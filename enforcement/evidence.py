"""The one place that selects the bin-side records a case may rest on (proposals, case pages, the notice)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from supervision.models import Observation
from supervision.outcomes import MISTAKES, Outcome
from supervision.plausibility import unflagged_evidence

if TYPE_CHECKING:
    from enforcement.models import Case

REPEAT_WINDOW_DAYS = 30


def _mistakes(*, subdistrict_id: int, start: datetime.date, end: datetime.date) -> Any:
    """Mistake records (`supervision.outcomes.MISTAKES`) in the sub-district from `start` to `end` (days, inclusive), without records
    flagged as implausible and not yet accepted by a reviewer (supervision's rule,
    `plausibility.unflagged_evidence`): they count against no one until a person has looked."""
    return unflagged_evidence(
        Observation.objects.filter(
            subdistrict_id=subdistrict_id, day__gte=start, day__lte=end, outcome__in=MISTAKES
        )
    )


def evidence_records(*, subdistrict_id: int, start: datetime.date, end: datetime.date) -> Any:
    """Mistake records by a known household in the sub-district from `start` to `end`, as an Observation
    queryset (`_mistakes`): what the repeat rule counts."""
    return _mistakes(subdistrict_id=subdistrict_id, start=start, end=end).filter(household__isnull=False)


def case_records(case: Case) -> Any:
    """The bin-side records a case rests on (its `evidence`, mistakes only, implausible ones held back), found
    through the index of mistakes by household and day, oldest first."""
    qs = _mistakes(
        subdistrict_id=case.subdistrict_id,
        start=case.violation_day - datetime.timedelta(days=REPEAT_WINDOW_DAYS + 1),
        end=case.violation_day + datetime.timedelta(days=1),
    ).filter(client_id__in=case.evidence)
    if case.household_id:
        qs = qs.filter(household_id=case.household_id)
    return qs.select_related("point").order_by("observed_at")


# What an article charges, as the outcomes of bin-side records. 57(2) is an individual *mixing* categories
# (hazardous with any other, wet with recyclables or dry, Art. 24(1)); a record of mixing, or of refusing to
# correct on the spot (the fine's condition), bears it out. A bag not broken (湿垃圾未破袋) is a mistake the
# repeat rule counts, but not mixing under 57(2): the case page shows it against the charge.
CHARGED_OUTCOMES: dict[str, frozenset[str]] = {"57(2)": frozenset({Outcome.MIXED, Outcome.REFUSED})}


@dataclass(frozen=True)
class EvidenceKind:
    outcome: str
    label: str
    n: int
    charged: bool | None  # borne out by the case's article; None: the article names no record outcome


def evidence_kinds(case: Case, records: Any) -> list[EvidenceKind]:
    """The kinds of the case's records (by outcome, as `MISTAKES` orders them) against what its article
    charges, so the officer sees when the evidence does not bear the charge out (e.g. 未破袋 under 57(2))."""
    counts = Counter(o.outcome for o in records)
    charged = CHARGED_OUTCOMES.get(case.article.code) if case.article_id else None
    labels = dict(Outcome.choices)
    return [
        EvidenceKind(
            outcome=outcome,
            label=str(labels[outcome]),
            n=counts[outcome],
            charged=None if charged is None else outcome in charged,
        )
        for outcome in MISTAKES
        if counts[outcome]
    ]
