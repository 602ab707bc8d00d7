"""The sorting vocabulary, named once: what a drop-off's outcome can be, which outcomes are mistakes, the
rollups' counters, and the SQL and ORM expressions that count them.

Correct + corrected on the spot + mistakes = drop-offs, everywhere (`supervision.selectors.Rate`). Mistakes
are mixed, bag not broken and refused; corrected on the spot (纠正后正确) is neither correct nor a mistake.
Every reader (ingest and its rollups, reconcile, the numbers pages, reports, enforcement evidence, assessment,
the party's four leads, a grid worker's households, points) asks here instead of spelling a list again.
No imports of the app's models: `supervision.models` imports this module.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from guide.models import CategoryKey


class Outcome(models.TextChoices):
    CORRECT = "correct", _("Correct")
    MIXED = "mixed", _("Mixed")
    BAG_NOT_BROKEN = "bag_not_broken", _("Bag not broken")
    CORRECTED = "corrected", _("Corrected on the spot")
    REFUSED = "refused", _("Refused to correct")


def outcome_text(outcome: str, mixed_with: str = "") -> str:
    """A drop-off's outcome as every list of records shows it, in the page's language: "混投" — and for a
    mixed one what was mixed in, "混投（混入：有害垃圾、干垃圾）" / "Mixed (mixed in: Hazardous waste, Dry
    waste)". `mixed_with` is the record's comma-separated categories (`Observation.mixed_with`)."""
    label = str(dict(Outcome.choices).get(outcome, outcome))
    names = dict(CategoryKey.choices)
    mixed = [str(names.get(c, c)) for c in mixed_with.split(",") if c]
    if outcome != Outcome.MIXED or not mixed:
        return label
    sep = "、" if (get_language() or "").lower().startswith("zh") else ", "
    return gettext_now("%(outcome)s (mixed in: %(categories)s)") % {
        "outcome": label,
        "categories": sep.join(mixed),
    }


# The groups. Plain lists of the values (a list, as the model's index condition has always spelled it, so
# the migration state does not change).
OUTCOMES: list[str] = list(Outcome.values)
MISTAKES: list[str] = [Outcome.MIXED, Outcome.BAG_NOT_BROKEN, Outcome.REFUSED]
NOT_MISTAKES: list[str] = [Outcome.CORRECT, Outcome.CORRECTED]  # correct, or put right on the spot

# ORM, on `Observation`: a mistake. Spelled as "neither correct nor corrected", the condition of the partial
# index of a household's mistakes (`obs_household_mistakes_idx`), so PostgreSQL can use that index; over the
# five outcomes ingest admits it is the same set as `outcome IN MISTAKES`.
MISTAKE_Q = ~Q(outcome__in=NOT_MISTAKES)

# The rollups' counters. PointDay keeps one column per outcome (in `OUTCOMES` order), HouseholdDay counts
# the mistakes. The column lists are the order the writers insert them in.
POINT_OUTCOME_COLUMNS: list[str] = OUTCOMES
POINT_COUNTERS: list[str] = ["total", *POINT_OUTCOME_COLUMNS, "anonymous"]
HOUSEHOLD_COUNTERS: list[str] = ["total", "correct", "mistakes", "refused"]


def _sql_in(values: list[str]) -> str:
    return f"outcome IN ({', '.join(repr(str(v)) for v in values)})"


# SQL over raw records (a table with an `outcome` column): the condition each rollup counter counts.
# Values are the fixed outcome names above, never user input.
POINT_COUNTER_SQL: dict[str, str] = {
    **{c: f"outcome = '{c}'" for c in POINT_OUTCOME_COLUMNS},
    "anonymous": "household_id IS NULL",
}
HOUSEHOLD_COUNTER_SQL: dict[str, str] = {
    "correct": f"outcome = '{Outcome.CORRECT}'",
    "mistakes": _sql_in(MISTAKES),
    "refused": f"outcome = '{Outcome.REFUSED}'",
}


def household_counts(outcome: str) -> tuple[bool, bool, bool]:
    """A record's (correct, mistakes, refused) increments in HouseholdDay (Python twin of the SQL above)."""
    return outcome == Outcome.CORRECT, outcome in MISTAKES, outcome == Outcome.REFUSED


# ORM, on the rollups: the sums a `Rate` is made of (`.annotate(**POINT_DAY_SUMS)` / `HOUSEHOLD_DAY_SUMS`).
# PointDay's mistakes are its mistake columns added up; HouseholdDay stores them as one column.
POINT_DAY_MISTAKES = F(MISTAKES[0]) + F(MISTAKES[1]) + F(MISTAKES[2])
POINT_DAY_SUMS = {"total": Sum("total"), "correct": Sum("correct"), "mistakes": Sum(POINT_DAY_MISTAKES)}
HOUSEHOLD_DAY_SUMS = {"total": Sum("total"), "correct": Sum("correct"), "mistakes": Sum("mistakes")}
