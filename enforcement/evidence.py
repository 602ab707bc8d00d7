"""The one place that selects the bin-side records a case may rest on (proposals, case pages, the notice)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from supervision.models import Observation
from supervision.outcomes import MISTAKES
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
