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
