"""What the office home pages show: the secretary's "today", the area lead's and admin's week and what
waits for their decision, the liaison's desk. Each panel asks the selectors of the app that owns the data;
nothing here reads another app's tables itself."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import MANAGE_AREA
from activities.selectors import activities_week
from enforcement.models import CaseStatus
from enforcement.selectors import case_counts, cases_awaiting_step, open_case_counts
from grid.models import GridNode, Level
from grid.scope import Scope
from grid.selectors import imports_recent, imports_summary
from party.selectors import last_visits, needs_visit
from reports.selectors import report_jobs_recent
from supervision.plausibility import flagged_pending_count
from supervision.selectors import Rate, gaps, missed, numbers_by_child, repeat_offenders
from units.selectors import liaison_desk, overdue_commitments

REPEAT_DAYS = 30  # "repeated mistakes": in the last 30 days (the regulation's window for repeat catches)
REPEAT_MIN = 3  # … at least this many mistakes


@dataclass
class Today:
    """The secretary's (and a sub-district admin's) day: each list is what a link on the page handles."""

    day: datetime.date
    gaps_today: list[Any]
    gaps_tomorrow: list[Any]
    repeat: list[tuple[Any, datetime.date | None, bool]]  # (repeat offender, last visit, needs a visit?)
    cases_open: int
    cases: list[Any]
    imports: list[Any]
    reports: list[Any]
    activities: list[Any]
    flagged: int = 0  # records held out of case evidence until reviewed (supervision.plausibility)


def _today_windows(node: GridNode, day: datetime.date) -> list[Any]:
    """Today's windows to act on: those that ended with nobody checked in (`missed` set: 未到岗, listed first,
    whatever the sign-ups promised), then the understaffed ones not over yet (someone can still be signed
    up). A window that ended with someone checked in is neither."""
    now = timezone.now()
    gone = missed(node, day, now)
    for s in gone:
        s.missed = True  # type: ignore[attr-defined]  # read by templates/accounts/partials/today.html
    ended = {s.pk for s in gone}
    ahead = [s for s in gaps(node, day) if s.pk not in ended and now < s.ends_at]
    return gone + ahead


def today_for(user: User, node: GridNode, day: datetime.date) -> Today:
    """About a dozen queries, whatever the size of the residential area."""
    since = timezone.now() - datetime.timedelta(days=2)
    cases_open, cases = cases_awaiting_step(user, today=day, limit=8)
    repeat = repeat_offenders(
        node, since=day - datetime.timedelta(days=REPEAT_DAYS - 1), min_mistakes=REPEAT_MIN, limit=8
    )
    # Each with its last door-to-door visit, by the one "needs a visit" rule the dashboard and the grid
    # worker's list follow: a household visited this quarter is no longer to visit (party.selectors).
    visited = (
        last_visits(repeat[0].household.subdistrict_id, [r.household.pk for r in repeat]) if repeat else {}
    )
    return Today(
        day=day,
        gaps_today=_today_windows(node, day),
        gaps_tomorrow=gaps(node, day + datetime.timedelta(days=1)),
        repeat=[
            (r, visited.get(r.household.pk), needs_visit(visited.get(r.household.pk), day)) for r in repeat
        ],
        cases_open=cases_open,
        cases=cases,
        imports=imports_recent(user, since),
        reports=report_jobs_recent(node, since),
        activities=activities_week(node, day, drafts=True, person_id=user.person_id),
        flagged=flagged_pending_count(user),
    )


@dataclass
class Change:
    """One child of the reader's node (an area, or a residential area): this week against the last."""

    node: GridNode
    now: Rate
    before: Rate

    @property
    def records_delta(self) -> int | None:
        """Records this week minus last week's; None when last week had none (no comparison: the change would
        be this week's total, a misleading "+N": the page says "new" instead)."""
        return self.now.total - self.before.total if self.before.total else None

    @property
    def rate_delta(self) -> str:
        """Change of the mistakes rate in percentage points ("+1.2", "−0.4", "—" without data)."""
        if not self.now.total or not self.before.total:
            return "—"
        delta = (self.now.mistakes / self.now.total - self.before.mistakes / self.before.total) * 100
        return f"{delta:+.1f}".replace("-", "−")

    @property
    def mistakes_pct(self) -> str:
        return f"{self.now.mistakes * 100 / self.now.total:.1f}%" if self.now.total else "—"

    @property
    def worse(self) -> bool:
        return self.rate_delta.startswith("+") and self.rate_delta != "+0.0"


