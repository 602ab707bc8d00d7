"""Knowledge contests: the bank from the knowledge base, answering once and in time, scores, the board,
results per residential area, the paper version."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from pypdf import PdfReader

from contests.bank import bank_generate
from contests.models import Answer, Contest, ContestQuestion, Entry, Question
from contests.selectors import board, forget_state, results_by_community, team_board
from contests.services import answer_submit, contest_create, contest_join, contest_next, contest_start
from guide.models import Item
from tests.conftest import Grid, client_for


@pytest.fixture
def bank(kb: None) -> int:
    return bank_generate(per_kind=40, seed=7)


@pytest.mark.django_db
def test_bank_is_built_from_the_knowledge_base_and_is_idempotent(bank: int) -> None:
    kinds = dict(Question.objects.values_list("kind").annotate(n=Count("id")))
    assert (
        kinds["which_bin"] == 40
        and kinds["which_is"] == 40
        and kinds["regulation"] >= 10
        and kinds["mistake"] > 0
    )
    order = ["recyclable", "hazardous", "wet", "dry"]
    for q in Question.objects.filter(kind="which_bin")[:40]:
        name = q.text.split("“")[1].split("”")[0]
        assert (
            order[q.answer] == Item.objects.get(name=name).category
        )  # the key agrees with the knowledge base
    for q in Question.objects.filter(kind="which_is")[:40]:
        right = q.choices[q.answer]
        target = order[
            [c for c in ("可回收物", "有害垃圾", "湿垃圾", "干垃圾")].index(q.text[7:].split("？")[0])
        ]
        assert Item.objects.get(name=right).category == target
        assert all(
            Item.objects.get(name=c).category != target for i, c in enumerate(q.choices) if i != q.answer
        )
    assert bank_generate(per_kind=40, seed=7) == 0


@pytest.mark.django_db
def test_answers_count_once_in_time_and_score(grid: Grid, personas: dict, bank: int) -> None:
    contest = contest_create(actor=None, node=grid.c1, title="测试赛", questions=3, seconds=10, seed=1)
    assert contest.items.count() == 3 and len({i.question.kind for i in contest.items.all()}) == 3  # a mix
    alice = contest_join(user=personas["resident"], contest=contest)
    bob = contest_join(user=personas["volunteer"], contest=contest)
    assert contest_join(user=personas["resident"], contest=contest).pk == alice.pk
    with pytest.raises(ValidationError):
        answer_submit(entry=alice, order=0, choice=0)  # not started
    contest_start(contest=contest)
    first = ContestQuestion.objects.get(contest=contest, order=0).question
    right, wrong = first.answer, (first.answer + 1) % len(first.choices)
    _a, created = answer_submit(entry=alice, order=0, choice=right)
    _again, created_again = answer_submit(entry=alice, order=0, choice=wrong)  # a second tap changes nothing
    answer_submit(entry=bob, order=0, choice=wrong)
    assert created and not created_again
    with pytest.raises(ValidationError):
        answer_submit(entry=bob, order=1, choice=0)  # not the question on screen
    contest_next(contest=contest)
    Contest.objects.filter(pk=contest.pk).update(
        question_started_at=timezone.now() - datetime.timedelta(seconds=12)
    )
    with pytest.raises(ValidationError):
        answer_submit(entry=bob, order=1, choice=0)  # 12 s > 10 s + 1 s grace
    contest.refresh_from_db()
    contest_next(contest=contest)
    contest_next(contest=contest)
    contest.refresh_from_db()
    assert contest.status == "finished"
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.score, bob.score) == (1, 0) and Answer.objects.count() == 2
    assert [e.pk for e in board(contest)] == [alice.pk, bob.pk]
    results = {r.community.code: r for r in results_by_community(grid.sd)}
    assert results[grid.c1.code].players == 2 and results[grid.c1.code].average == 0.5


@pytest.mark.django_db
def test_wrong_choice_index_is_rejected(grid: Grid, personas: dict, bank: int) -> None:
    contest = contest_create(actor=None, node=grid.c1, title="测试赛", questions=1, seconds=10, seed=1)
    entry = contest_join(user=personas["resident"], contest=contest)
    contest_start(contest=contest)
    with pytest.raises(ValidationError):
        answer_submit(entry=entry, order=0, choice=9)
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_teams_and_checks(grid: Grid, personas: dict, bank: int) -> None:
    with pytest.raises(ValidationError):
        contest_create(actor=None, node=grid.c1, title="x", questions=0)
    with pytest.raises(ValidationError):
        contest_create(actor=None, node=grid.c1, title="x", questions=5, seconds=1)
    contest = contest_create(actor=None, node=grid.sd, title="团体赛", questions=2, mode="team", seed=2)
    with pytest.raises(ValidationError):
        contest_join(user=personas["resident"], contest=contest)  # a team contest needs a team
    contest_join(user=personas["resident"], contest=contest, team="甲队")
    contest_join(user=personas["volunteer"], contest=contest, team="甲队")
    contest_join(user=personas["outsider"], contest=contest, team="乙队")
    Entry.objects.filter(team="甲队").update(score=1)
    assert [(t.team, t.players, t.score) for t in team_board(contest)] == [("甲队", 2, 2), ("乙队", 1, 0)]


@pytest.mark.django_db
def test_pages_play_board_and_paper(grid: Grid, personas: dict, bank: int) -> None:
    secretary = client_for(personas["community_secretary"])
    response = secretary.post(
        f"/contests/n/{grid.c1.code}/",
        {"title": "居民区知识竞赛", "questions": "2", "seconds": "30", "mode": "individual"},
    )
    contest = Contest.objects.get()
    assert response["Location"] == f"/contests/c/{contest.code}/"
    assert "<svg" in secretary.get(f"/contests/c/{contest.code}/").content.decode()  # the join QR code
    resident = client_for(personas["resident"])
    assert resident.post(f"/contests/c/{contest.code}/play/").status_code == 302
    waiting = resident.get(f"/contests/c/{contest.code}/state/").content.decode()
    assert 'data-status="open"' in waiting and "hx-post" not in waiting
    secretary.post(f"/contests/c/{contest.code}/", {"action": "start"})
    question = ContestQuestion.objects.get(contest=contest, order=0).question
    state = resident.post(
        f"/contests/c/{contest.code}/answer/",
        {"order": "0", "choice": str(question.answer)},
        HTTP_HX_REQUEST="true",
    )
    assert state.status_code == 200 and 'id="verdict"' in state.content.decode()
    bad = resident.post(
        f"/contests/c/{contest.code}/answer/", {"order": "x", "choice": "0"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 400
    board_html = secretary.get(f"/contests/c/{contest.code}/board/").content.decode()
    assert 'data-score="1"' in board_html
    # A player cannot run the contest; another residential area cannot see it.
    assert resident.post(f"/contests/c/{contest.code}/", {"action": "next"}).status_code == 403
    assert client_for(personas["outsider"]).get(f"/contests/c/{contest.code}/play/").status_code == 404
    pdf = secretary.get(f"/contests/c/{contest.code}/paper.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "参考答案" in text and question.text[:6] in text.replace("\n", "")


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The SQL of every statement sent on the default connection inside the block."""
    from django.db import connection

    sent: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        yield sent


