"""What a household's own page shows (the page its QR sheet opens, and a resident's login): its points and
ledger, its recent drop-offs and how they went, activities it may join, the rewards and its redemptions. It reads
five apps, so it is the project's (moved from grid/resident.py).

Only this household's rows, and no one's name or phone: the page is read by whoever holds the sheet. Every
query names the household's sub-district (the distribution key, tests/wastegrid/test_resident.py checks it).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from activities.models import Activity, ActivityStatus, Registration
from activities.selectors import open_to_everyone, with_signed_up
from enforcement.models import Case
from enforcement.services import OPEN_STATUSES
from grid.models import Household
from grid.scope import held_for
from points.models import LedgerEntry, PointsAccount, Redemption, Reward
from supervision.models import HouseholdDay, Observation
from supervision.outcomes import MISTAKE_Q
from supervision.selectors import Rate

DAYS = 30  # "recent": the same 30 days the grid worker's and the household page use
LEDGER_ROWS = 10  # the latest; the full statement is at the counter
ACTIVITY_ROWS = 6
MISTAKE_ROWS = 10


@dataclass
class SortingDay:
    """One day of drop-offs from the household's daily rollup. `corrected`: put right on the spot after a
    volunteer's word; `wrong`: mixed, bag not broken or refused (supervision.Outcome)."""

    day: datetime.date
    total: int
    correct: int
    corrected: int
    wrong: int


@dataclass
class ResidentPage:
    household: Household
    balance: int
    ledger: list[LedgerEntry]
    rate: Rate
    days: list[SortingDay]
    mistakes: list[Observation]
    activities: Sequence[Activity]
    rewards: list[Reward]
    redemptions: list[Redemption]
    since: datetime.date
    # The household is the party concerned in its own enforcement case: what stage, by when, what to do.
    case: Case | None = None
    attended: Sequence[Registration] = ()


def resident_page(household: Household, *, now: datetime.datetime | None = None) -> ResidentPage:
    """The page's data for one household (loaded with `building` and `community`); a handful of queries,
    each bounded by the row limits above."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = today - datetime.timedelta(days=DAYS - 1)
    sd = household.subdistrict_id
    account = PointsAccount.objects.filter(subdistrict_id=sd, household=household).first()
    ledger = list(
        LedgerEntry.objects.filter(subdistrict_id=sd, household=household).order_by("-day", "-id")[
            :LEDGER_ROWS
        ]
    )
    # Correct drop-offs are counted in the daily rollup and never stored per household in an index (most
    # records are correct); the rollup gives each day's tally and the raw records only the wrong ones.
    rollup = list(
        HouseholdDay.objects.filter(subdistrict_id=sd, household=household, day__gte=since).order_by("-day")
    )
    days = [
        SortingDay(r.day, r.total, r.correct, r.total - r.correct - r.mistakes, r.mistakes) for r in rollup
    ]
    rate = Rate(
        total=sum(d.total for d in days),
        correct=sum(d.correct for d in days),
        mistakes=sum(d.wrong for d in days),
    )
    mistakes = list(
        Observation.objects.filter(subdistrict_id=sd, household_id=household.pk, day__gte=since)
        .filter(MISTAKE_Q)
        .select_related("point")
        .order_by("-day", "-observed_at")[:MISTAKE_ROWS]
    )
    # Those the household may join (none meant for party members only), each marked when someone of the
    # household has signed up.
    offered = open_to_everyone(
        Activity.objects.filter(
            held_for(household.community),
            subdistrict_id=sd,
            status=ActivityStatus.PUBLISHED,
            starts_at__gt=now,
        )
    )
    activities = list(
        with_signed_up(offered, person__subdistrict_id=sd, person__household_id=household.pk)
        .select_related("node")
        .annotate(taken=Count("registrations"))
        .order_by("starts_at")[:ACTIVITY_ROWS]
    )
    for a in activities:
        a.places_left = max(a.capacity - a.taken, 0) if a.capacity else None  # type: ignore[attr-defined]
    rewards = list(Reward.objects.filter(subdistrict_id=sd, active=True).order_by("cost", "name"))
    case = (
        Case.objects.filter(subdistrict_id=sd, household=household, status__in=OPEN_STATUSES)
        .select_related("article")
        .order_by("-created_at")
        .first()
    )
    # Activities someone of the household came to (checked in): titles and days only, no names.
    attended = list(
        Registration.objects.filter(
            activity__subdistrict_id=sd,
            person__subdistrict_id=sd,
            person__household_id=household.pk,
            checked_in_at__isnull=False,
        )
        .select_related("activity")
        .order_by("-activity__starts_at")[:ACTIVITY_ROWS]
    )
    redemptions = list(
        Redemption.objects.filter(household=household, entry__subdistrict_id=sd)
        .select_related("reward", "entry")
        .order_by("-at")[:LEDGER_ROWS]
    )
    return ResidentPage(
        household=household,
        balance=account.balance if account else 0,
        ledger=ledger,
        rate=rate,
        days=days,
        mistakes=mistakes,
        activities=activities,
        rewards=rewards,
        redemptions=redemptions,
        since=since,
        case=case,
        attended=attended,
    )