@dataclass
class Week:
    """The area lead's and the admin's page: the last 7 days against the 7 before, per child node, and the
    things that wait for a decision."""

    start: datetime.date
    end: datetime.date
    total: Change
    children: list[Change]
    cases_opened: tuple[int, int]  # (this week, last week)
    cases_closed: tuple[int, int]
    imports: tuple[int, int, int]  # done, rows, rejected (this week)
    decisions: list[tuple[str, int, str]] = field(default_factory=list)  # (what, how many, link)


def week_for(user: User, node: GridNode, day: datetime.date) -> Week:
    """The last seven days (ending yesterday: today is not over) against the seven before. A dozen
    queries: two per period from the rollups, two for cases, one for imports, the decisions."""
    end = day - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=6)
    before_end = start - datetime.timedelta(days=1)
    before_start = before_end - datetime.timedelta(days=6)
    scope = Scope.of_node(node)
    now = numbers_by_child(node, start, end, scope=scope)
    before = numbers_by_child(node, before_start, before_end, scope=scope)
    tz = timezone.get_current_timezone()

    def moment(d: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(d, datetime.time.min, tzinfo=tz)

    this_week = (moment(start), moment(day))
    last_week = (moment(before_start), moment(start))
    opened_now, closed_now = case_counts(user, *this_week)
    opened_before, closed_before = case_counts(user, *last_week)
    children = [Change(n.node, n.drops, b.drops) for n, b in zip(now[1:], before[1:], strict=True)]
    total = Change(node, Rate(), Rate())
    for c in children or [Change(node, now[0].drops, before[0].drops)]:
        for mine, theirs in ((total.now, c.now), (total.before, c.before)):
            mine.total += theirs.total
            mine.correct += theirs.correct
            mine.mistakes += theirs.mistakes
    return Week(
        start=start,
        end=end,
        total=total,
        children=children,
        cases_opened=(opened_now, opened_before),
        cases_closed=(closed_now, closed_before),
        imports=imports_summary(node, *this_week),
    )


def decisions_for(user: User, node: GridNode, day: datetime.date) -> list[tuple[str, int, str]]:
    """(what, how many, the page where it is decided): cases proposed or refused (start or refer), windows
    understaffed tomorrow, member units' commitments past their due day. Only non-zero ones."""
    items: list[tuple[str, int, str]] = []
    counts = open_case_counts(user, today=day)
    case_list = reverse("enforcement:case_list")
    items.append(
        (
            _("Proposed cases to start or dismiss"),
            counts.get(CaseStatus.PROPOSED, 0),
            f"{case_list}?status=proposed",
        )
    )
    items.append(
        (
            _("Refusals to refer to law enforcement"),
            counts.get(CaseStatus.REFUSED, 0),
            f"{case_list}?status=refused",
        )
    )
    items.append((_("Cases past their deadline"), counts["overdue"], f"{case_list}?due=overdue"))
    if user.has_role(MANAGE_AREA):
        items.append(
            (_("Flagged records to review"), flagged_pending_count(user), reverse("supervision:flagged"))
        )
    if node.level in (Level.SUBDISTRICT, Level.AREA, Level.COMMUNITY):
        # Leads to tomorrow's part of the list of those windows (and each one's roster), which the area lead
        # may open too: the page lists the windows the figure counts, not today's first. The same words and
        # rule ("1/2 people" is understaffed) as the secretary's home (issue 17).
        tomorrow = len(gaps(node, day + datetime.timedelta(days=1)))
        items.append(
            (
                _("Understaffed windows tomorrow"),
                tomorrow,
                reverse("supervision:understaffed", args=[node.code]) + "?day=tomorrow",
            )
        )
    items.append(
        (_("Member units' commitments past due"), overdue_commitments(user, day), reverse("units:list"))
    )
    return [item for item in items if item[1]]


def liaison_for(user: User, day: datetime.date) -> list[Any]:
    return liaison_desk(user, day)