def _running(grid: Grid, personas: dict, questions: int = 1) -> tuple[Contest, list[Entry]]:
    """A running contest of hand-written questions (no knowledge base needed) with two players."""
    for i in range(questions):
        Question.objects.create(
            kind="regulation",
            text=f"废电池属于哪一类？{i}",
            choices=["可回收物", "有害垃圾", "湿垃圾", "干垃圾"],
            answer=1,
        )
    contest = contest_create(
        actor=None, node=grid.c1, title="测试赛", questions=questions, seconds=20, seed=1
    )
    entries = [contest_join(user=personas[r], contest=contest) for r in ("resident", "volunteer")]
    contest_start(contest=contest)
    return contest, entries


def _ticket(client: Any, contest: Contest) -> str:
    """The answer ticket the player's phone page carries in its choices (contests.tickets)."""
    page = client.get(f"/contests/c/{contest.code}/play/").content.decode()
    found = re.search(r'"ticket": "([^"]+)"', page)
    assert found, "the question on screen carries no ticket"
    return found.group(1)


def _started_ago(contest: Contest, seconds: float) -> Contest:
    Contest.objects.filter(pk=contest.pk).update(
        question_started_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )
    contest.refresh_from_db()
    return contest


@pytest.mark.django_db
def test_board_shows_the_time_used_right_or_wrong(grid: Grid, personas: dict) -> None:
    """The host's board showed 0 s: time counted only on right answers, rounded to whole seconds. Now every
    answer's time adds up (a wrong answer's too), shown to a tenth, and it breaks ties."""
    contest, (alice, bob) = _running(grid, personas, questions=2)
    answer_submit(entry=alice, order=0, choice=1, contest=_started_ago(contest, 0.4))  # right, 0.4 s
    answer_submit(entry=bob, order=0, choice=0, contest=_started_ago(contest, 3.2))  # wrong, 3.2 s
    contest_next(contest=contest)
    answer_submit(entry=alice, order=1, choice=2, contest=_started_ago(contest, 2.5))  # wrong, 2.5 s
    answer_submit(entry=bob, order=1, choice=1, contest=_started_ago(contest, 1.0))  # right, 1.0 s
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.score, bob.score) == (1, 1)
    assert 2900 <= alice.total_ms < 3400 and 4200 <= bob.total_ms < 4700  # 0.4 + 2.5 s; 3.2 + 1.0 s
    assert [e.pk for e in board(contest)] == [alice.pk, bob.pk]  # same score: less time used first
    html = (
        client_for(personas["community_secretary"]).get(f"/contests/c/{contest.code}/board/").content.decode()
    )
    cells = re.findall(r'data-name="([^"]+)"[^>]*>.*?class="num time-used"[^>]*>([\d.]+)<', html)
    assert [(name, float(s)) for name, s in cells] == [
        (alice.name, round(alice.total_ms / 1000, 1)),
        (bob.name, round(bob.total_ms / 1000, 1)),
    ]
    assert all(float(s) > 0 for _n, s in cells)


