"""The scoreboard and the results per residential area."""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, QuerySet, Sum
from django.utils.dateparse import parse_datetime

from contests.models import Answer, Contest, ContestStatus, Entry, Question
from grid.models import GridNode
from grid.scope import Scope, held_for


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


@dataclass
class Play:
    """One player's view of a running (or open, or finished) contest."""

    entry: Entry  # with .contest (whose .node carries only id and path)
    question: Question | None  # the question on screen, None before the start and after the end
    answer: Answer | None  # the player's answer to it, if any
    rank: int  # 1 + the players with more right answers
    concerns: bool  # the contest is held at, above or below the user's node (Scope.concerns)


# One statement for everything the phone's poll and a tap need. Written as SQL because it is the hottest path
# of the site: every phone polls once a second and 200 answer within the same second; the ORM spent ~2.5 ms
# of CPU building the four queries it replaces, this costs ~0.05 ms (measured, see bench/contest_bench.py).
_PLAY_SQL = """
SELECT e.id, e.name, e.team, e.score, e.total_ms,
       c.id, c.code, c.title, c.mode, c.status, c."current", c.question_count, c.question_started_at, c.seconds,
       n.id, n.path, un.path,
       q.id, q.text, q.choices, q.answer, q.explanation,
       a.id, a.choice, a.correct, a.ms,
       (SELECT COUNT(*) FROM contests_entry o WHERE o.contest_id = c.id AND o.score > e.score) + 1
FROM contests_entry e
JOIN contests_contest c ON c.id = e.contest_id
JOIN grid_gridnode n ON n.id = c.node_id
LEFT JOIN grid_gridnode un ON un.id = %s
LEFT JOIN contests_contestquestion cq ON cq.contest_id = c.id AND cq."order" = c."current"
LEFT JOIN contests_question q ON q.id = cq.question_id
LEFT JOIN contests_answer a ON a.entry_id = e.id AND a."order" = c."current"
WHERE c.code = %s AND e.user_id = %s
"""


def _aware(value: Any) -> datetime.datetime | None:
    """A timestamp column as read by a raw cursor: naive UTC (or its text) from SQLite, aware from PostgreSQL."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    return value  # type: ignore[no-any-return]


def play(user: Any, code: str) -> Play | None:
    """The player's view of contest `code` in one query; None when the user has not joined it (or no such
    contest). The caller answers 404 when `concerns` is False."""
    with connection.cursor() as cursor:
        cursor.execute(_PLAY_SQL, [user.node_id, code, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    (
        e_id,
        name,
        team,
        score,
        total_ms,
        c_id,
        c_code,
        title,
        mode,
        status,
        current,
        count,
        started,
        seconds,
    ) = row[:14]
    (n_id, n_path, user_path, q_id, q_text, choices, q_answer, explanation) = row[14:22]
    (a_id, a_choice, a_correct, a_ms, rank) = row[22:]
    contest = Contest(
        id=c_id,
        code=c_code,
        title=title,
        mode=mode,
        status=status,
        current=current,
        question_count=count,
        question_started_at=_aware(started),
        seconds=seconds,
        node=GridNode(id=n_id, path=n_path),
    )
    entry = Entry(
        id=e_id, contest=contest, user_id=user.pk, name=name, team=team, score=score, total_ms=total_ms
    )
    question = None
    if q_id is not None and status == ContestStatus.RUNNING:
        if isinstance(choices, str):  # SQLite and psycopg hand JSON back as text
            choices = json.loads(choices)
        question = Question(id=q_id, text=q_text, choices=choices, answer=q_answer, explanation=explanation)
    answer = None
    if a_id is not None and question is not None:
        answer = Answer(
            id=a_id, entry=entry, order=current, choice=a_choice, correct=bool(a_correct), ms=a_ms
        )
    # The user's node path came with the row: no query for user.node (Scope.of would read it).
    scope = Scope(path=user_path) if user.node_id else Scope.of(user)
    return Play(entry, question, answer, int(rank), scope.concerns(contest.node))


@dataclass
class QuestionState:
    """A running contest and the question on screen, as every player's tap needs them: the same for all 200
    phones of a contest, so read once per process and second (`question_state`), not once per tap."""

    contest: Contest  # with the fields the tap and the #question block read
    question: Question
    started_raw: Any  # question_started_at exactly as the database returned it: the write compares it
    read_at: float  # time.monotonic() of the read
    html: dict[tuple[str, int], str]  # the revealed #question block per (language, choice), rendered once


STATE_SECONDS = 1.0
_states: dict[str, QuestionState] = {}

_STATE_SQL = """
SELECT c.id, c.title, c.mode, c."current", c.question_count, c.question_started_at, c.seconds,
       q.id, q.text, q.choices, q.answer, q.explanation
FROM contests_contest c
JOIN contests_contestquestion cq ON cq.contest_id = c.id AND cq."order" = c."current"
JOIN contests_question q ON q.id = cq.question_id
WHERE c.code = %s AND c.status = %s AND c.question_started_at IS NOT NULL
"""


def question_state(code: str) -> QuestionState | None:
    """The running contest `code` and its question on screen, at most STATE_SECONDS old; None when it is not
    running. A hint only: whoever acts on it checks in the same statement that the contest is still on that
    question (services.answer_fast), so a host moving on within the second changes nothing."""
    now = time.monotonic()
    state = _states.get(code)
    if state is not None and now - state.read_at < STATE_SECONDS:
        return state
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, [code, ContestStatus.RUNNING])
        row = cursor.fetchone()
    if row is None:
        _states.pop(code, None)
        return None
    c_id, title, mode, current, count, started, seconds, q_id, text, choices, answer, explanation = row
    if isinstance(choices, str):  # SQLite and psycopg hand JSON back as text
        choices = json.loads(choices)
    contest = Contest(
        id=c_id,
        code=code,
        title=title,
        mode=mode,
        status=ContestStatus.RUNNING,
        current=current,
        question_count=count,
        question_started_at=_aware(started),
        seconds=seconds,
    )
    question = Question(id=q_id, text=text, choices=choices, answer=answer, explanation=explanation)
    if len(_states) > 1000:  # codes of contests long over
        _states.clear()
    _states[code] = state = QuestionState(contest, question, started, now, {})
    return state


def forget_state(code: str) -> None:
    """The host moved on (this process): the next tap reads the new question."""
    _states.pop(code, None)
