"""Contests: create from the bank, join, run question by question, answer (once, in time), score."""

from __future__ import annotations

import datetime
import random
import weakref
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_created, saved_user
from contests.models import Answer, Contest, ContestMode, ContestQuestion, ContestStatus, Entry, Question
from contests.selectors import QuestionState, forget_state, question_state
from contests.writelock import sqlite_answer_writer
from grid.models import GridNode, Level
from grid.scope import Scope
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
    entry, _created = Entry.objects.get_or_create(
        contest=contest,
        user=user,
        defaults={
            "name": user.display_name[:50],
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
    forget_state(contest.code)
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
    forget_state(contest.code)
    return contest


def time_left(contest: Contest, now: datetime.datetime | None = None) -> float:
    if contest.status != ContestStatus.RUNNING or contest.question_started_at is None:
        return 0.0
    end = contest.question_started_at + datetime.timedelta(seconds=contest.seconds)
    return max(0.0, (end - (now or timezone.now())).total_seconds())


def _time_used(contest: Contest, order: int, now: datetime.datetime) -> datetime.timedelta:
    """The time since question `order` came up. Raises ValidationError when it is not the running contest's
    question on screen or its time (and GRACE) is up. The rules of both ways to answer (answer_submit,
    answer_fast): one place."""
    started = contest.question_started_at
    if contest.status != ContestStatus.RUNNING or contest.current != order or started is None:
        raise ValidationError(_("This question is closed."))
    elapsed = now - started
    if elapsed > datetime.timedelta(seconds=contest.seconds) + GRACE:
        raise ValidationError(_("Time is up for this question."))
    return elapsed


def _mark(question: Question, choice: int, elapsed: datetime.timedelta) -> tuple[bool, int]:
    """(right?, ms used) of `choice`. Raises ValidationError when the question has no such choice."""
    if not 0 <= choice < len(question.choices):
        raise ValidationError(_("Choose one of the answers."))
    return choice == question.answer, int(elapsed.total_seconds() * 1000)


def answer_submit(
    *,
    entry: Entry,
    order: int,
    choice: int,
    contest: Contest | None = None,
    question: Question | None = None,
    answered: Answer | None = None,
) -> tuple[Answer, bool]:
    """One answer per player and question: the first counts, repeats change nothing (the unique constraint
    decides, so two taps arriving at once also store one). Returns (the answer that counts, stored now?).

    `contest`, `question` (the contest's question at `contest.current`) and `answered` (the player's answer to
    it, if any) as just read by the caller, to save queries on the hottest path. Every answer adds its time (ms
    since the question came up) to the entry's `total_ms`, the time used shown on the board and the
    tie-break; a right one adds 1 to `score`.
    Raises ValidationError (closed, time up, no such choice)."""
    contest = contest or Contest.objects.get(pk=entry.contest_id)
    now = timezone.now()
    elapsed = _time_used(contest, order, now)
    if question is None:
        question = Question.objects.get(uses__contest=contest, uses__order=order)
    correct, ms = _mark(question, choice, elapsed)
    if answered is not None and answered.order == order:  # a second tap: nothing to write
        return answered, False
    params = [entry.pk, order, choice, correct, ms, connection.ops.adapt_datetimefield_value(now)]
    stored = _store_answer(_INSERT_ANSWER, params, correct, ms)
    if stored is None:  # answered before (or the same tap arrived twice at once): the first one counts
        return Answer.objects.get(entry=entry, order=order), False
    entry.score += int(correct)
    entry.total_ms += ms
    answer = Answer(
        id=stored[0], entry=entry, order=order, choice=choice, correct=correct, ms=ms, answered_at=now
    )
    return answer, True


_COLUMNS = 'INSERT INTO contests_answer (entry_id, "order", choice, correct, ms, answered_at) '
_UNLESS_ANSWERED = ' ON CONFLICT (entry_id, "order") DO NOTHING RETURNING id, entry_id'
_INSERT_ANSWER = _COLUMNS + "VALUES (%s, %s, %s, %s, %s, %s)" + _UNLESS_ANSWERED
# The same row, written only while the contest is on the question the caller saw (status, index and the very
# timestamp it came up at) and the player's entry concerns them as they are now (an active user whose node, read
# in the same statement, is the contest's node, above it or below it: Scope.concerns on materialised paths). SQLite wants a WHERE before ON CONFLICT: there is one.
_INSERT_CHECKED = (
    _COLUMNS + "SELECT e.id, %s, %s, %s, %s, %s FROM contests_entry e "
    "JOIN contests_contest c ON c.id = e.contest_id "
    "JOIN grid_gridnode cn ON cn.id = c.node_id "
    "JOIN accounts_user u ON u.id = e.user_id "
    "JOIN grid_gridnode un ON un.id = u.node_id "
    'WHERE e.contest_id = %s AND e.user_id = %s AND u.is_active AND c.status = %s AND c."current" = %s '
    "AND c.question_started_at = %s "
    "AND (substr(un.path, 1, length(cn.path)) = cn.path OR substr(cn.path, 1, length(un.path)) = un.path)"
    + _UNLESS_ANSWERED
)
_ADD_TO_ENTRY = "UPDATE contests_entry SET score = score + %s, total_ms = total_ms + %s WHERE id = %s"


def answer_fast(
    *, user_id: int, code: str, order: int, choice: int, contest_id: int | None = None
) -> tuple[QuestionState, Answer] | None:
    """The tap of player `user_id` (from an answer ticket, contests.tickets) on the question on screen, in one
    write and no read (200 phones tap within the same second: bench/contest_bench.py). The contest and its
    question come from `question_state` (read once per process and second); the write itself checks that the
    contest is still on that question, that the user has joined it and that it concerns them, and stores the
    answer unless they answered before.

    Returns (the state, the stored answer), or None when anything is not plainly so (not running, another
    question, time up, no such choice, not joined, out of scope, answered before, a user bound to no node, a
    dead connection): the caller then takes the full path (`answer_submit`), which tells which and answers
    accordingly."""
    # The tap is its own health check. On a connection kept from an earlier request Django would first send a
    # "SELECT 1" (CONN_HEALTH_CHECKS), a round trip as dear as the tap. Should that connection have died (a
    # server restart, an idle timeout), the tap fails instead: the connection is closed and the caller's full
    # path, on a new connection, takes the tap (and finds it, should it have been stored after all).
    unchecked = (
        connection.connection is not None
        and not getattr(connection, "health_check_done", True)  # (django-stubs do not know the attribute)
        and not connection.in_atomic_block
    )
    if unchecked:
        setattr(connection, "health_check_done", True)  # noqa: B010
    try:
        return _tap(user_id=user_id, code=code, order=order, choice=choice, contest_id=contest_id)
    except (OperationalError, InterfaceError):
        if not unchecked:
            raise
        connection.close()
        return None


def _tap(
    *, user_id: int, code: str, order: int, choice: int, contest_id: int | None
) -> tuple[QuestionState, Answer] | None:
    state = question_state(code)
    if state is None or contest_id not in (None, state.contest.pk):
        return None  # (a ticket of another contest: the full path judges the tap)
    contest, question = state.contest, state.question
    now = timezone.now()
    try:
        correct, ms = _mark(question, choice, _time_used(contest, order, now))
    except ValidationError:
        return None
    params = [order, choice, correct, ms, connection.ops.adapt_datetimefield_value(now)]
    params += [contest.pk, user_id, ContestStatus.RUNNING, order, state.started_raw]
    stored = _store_answer(_INSERT_CHECKED, params, correct, ms)
    if stored is None:
        return None
    answer = Answer(
        id=stored[0], entry_id=stored[1], order=order, choice=choice, correct=correct, ms=ms, answered_at=now
    )
    return state, answer


def _store_answer(insert: str, params: list[Any], correct: bool, ms: int) -> tuple[int, int] | None:
    """Store the answer (`insert`: one of the INSERTs above with its parameters) and add it to the entry's
    score and time, atomically: (the new answer's id, its entry's id), or None (nothing written) when the
    player had answered this question or the INSERT found nothing to write.

    SQL rather than the ORM: 200 players tap in the same second, and create() with its IntegrityError round
    trip cost ~1 ms of CPU more per tap. On PostgreSQL both writes are one statement (a data-modifying CTE),
    sent in one round trip as its own transaction (no BEGIN / COMMIT round trips) that does not wait for the
    WAL flush: a commit waited 2–4 ms for the disk here, and an answer lost to a server crash in the next
    fraction of a second is the same durability SQLite has in WAL mode with synchronous=NORMAL (settings).
    Inside a caller's transaction the statement just joins it (SET LOCAL would change that transaction's
    commit). SQLite has no such CTE (and its round trips cost nothing): a short transaction there, begun only
    once this process holds the answer writers' lock (contests.writelock), so taps queue instead of sleeping."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = _tap_sql(insert)
            # psycopg binds parameters on the client (Django's default), so two statements go in one message;
            # PostgreSQL runs such a message as one implicit transaction, which SET LOCAL applies to.
            own = not connection.in_atomic_block and not connection.settings_dict["OPTIONS"].get(
                "server_side_binding"
            )
            prefix = "SET LOCAL synchronous_commit = off; " if own else ""
            _execute_prepared(cursor, sql, [*params, int(correct), ms], prefix=prefix)
            if own:
                cursor.nextset()  # past SET's empty result
            row = cursor.fetchone()
        else:
            with sqlite_answer_writer(), transaction.atomic():
                cursor.execute(insert, params)
                row = cursor.fetchone()
                if row is not None:
                    cursor.execute(_ADD_TO_ENTRY, [int(correct), ms, row[1]])
    return None if row is None else (int(row[0]), int(row[1]))


# PostgreSQL plans the checked tap (five joins, a conflict clause, a CTE) in ~1.4 ms and runs it in ~0.3 ms
# (EXPLAIN ANALYZE on the bench's contest): each connection prepares each tap statement once, by name, and then
# only executes it. Prepared statements live as long as the server session, whatever happens to transactions;
# the set below follows Django's raw connection, so a new connection prepares again.
_PREPARED: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def _tap_sql(insert: str) -> str:
    """PostgreSQL's tap: `insert` (one of the INSERTs above) and the entry's score in one statement."""
    return (
        f"WITH a AS ({insert}) "
        "UPDATE contests_entry SET score = score + %s, total_ms = total_ms + %s FROM a "
        "WHERE contests_entry.id = a.entry_id RETURNING a.id, a.entry_id"
    )


def tap_prepare() -> None:
    """On PostgreSQL, prepare the fast tap (`answer_fast`'s statement) on this connection ahead of the first
    tap; nothing when it is prepared already (a lookup) or on SQLite. The state poll calls it while a question
    is open, so the first question's taps find the statement ready, as every later question's do."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        _prepared_name(cursor, _tap_sql(_INSERT_CHECKED))


def _prepared_name(cursor: Any, sql: str) -> str:
    """The name `sql` (%s placeholders) is prepared under on this connection, preparing it when it is not."""
    names = _PREPARED.setdefault(connection.connection, {})
    name = names.get(sql)
    if name is None:
        name = f"wastegrid_tap_{len(names)}"
        parts = sql.split("%s")  # %s → $1, $2…
        numbered = "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]
        cursor.execute(f"PREPARE {name} AS {numbered}")
        names[sql] = name
    return name


def _execute_prepared(cursor: Any, sql: str, params: list[Any], *, prefix: str = "") -> None:
    """Execute `sql` (%s placeholders) with `params` as a statement prepared on this connection, after
    `prefix` (statements sent in the same message). Should the server have lost it (a pooler between, a
    DISCARD), the statement is prepared again and, outside a caller's transaction, the tap is sent once more;
    a second loss raises (a pooler that never keeps a session's statements is not one this path can serve)."""
    for attempt in (1, 2):
        name = _prepared_name(cursor, sql)
        try:
            cursor.execute(prefix + f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
            return
        except DatabaseError as exc:
            lost = getattr(exc.__cause__, "sqlstate", None) == "26000"  # no such prepared statement
            if not lost or attempt == 2 or connection.in_atomic_block:
                raise
            _PREPARED.pop(connection.connection, None)
