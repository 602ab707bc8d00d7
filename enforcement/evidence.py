"""The one place that selects the bin-side records a case may rest on (proposals, case pages, the notice)."""

from __future__ import annotations

import datetime
from typing import Any

from supervision.models import Observation, Outcome
from supervision.plausibility import unflagged_evidence

REPEAT_WINDOW_DAYS = 30
CAUGHT = [Outcome.MIXED, Outcome.BAG_NOT_BROKEN, Outcome.REFUSED]


def evidence_records(*, subdistrict_id: int, start: datetime.date, end: datetime.date) -> Any:
    """Mistake records (CAUGHT) by a known household in the sub-district from `start` to `end` (days,
    inclusive), as an Observation queryset, without records held back as implausible (`unflagged`)."""
    qs = Observation.objects.filter(
        subdistrict_id=subdistrict_id,
        day__gte=start,
        day__lte=end,
        outcome__in=CAUGHT,
        household__isnull=False,
    )
    return unflagged(qs)


def unflagged(qs: Any) -> Any:
    """`qs` without records flagged as implausible and not yet accepted by a reviewer (supervision's rule,
    `plausibility.unflagged_evidence`): they count against no one until a person has looked."""
    return unflagged_evidence(qs)
