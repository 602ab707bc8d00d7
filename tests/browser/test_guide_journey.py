"""A resident on a phone asks "which bin?" in pinyin and sees the answer in the category's colour."""

from __future__ import annotations

from typing import Any

import pytest

from guide import search
from guide.services import guide_load_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_types_pinyin_and_sees_wet_waste_in_brown(live_server: Any, browser: Any) -> None:
    guide_load_dataset()
    search.reset_index()
    search._categories.clear()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/guide/")
    page.fill("#q", "xiangjiaopi")  # htmx asks as you type; no submit needed
    answer = page.locator("article.answer[data-category=wet]")
    answer.wait_for(timeout=10_000)
    name = answer.locator(".cat-name")
    assert name.inner_text() == "湿垃圾"
    assert name.evaluate("el => getComputedStyle(el).color") == "rgb(123, 75, 42)"  # Shanghai brown
    assert "香蕉皮" in answer.inner_text()
    assert "xiangjiaopi" in page.url  # the answer has a shareable address
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_answer_names_the_simplified_item_and_how_it_was_found(live_server: Any, browser: Any) -> None:
    """Issue 14: traditional input and a homophone typo answer in simplified characters, with the method in
    the page's words (zh, then en); the queries are counted under their simplified form."""
    from pathlib import Path

    from guide import counting
    from guide.models import LookupQuery

    guide_load_dataset()
    search.reset_index()
    search._categories.clear()
    shots = Path("var/screenshots/lookupwords")
    shots.mkdir(parents=True, exist_ok=True)
    for locale, steps in (
        ("zh-CN", [("電池", "电池", "按名称直接找到"), ("香焦皮", "香蕉皮", "按同音字猜测")]),
        ("en-US", [("廢紙", "废纸", "Found by its name")]),
    ):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale=locale
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/guide/")
        for query, name, words in steps:
            page.fill("#q", query)
            how = page.locator("article.answer p.how", has_text=name)
            how.wait_for(timeout=10_000)
            assert words in how.inner_text() and query not in how.inner_text()
            page.screenshot(path=str(shots / f"{locale}-{name}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()
    counting.flush()
    rows = dict(
        LookupQuery.objects.filter(text__in=["电池", "香焦皮", "废纸"]).values_list("text", "matched")
    )
    assert rows == {"电池": "电池", "香焦皮": "香蕉皮", "废纸": "废纸"}


def test_a_slow_answer_is_shown_stale_and_never_replaces_a_newer_one(
    live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walk report: on a loaded machine 1.2 s after typing 充电宝坏了 the box still showed 杯子 → 干垃圾, as if
    that were the answer. While a lookup is out the old answer is dimmed under 查询中…, and a newer query
    aborts the one in flight: the slow answer to 充电宝坏了 never lands over the answer to 香蕉皮."""
    import time
    from pathlib import Path

    from guide import views
    from tests.browser.conftest import fits, phone

    guide_load_dataset()
    search.reset_index()
    search._categories.clear()
    real_lookup = views.lookup

    def slow_lookup(q: str) -> Any:
        if "坏了" in q:
            time.sleep(1.5)  # the loaded machine of the walk
        return real_lookup(q)

    monkeypatch.setattr(views, "lookup", slow_lookup)
    shots = Path("/tmp/fix_guide")
    shots.mkdir(parents=True, exist_ok=True)
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/guide/")
    page.fill("#q", "杯子")
    page.locator("#result article.answer p.how", has_text="杯子").wait_for(timeout=10_000)
    # Every answer swapped into the box from here on, in order.
    page.evaluate(
        """() => { window.swapped = [];
        new MutationObserver(() => window.swapped.push(document.querySelector('#result').innerText))
          .observe(document.querySelector('#result'), {childList: true}); }"""
    )
    page.fill("#q", "充电宝坏了")
    page.locator("#guide-answer.htmx-request").wait_for(timeout=5_000)
    busy = page.locator("#guide-answer .busy")
    assert busy.inner_text() == "查询中…"
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#guide-answer .busy')).opacity === '1'"
        " && Number(getComputedStyle(document.querySelector('#result')).opacity) < 0.5",
        timeout=2_000,
    )
    assert "杯子" in page.locator("#result").inner_text()  # still there, but visibly stale
    page.screenshot(path=str(shots / "stale-while-looking-up.png"))
    page.fill("#q", "香蕉皮")  # the slow lookup of 充电宝坏了 is still out
    page.locator("#result article.answer[data-category=wet] p.how", has_text="香蕉皮").wait_for(
        timeout=10_000
    )
    page.wait_for_timeout(2_000)  # long after the slow answer would have come back
    assert "香蕉皮" in page.locator("#result").inner_text()
    swapped = page.evaluate("() => window.swapped")
    assert swapped and not any("充电宝" in text for text in swapped), swapped
    assert page.locator("#guide-answer.htmx-request").count() == 0
    assert page.evaluate("() => getComputedStyle(document.querySelector('#result')).opacity") == "1"
    page.screenshot(path=str(shots / "newest-answer.png"))
    fits(page)
    context.close()
