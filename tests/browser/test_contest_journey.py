"""A knowledge contest played live on phones (390×844): a secretary hosts it, two residents answer, the
scoreboard follows. Each answer is ONE tap, and the stored Answer row is checked: the 1-second poll swaps only
the header above the choices, so a tap can no longer land on a button being replaced. Screenshots of the
steps go to var/screenshots/contest/ (zh-CN, and the English player page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from contests.models import Answer, Entry, Question
from tests.browser.conftest import login, phone
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/contest"
QUESTIONS = [
    ("废电池属于哪一类？", ["可回收物", "有害垃圾", "湿垃圾", "干垃圾"], 1),
    ("果皮属于哪一类？", ["可回收物", "有害垃圾", "湿垃圾", "干垃圾"], 2),
]


def _login(browser: Any, url: str, username: str, locale: str = "zh-CN") -> Any:
    context = phone(browser, locale)
    page = context.new_page()
    login(page, url, username)
    return context, page


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _tap_once(page: Any, choice: str, verdict: str) -> None:
    """One tap on a choice, taken while the poll is running (it swaps only #state, never #question): the
    answer's own response must bring the verdict."""
    with page.expect_response(lambda r: r.url.endswith("/answer/") and r.request.method == "POST") as reply:
        page.locator("#question").get_by_role("button", name=choice).click()
    assert reply.value.status == 200
    page.wait_for_selector(f"#question {verdict}")


def test_contest_with_two_players_and_a_live_scoreboard(live_server: Any, browser: Any) -> None:
    grid = build_grid()
    for text, choices, answer in QUESTIONS:
        Question.objects.create(kind="regulation", text=text, choices=choices, answer=answer)
    make_user("host_sec", "community_secretary", grid.c1)
    make_user("player_a", "resident", grid.c1)
    make_user("player_b", "volunteer", grid.c1)
    url = live_server.url
    contexts = []
    try:
        host_ctx, host = _login(browser, url, "host_sec")
        contexts.append(host_ctx)
        host.goto(f"{url}/contests/n/{grid.c1.code}/")
        host.fill("input[name=questions]", "2")
        host.fill("input[name=seconds]", "60")
        host.click("#new-contest button")
        host.wait_for_selector("#start")
        play_url = host.url.replace(url, "") + "play/"
        players = []
        for name, locale in (("player_a", "zh-CN"), ("player_b", "en-US")):
            ctx, page = _login(browser, url, name, locale)
            contexts.append(ctx)
            page.goto(f"{url}{play_url}")
            page.click("#join button")
            page.wait_for_selector('#question[data-status="open"]')
            players.append(page)
        host.wait_for_selector('#board[data-players="2"]')  # the board polls: both joined
        _shot(host, "1-host-waiting")
        host.click("#start")
        a, b = players
        for page in players:  # their phones poll and get the first question (out of band, once)
            page.wait_for_selector('#question[data-current="0"] button.choice:not([disabled])')
        # Let a few polls pass first: each swaps #state, and the choices must stay the same elements.
        a.locator("#question button.choice").first.evaluate("b => { b.dataset.kept = 'yes'; }")
        for _ in range(2):
            with a.expect_response(lambda r: "/state/" in r.url):
                pass
        assert a.locator('#question button.choice[data-kept="yes"]').count() == 1
        _shot(a, "2-player-question-zh")
        _shot(b, "2-player-question-en")
        first = host.locator("#host-question").inner_text()
        right = next(q for q in QUESTIONS if q[0] == first)
        _tap_once(a, right[1][right[2]], "#verdict.ok")
        _tap_once(b, right[1][(right[2] + 1) % 4], "#verdict.warn")
        _shot(a, "3-player-right-zh")
        _shot(b, "3-player-wrong-en")
        entries = {e.user.username: e for e in Entry.objects.select_related("user")}
        stored = {
            (a.entry.user.username, a.order, a.choice, a.correct)
            for a in Answer.objects.select_related("entry__user")
        }
        assert stored == {
            ("player_a", 0, right[2], True),
            ("player_b", 0, (right[2] + 1) % 4, False),
        }
        host.wait_for_selector('#scores tr[data-name="player_a"][data-score="1"]')
        assert host.locator('#scores tr[data-name="player_b"]').get_attribute("data-score") == "0"
        assert host.locator("#scores tbody tr").first.get_attribute("data-name") == "player_a"
        # The time used is shown, right or wrong (it used to read 0).
        for name in ("player_a", "player_b"):
            entries[name].refresh_from_db()
            assert entries[name].total_ms > 0
            row = f'#scores tr[data-name="{name}"][data-ms="{entries[name].total_ms}"]'
            host.wait_for_selector(row)  # the board polls once a second
            cell = host.locator(f"{row} .time-used")
            assert float(cell.inner_text()) == round(entries[name].total_ms / 1000, 1)
        _shot(host, "4-host-board")
        host.click("#next")
        a.wait_for_selector('#question[data-current="1"] button.choice:not([disabled])')
        host.click("#next")  # finish
        a.wait_for_selector("#final")
        assert "1" in a.locator("#final").inner_text()
        _shot(a, "5-player-final-zh")
    finally:
        for ctx in contexts:
            ctx.close()
