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