@pytest.mark.django_db
def test_time_used_of_a_quick_single_answer_is_not_shown_as_zero(grid: Grid, personas: dict) -> None:
    contest, (alice, _bob) = _running(grid, personas)
    answer_submit(entry=alice, order=0, choice=3, contest=_started_ago(contest, 0.3))  # wrong and quick
    html = (
        client_for(personas["community_secretary"]).get(f"/contests/c/{contest.code}/board/").content.decode()
    )
    assert re.search(r'class="num time-used"[^>]*>0\.[34]<', html)


@pytest.mark.django_db
def test_the_poll_leaves_the_choices_alone_until_they_change(grid: Grid, personas: dict) -> None:
    """The 1-second poll swaps only the header; #question (the choices) comes along, out of band, only when
    the version the phone shows (`v`) is not the current one. So a tap can no longer land on a button being
    replaced."""
    contest, (alice, _bob) = _running(grid, personas)
    resident = client_for(personas["resident"])
    page = resident.get(f"/contests/c/{contest.code}/play/").content.decode()
    assert page.count('id="question"') == 1 and page.count('id="state"') == 1
    version = re.search(r'id="qv" name="v" value="([^"]+)"', page)
    assert version and version.group(1) == "running.0.0.0"
    state_url = f"/contests/c/{contest.code}/state/"
    same = resident.get(state_url, {"v": version.group(1)}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="state"' in same and 'id="question"' not in same and "hx-post" not in same
    assert 'hx-include="#qv"' in same  # the next poll sends the phone's version again
    stale = resident.get(state_url, {"v": "open.-1.0.0"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="question" hx-swap-oob="true"' in stale and stale.count('class="choice"') == 4
    # The tap: one request, one stored row, and the reply is the revealed block with its new version.
    reply = resident.post(
        f"/contests/c/{contest.code}/answer/", {"order": "0", "choice": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="verdict"' in reply and 'value="running.0.1.1"' in reply and "hx-post" not in reply
    assert list(Answer.objects.values_list("entry_id", "order", "choice", "correct")) == [
        (alice.pk, 0, 1, True)
    ]
    # The poll that was on its way with the old version brings the revealed block (harmless), later ones nothing.
    after = resident.get(state_url, {"v": "running.0.0.0"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="verdict"' in after and 'hx-swap-oob="true"' in after
    assert 'id="question"' not in resident.get(state_url, {"v": "running.0.1.1"}).content.decode()
    contest_next(contest=contest)  # finished: the phone's block changes once more
    final = resident.get(state_url, {"v": "running.0.1.1"}).content.decode()
    assert 'id="final"' in final and "hx-trigger" not in final  # and the phone stops polling


@pytest.mark.django_db
def test_an_answer_costs_one_read_and_one_write(
    grid: Grid, personas: dict, django_assert_max_num_queries: Any
) -> None:
    """The answer path under load (bench/contest_bench.py): with the page's ticket neither the session nor the
    user is read, only the question on screen (once per process and second) and the write (one statement on
    PostgreSQL; INSERT and UPDATE on SQLite, within a savepoint here). It was 12 queries, then 7."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contest, (alice, _bob) = _running(grid, personas)
    resident = client_for(personas["resident"])
    url = f"/contests/c/{contest.code}/answer/"
    ticket = _ticket(resident, contest)
    forget_state(contest.code)  # the question is read again: counted below
    with CaptureQueriesContext(connection) as tap:
        reply = resident.post(url, {"order": "0", "choice": "1", "ticket": ticket}, HTTP_HX_REQUEST="true")
    assert reply.status_code == 200 and 'id="verdict"' in reply.content.decode()
    assert len(tap.captured_queries) <= 5
    assert not [q for q in tap.captured_queries if "django_session" in q["sql"]]
    assert not [
        q for q in tap.captured_queries if q["sql"].startswith("SELECT") and "accounts_user" in q["sql"]
    ]
    with django_assert_max_num_queries(8):  # a second tap: read, a write that does nothing, the first answer
        again = resident.post(url, {"order": "0", "choice": "2"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and 'id="verdict"' in again.content.decode()
    alice.refresh_from_db()
    assert alice.score == 1 and Answer.objects.get().choice == 1


@pytest.mark.django_db
def test_a_late_or_foreign_answer_changes_nothing(grid: Grid, personas: dict) -> None:
    contest, (alice, _bob) = _running(grid, personas)
    _started_ago(contest, 25)  # 20 s + 1 s grace are over
    resident = client_for(personas["resident"])
    late = resident.post(
        f"/contests/c/{contest.code}/answer/", {"order": "0", "choice": "1"}, HTTP_HX_REQUEST="true"
    )
    assert late.status_code == 400 and "hx-post" not in late.content.decode()
    outsider = client_for(personas["outsider"])
    assert (
        outsider.post(f"/contests/c/{contest.code}/answer/", {"order": "0", "choice": "1"}).status_code == 404
    )
    assert outsider.get(f"/contests/c/{contest.code}/state/").status_code == 404
    alice.refresh_from_db()
    assert not Answer.objects.exists() and (alice.score, alice.total_ms) == (0, 0)


@pytest.mark.django_db
def test_a_tap_is_one_write_and_never_trusts_the_state_it_remembers(
    grid: Grid, personas: dict, django_assert_max_num_queries: Any
) -> None:
    """The tap's fast path (bench/contest_bench.py): the contest and its question are read once per process
    and second, so a warm tap is session, user and the write (one statement on PostgreSQL; SAVEPOINT, INSERT,
    UPDATE, RELEASE on SQLite in a test). The write itself checks what that memory says: another process's
    host moving on, or a player whose node no longer concerns the contest, change the answer as before."""
    contest, (alice, bob) = _running(grid, personas, questions=2)
    url = f"/contests/c/{contest.code}/answer/"
    volunteer, resident = client_for(personas["volunteer"]), client_for(personas["resident"])
    mine = _ticket(resident, contest)
    tap = {"order": "0", "choice": "0", "ticket": _ticket(volunteer, contest)}
    assert volunteer.post(url, tap, HTTP_HX_REQUEST="true").status_code == 200
    with django_assert_max_num_queries(4):  # the question was read by the tap before: the write only
        reply = resident.post(url, {"order": "0", "choice": "1", "ticket": mine}, HTTP_HX_REQUEST="true")
    page = reply.content.decode()
    assert reply.status_code == 200 and 'value="running.0.1.1"' in page and 'id="verdict"' in page
    assert "ok" in re.search(r'<p class="(\w+)" id="verdict"', page).group(1)  # type: ignore[union-attr]
    wrong = volunteer.post(url, {"order": "0", "choice": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="warn" id="verdict"' in wrong  # a second tap: the first (wrong) answer counts
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.score, bob.score) == (1, 0) and alice.total_ms >= 0
    assert sorted(Answer.objects.values_list("entry_id", "choice", "correct")) == sorted(
        [(alice.pk, 1, True), (bob.pk, 0, False)]
    )
    # The host moves on in another process: this one still remembers question 0 for up to a second.
    Contest.objects.filter(pk=contest.pk).update(current=1, question_started_at=timezone.now())
    late = resident.post(url, {"order": "0", "choice": "2", "ticket": mine}, HTTP_HX_REQUEST="true")
    assert (
        late.status_code == 400 and 'data-current="1"' in late.content.decode()
    )  # closed; here is question 1
    # Moved to another residential area after joining: the contest no longer concerns them (404).
    user = personas["resident"]
    user.node = grid.c2
    user.save(update_fields=["node"])
    forget_state(contest.code)  # so the write, not the remembered question, decides
    # The ticket was issued before the move: the write reads the user's node as it is now.
    assert (
        resident.post(url, {"order": "1", "choice": "1", "ticket": mine}, HTTP_HX_REQUEST="true").status_code
        == 404
    )
    assert Answer.objects.count() == 2
    alice.refresh_from_db()
    assert alice.score == 1


@pytest.mark.django_db(transaction=True)
def test_a_tap_outside_a_transaction_turns_off_the_commit_wait_for_itself_only(
    grid: Grid, personas: dict
) -> None:
    """Autocommit, as a request runs: on PostgreSQL the tap is `SET LOCAL synchronous_commit = off; WITH …`
    in one message, one implicit transaction; the setting must end with it, not stay on the connection."""
    from django.db import connection

    from contests.services import answer_fast

    contest, (alice, _bob) = _running(grid, personas)
    assert not connection.in_atomic_block
    done = answer_fast(
        user_id=personas["resident"].pk,
        code=contest.code,
        order=0,
        choice=1,
    )
    assert done is not None and done[1].entry_id == alice.pk and done[1].correct
    alice.refresh_from_db()
    assert alice.score == 1 and Answer.objects.get().choice == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_tap_is_prepared_once_per_connection_and_prepared_again_when_lost(
    grid: Grid, personas: dict
) -> None:
    """Planning the checked tap cost PostgreSQL ~1.4 ms a tap, running it ~0.3 ms: the connection prepares it
    once and then only executes it. A server that lost it (DISCARD, a pooler) gets it prepared again, and the
    tap is stored, not refused."""
    from django.db import connection

    from contests.services import answer_fast

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's statements cost no planning round trip")
    contest, (alice, bob) = _running(grid, personas)
    connection.close()  # a worker's new connection: nothing prepared on it yet

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE %s", ["wastegrid_tap_%"])
            return [row[0] for row in cursor.fetchall()]

    with statements_sent() as sent:
        first = answer_fast(user_id=personas["resident"].pk, code=contest.code, order=0, choice=1)
    assert first is not None and first[1].entry_id == alice.pk
    assert [s.split(" AS ")[0] for s in sent if s.startswith("PREPARE")] == ["PREPARE wastegrid_tap_0"]
    assert any("EXECUTE wastegrid_tap_0(" in s for s in sent) and prepared() == ["wastegrid_tap_0"]
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler or DISCARD ALL does behind Django's back
    with statements_sent() as sent:
        second = answer_fast(user_id=personas["volunteer"].pk, code=contest.code, order=0, choice=2)
    assert second is not None and second[1].entry_id == bob.pk and not second[1].correct
    assert sum(s.startswith("PREPARE") for s in sent) == 1 and prepared() == ["wastegrid_tap_0"]
    assert sorted(Answer.objects.values_list("entry_id", "choice")) == sorted([(alice.pk, 1), (bob.pk, 2)])


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_state_poll_prepares_the_tap_so_the_first_tap_only_executes(
    grid: Grid, personas: dict
) -> None:
    """The phones poll the state every second before anyone taps: a poll while a question is open prepares
    the tap on that connection (once), and the first tap then only executes it."""
    from django.db import connection

    from contests.services import answer_fast

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's statements cost no planning round trip")
    contest, (alice, _bob) = _running(grid, personas)
    connection.close()  # a worker's new connection: nothing prepared on it yet
    poller = client_for(personas["resident"])
    with statements_sent() as sent:
        for _ in range(2):
            assert (
                poller.get(f"/contests/c/{contest.code}/state/", headers={"HX-Request": "true"}).status_code
                == 200
            )
    assert sum(s.startswith("PREPARE wastegrid_tap_") for s in sent) == 1  # the first poll only
    with statements_sent() as sent:
        tapped = answer_fast(user_id=personas["resident"].pk, code=contest.code, order=0, choice=1)
    assert tapped is not None and tapped[1].entry_id == alice.pk
    assert not any(s.startswith("PREPARE") for s in sent) and any("EXECUTE wastegrid_tap_" in s for s in sent)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_tap_is_its_own_health_check_and_a_dead_connection_falls_back(
    grid: Grid, personas: dict
) -> None:
    """On a connection kept from an earlier request the tap sends no "SELECT 1" first (a round trip as dear as
    the tap); should that connection have died, the tap returns None (the full path takes it) and the
    connection is closed, so the next query connects anew and nothing fails."""
    import psycopg
    from django.db import connection

    from contests.services import answer_fast

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no health-check round trip")
    contest, (alice, bob) = _running(grid, personas)
    connection.ensure_connection()
    sent_checks: list[str] = []
    real_is_usable = connection.is_usable

    def counting_is_usable() -> bool:
        sent_checks.append("check")
        return real_is_usable()

    connection.is_usable = counting_is_usable  # type: ignore[method-assign]
    try:
        setattr(connection, "health_check_done", False)  # noqa: B010 (as at the start of a request)
        with statements_sent() as sent:
            first = answer_fast(user_id=personas["resident"].pk, code=contest.code, order=0, choice=1)
        assert first is not None and first[1].entry_id == alice.pk
        assert sent_checks == [] and any("EXECUTE wastegrid_tap_" in s for s in sent)

        # The server ends the kept connection (a restart, an idle timeout) between two requests.
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        setattr(connection, "health_check_done", False)  # noqa: B010
        lost = answer_fast(user_id=personas["volunteer"].pk, code=contest.code, order=0, choice=2)
        assert lost is None and connection.connection is None  # closed: the full path connects anew
        again = answer_fast(user_id=personas["volunteer"].pk, code=contest.code, order=0, choice=2)
    finally:
        del connection.is_usable
    assert again is not None and again[1].entry_id == bob.pk
    assert sorted(Answer.objects.values_list("entry_id", "choice")) == sorted([(alice.pk, 1), (bob.pk, 2)])


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_tap_writes_holding_the_answer_writers_lock(grid: Grid, personas: dict) -> None:
    """200 taps at once: on SQLite each answer's write waits on a file lock (the kernel wakes the next writer
    at once) instead of SQLite's busy handler, which slept up to 100 ms between tries (contests.writelock)."""
    import fcntl

    from django.db import connection

    from contests.services import answer_fast
    from contests.writelock import lock_path

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL writes rows, not the whole database, under a lock")
    contest, (alice, _bob) = _running(grid, personas)
    held: list[bool] = []

    def probe(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        """Could another process take the lock while the answer is written?"""
        if sql.startswith("INSERT INTO contests_answer"):
            with open(lock_path(), "ab") as other:  # another open file, as another worker has
                try:
                    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    held.append(True)
                else:
                    fcntl.flock(other, fcntl.LOCK_UN)
                    held.append(False)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(probe):
        done = answer_fast(
            user_id=personas["resident"].pk,
            code=contest.code,
            order=0,
            choice=1,
        )
    assert done is not None and held == [True]
    with open(lock_path(), "ab") as other:  # and let go once committed
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    alice.refresh_from_db()
    assert alice.score == 1


@pytest.mark.django_db
def test_a_ticket_answers_only_for_its_player_and_contest(grid: Grid, personas: dict) -> None:
    """The answer ticket stands in for the session on a plain tap only (contests.tickets): altered, another
    contest's, or of a deactivated account, the tap takes the logged-in path; without a session that is the
    login page, and nothing is stored."""
    from django.test import Client

    from contests.tickets import Ticket, ticket_issue, ticket_read

    contest, (alice, _bob) = _running(grid, personas, questions=2)
    resident = personas["resident"]
    ticket = _ticket(client_for(resident), contest)
    assert ticket_read(ticket) == Ticket(user_id=resident.pk, contest_id=contest.pk)
    url = f"/contests/c/{contest.code}/answer/"
    stranger = Client()  # no session
    altered = ticket[:-1] + ("A" if ticket[-1] != "A" else "B")
    assert ticket_read(altered) is None
    refused = stranger.post(url, {"order": "0", "choice": "1", "ticket": altered}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 302 and "/login/" in refused["Location"]
    other = contest_create(actor=None, node=grid.c1, title="另一场", questions=1, seconds=20, seed=2)
    wrong_contest = ticket_issue(resident, other)
    tap = {"order": "0", "choice": "1", "ticket": wrong_contest}
    assert stranger.post(url, tap, HTTP_HX_REQUEST="true").status_code == 302
    type(resident).objects.filter(pk=resident.pk).update(is_active=False)
    assert (
        stranger.post(
            url, {"order": "0", "choice": "1", "ticket": ticket}, HTTP_HX_REQUEST="true"
        ).status_code
        == 302
    )
    assert not Answer.objects.exists()
    type(resident).objects.filter(pk=resident.pk).update(is_active=True)
    # The ticket alone is the player's on a plain tap (the page that carried it was theirs).
    assert (
        stranger.post(
            url, {"order": "0", "choice": "1", "ticket": ticket}, HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )
    alice.refresh_from_db()
    assert alice.score == 1 and Answer.objects.get().entry_id == alice.pk
