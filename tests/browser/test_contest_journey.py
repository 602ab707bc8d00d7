"""A knowledge contest played live: a secretary hosts it, two residents answer on their phones, the
scoreboard follows."""

from __future__ import annotations

from typing import Any

import pytest

from contests.models import Question
from tests.conftest import PASSWORD, build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTIONS = [
    ("废电池属于哪一类？", ["可回收物", "有害垃圾", "湿垃圾", "干垃圾"], 1),
    ("果皮属于哪一类？", ["可回收物", "有害垃圾", "湿垃圾", "干垃圾"], 2),
]


def _login(browser: Any, url: str, username: str) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return context, page


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
        for name in ("player_a", "player_b"):
            ctx, page = _login(browser, url, name)
            contexts.append(ctx)
            page.goto(f"{url}{play_url}")
            page.click("#join button")
            page.wait_for_selector('#state[data-status="open"]')
            players.append(page)
        host.wait_for_selector('#board[data-players="2"]')  # the board polls: both joined
        host.click("#start")
        a, b = players
        for page in players:  # their phones poll and show the first question
            page.wait_for_selector("button.choice:not([disabled])")
        first = host.locator("#host-question").inner_text()
        right = next(q for q in QUESTIONS if q[0] == first)
        _tap(a, right[1][right[2]], "#verdict.ok")
        _tap(b, right[1][(right[2] + 1) % 4], "#verdict.warn")
        host.wait_for_selector('#scores tr[data-name="player_a"][data-score="1"]')
        assert host.locator('#scores tr[data-name="player_b"]').get_attribute("data-score") == "0"
        assert host.locator("#scores tbody tr").first.get_attribute("data-name") == "player_a"
        host.click("#next")
        a.wait_for_selector('#state[data-current="1"] button.choice:not([disabled])')
        host.click("#next")  # finish
        a.wait_for_selector("#final")
        assert "1" in a.locator("#final").inner_text()
    finally:
        for ctx in contexts:
            ctx.close()


def _tap(page: Any, choice: str, verdict: str) -> None:
    """Answer, and tap once more if the answer got lost: the state block is swapped every second
    (hx-swap outerHTML), and a tap that lands while its button is being replaced is dropped — a known
    weakness of the phone page (see the issue-8 follow-up in the notes). A second tap is harmless: one
    answer per player and question is a unique constraint."""
    page.get_by_role("button", name=choice).click()
    try:
        page.wait_for_selector(verdict, timeout=5_000)
    except Exception:
        page.get_by_role("button", name=choice).click()
        page.wait_for_selector(verdict)
