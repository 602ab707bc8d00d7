"""Short words with two senses get a message context each: the planner's "From" is a start time (开始),
the assessment evidence's "From" a source (来源)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import Role, User
from tests.conftest import Grid, client_for

TEMPLATES = Path(settings.BASE_DIR) / "templates"
AMBIGUOUS = ("From", "To")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_ambiguous_short_words_always_carry_a_context() -> None:
    bare = [
        f"{path.relative_to(TEMPLATES)}: {word}"
        for path in TEMPLATES.rglob("*.html")
        for word in AMBIGUOUS
        if re.search(r"\{%\s*translate\s+[\"']" + word + r"[\"']\s*%\}", path.read_text())
    ]
    assert bare == []
    # A bare "Report" is a resident's report (举报); the report document (报表) says so by its context.
    today = (TEMPLATES / "accounts/partials/today.html").read_text()
    assert '{% translate "Report" context "report document" %}' in today
    with translation.override("zh-hans"):
        assert translation.pgettext("start of a time range", "From") == "开始"
        assert translation.pgettext("end of a time range", "To") == "结束"
        assert translation.pgettext("where evidence comes from", "From") == "来源"


@pytest.mark.django_db
def test_the_planner_asks_for_a_start_and_an_end_time(grid: Grid, personas: dict[str, User]) -> None:
    client = client_for(personas[Role.SUBDISTRICT_ADMIN])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(f"/activities/n/{grid.c1.code}/").content.decode()
    label = re.search(r'<label>([^<]*)<input type="time" name="start"', html)
    assert label is not None and label.group(1) == "开始"
    assert "来源" not in _text(html)
