"""Contests: create from the bank, join, run question by question, answer (once, in time), score."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_created, saved_user
from contests.models import Answer, Contest, ContestMode, ContestQuestion, ContestStatus, Entry, Question
from grid.access import Scope
from grid.models import GridNode, Level
from lib.codes import next_code

GRACE = datetime.timedelta(seconds=1)  # a tap just as the clock runs out still counts


@transaction.atomic
def contest_create(
    *,
    actor: Any,
    node: GridNode,
    title: str,
    questions: int = 10,
    seconds: int = 20,
    mode: str = ContestMode.INDIVIDUAL,
    seed: int | None = None,
) -> Contest:
    Scope.of(actor).require(node)
    sd = node if node.level == Level.SUBDISTRICT else node.subdistrict
    if sd is None:
        raise ValidationError(_("A contest is held in a sub-district."))
    if not 1 <= questions <= 50:
        raise ValidationError(_("A contest has 1 to 50 questions."))
    if not 5 <= seconds <= 300:
        raise ValidationError(_("Allow 5 to 300 seconds per question."))
    if mode not in ContestMode.values:
        raise ValidationError(_("Unknown contest mode."))
    pool = list(Question.objects.filter(active=True).values_list("pk", "kind"))
    if len(pool) < questions:
        raise ValidationError(_("The question bank has only %(n)d questions.") % {"n": len(pool)})
    rng = random.Random(seed)
    # A mix of kinds: round-robin over the kinds, random within each.
    by_kind: dict[str, list[int]] = {}
    for pk, kind in pool:
        by_kind.setdefault(kind, []).append(pk)
    for pks in by_kind.values():
        rng.shuffle(pks)
    chosen: list[int] = []
    kinds = sorted(by_kind)
    while len(chosen) < questions:
        for kind in kinds:
            if by_kind[kind] and len(chosen) < questions:
                chosen.append(by_kind[kind].pop())
    contest = Contest.objects.create(
        subdistrict=sd,
        node=node,
        code=next_code(Contest, f"{sd.code}-QZ", 3),
        title=title.strip()[:100] or _("Sorting knowledge contest"),
        mode=mode,
        seconds=seconds,
        question_count=len(chosen),
        created_by=saved_user(actor),
    )
    ContestQuestion.objects.bulk_create(
        ContestQuestion(contest=contest, question_id=pk, order=i) for i, pk in enumerate(chosen)
    )
    audit_created(actor=actor, obj=contest)
    return contest


def _community(node: GridNode | None) -> GridNode | None:
    if node is None:
        return None
    if node.level == Level.COMMUNITY:
        return node
    if node.level == Level.MICROGRID:
        return node.parent
    return None


def contest_join(*, user: Any, contest: Contest, team: str = "") -> Entry:
    """Take part: the contest must concern the user (held at, below or above their node)."""
    Scope.of(user).require(contest.node, above=True)
    if contest.status == ContestStatus.FINISHED:
        raise ValidationError(_("This contest is over."))
    team = team.strip()[:50]
    if contest.mode == ContestMode.TEAM and not team:
        raise ValidationError(_("Give your team's name."))
    person = getattr(user, "person", None)
    entry, _created = Entry.objects.get_or_create(
        contest=contest,
        user=user,
        defaults={
            "name": (person.name if person else user.username)[:50],
            "team": team,
            "community": _community(user.node),
        },
    )
    return entry


def contest_start(*, contest: Contest, actor: Any = None) -> Contest:
    """The host starts the first question; the host's scope must cover the contest's node."""
    Scope.of(actor).require(contest.node)
    if contest.status != ContestStatus.OPEN:
        raise ValidationError(_("This contest has started already."))
    contest.status, contest.current, contest.question_started_at = ContestStatus.RUNNING, 0, timezone.now()
    contest.save(update_fields=["status", "current", "question_started_at", "updated_at"])
    return contest


def contest_next(*, contest: Contest, actor: Any = None) -> Contest:
    Scope.of(actor).require(contest.node)
    if contest.status != ContestStatus.RUNNING:
        raise ValidationError(_("This contest is not running."))
    if contest.current + 1 >= contest.question_count:
        contest.status, contest.question_started_at = ContestStatus.FINISHED, None
    else:
        contest.current += 1
        contest.question_started_at = timezone.now()
    contest.save(update_fields=["status", "current", "question_started_at", "updated_at"])
    return contest


def time_left(contest: Contest, now: datetime.datetime | None = None) -> float:
    if contest.status != ContestStatus.RUNNING or contest.question_started_at is None:
        return 0.0
    end = contest.question_started_at + datetime.timedelta(seconds=contest.seconds)
    return max(0.0, (end - (now or timezone.now())).total_seconds())


def answer_submit(
    *,
    entry: Entry,
    order: int,
    choice: int,
    contest: Contest | None = None,
    question: Question | None = None,
) -> tuple[Answer, bool]:
    """One answer per player and question: the first counts, repeats change nothing (the unique constraint
    decides, so two taps arriving at once also store one). Returns (the answer that counts, stored now?).

    `contest` and `question` (the contest's question at `contest.current`) as just read by the caller, to save
    queries on the hottest path. Every answer adds its time (ms since the question came up) to the entry's
    `total_ms`, the time used shown on the board and the tie-break; a right one adds 1 to `score`.
    Raises ValidationError (closed, time up, no such choice)."""
    contest = contest or Contest.objects.get(pk=entry.contest_id)
    now = timezone.now()
    if (
        contest.status != ContestStatus.RUNNING
        or contest.current != order
        or contest.question_started_at is None
    ):
        raise ValidationError(_("This question is closed."))
    elapsed = now - contest.question_started_at
    if elapsed > datetime.timedelta(seconds=contest.seconds) + GRACE:
        raise ValidationError(_("Time is up for this question."))
    if question is None:
        question = Question.objects.get(uses__contest=contest, uses__order=order)
    if not 0 <= choice < len(question.choices):
        raise ValidationError(_("Choose one of the answers."))
    correct = choice == question.answer
    ms = int(elapsed.total_seconds() * 1000)
    answer_id = _store_answer(entry.pk, order, choice, correct, ms, now)
    if answer_id is None:  # answered before (or the same tap arrived twice at once): the first one counts
        return Answer.objects.get(entry=entry, order=order), False
    entry.score += int(correct)
    entry.total_ms += ms
    answer = Answer(
        id=answer_id, entry=entry, order=order, choice=choice, correct=correct, ms=ms, answered_at=now
    )
    return answer, True


_INSERT_ANSWER = (
    'INSERT INTO contests_answer (entry_id, "order", choice, correct, ms, answered_at) '
    'VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (entry_id, "order") DO NOTHING RETURNING id'
)
_ADD_TO_ENTRY = "UPDATE contests_entry SET score = score + %s, total_ms = total_ms + %s WHERE id = %s"


def _store_answer(
    entry_id: int, order: int, choice: int, correct: bool, ms: int, now: datetime.datetime
) -> int | None:
    """Store the answer and add it to the entry's score and time, atomically: the new answer's id, or None
    (nothing written) when the player had answered this question.

    SQL rather than the ORM: 200 players tap in the same second, and create() with its IntegrityError round
    trip cost ~1 ms of CPU more per tap. On PostgreSQL both writes are one statement (a data-modifying CTE)
    in a transaction that does not wait for the WAL flush; SQLite has no such CTE (and its round trips cost
    nothing): a short transaction there."""
    params = [entry_id, order, choice, correct, ms, connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with transaction.atomic():
                cursor.execute(
                    f"WITH a AS ({_INSERT_ANSWER}) "
                    "UPDATE contests_entry SET score = score + %s, total_ms = total_ms + %s FROM a "
                    "WHERE contests_entry.id = %s RETURNING a.id",
                    [*params, int(correct), ms, entry_id],
                )
                row = cursor.fetchone()
        else:
            with transaction.atomic():
                cursor.execute(_INSERT_ANSWER, params)
                row = cursor.fetchone()
                if row is not None:
                    cursor.execute(_ADD_TO_ENTRY, [int(correct), ms, entry_id])
    return None if row is None else int(row[0])
