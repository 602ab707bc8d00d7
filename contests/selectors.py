"""The scoreboard and the results per residential area."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, QuerySet, Sum

from contests.models import Contest, ContestStatus, Entry
from grid.access import held_for
from grid.models import GridNode


def board(contest: Contest, limit: int = 50) -> list[Entry]:
    return list(contest.entries.order_by("-score", "total_ms", "joined_at")[:limit])


@dataclass
class TeamScore:
    team: str
    players: int
    score: int
    total_ms: int


def team_board(contest: Contest) -> list[TeamScore]:
    rows = (
        contest.entries.exclude(team="")
        .values("team")
        .annotate(players=Count("id"), score=Sum("score"), ms=Sum("total_ms"))
        .order_by("-score", "ms")
    )
    return [TeamScore(r["team"], r["players"], r["score"], r["ms"]) for r in rows]


@dataclass
class CommunityResult:
    community: GridNode
    contests: int
    players: int
    average: float | None


def contests_for(node: GridNode) -> QuerySet[Contest]:
    """Contests held at the node, above it or below it."""
    return Contest.objects.filter(held_for(node))


def results_by_community(node: GridNode) -> list[CommunityResult]:
    finished = contests_for(node).filter(status=ContestStatus.FINISHED)
    rows = (
        Entry.objects.filter(contest__in=finished, community__path__startswith=node.path)
        .values("community")
        .annotate(
            contests=Count("contest", distinct=True),
            players=Count("id"),
            average=Avg("score"),
        )
        .order_by()
    )
    names = GridNode.objects.in_bulk([r["community"] for r in rows])
    out = [CommunityResult(names[r["community"]], r["contests"], r["players"], r["average"]) for r in rows]
    out.sort(key=lambda r: (-(r.average or 0), r.community.code))
    return out
