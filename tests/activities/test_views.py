"""Short words with two senses get a message context each: the planner's "From" is a start time (开始),
the assessment evidence's "From" a source (来源)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation

from accounts.models import Role, User
from activities.models import Activity, ActivityStatus
from activities.services import activity_check_in, activity_create, who_may_join
from grid.services.records import person_create
from tests.conftest import Grid, client_for
from tests.personas import party_member

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


def _under_way(grid: Grid, **extra: Any) -> Activity:
    """A published two-hour activity in c1 that began 30 minutes ago unless `starts_at` says when (120 minutes,
    20 points credited); `extra`: activity_create's other arguments."""
    start = extra.pop("starts_at", timezone.now() - datetime.timedelta(minutes=30))
    fields: dict[str, Any] = {
        "actor": None,
        "node": grid.c1,
        "kind": "training",
        "title": "桶边指导",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "credit_minutes": 120,
        "points": 20,
        "publish": True,
    }
    return activity_create(**{**fields, **extra})


@pytest.mark.django_db
def test_the_planner_chooses_no_kind_by_default_and_names_the_party_only_ones(
    grid: Grid, personas: dict[str, User]
) -> None:
    """A 桶边指导 made on a phone became a theme party day (the first kind, taken by default): party-only."""
    client = client_for(personas[Role.COMMUNITY_SECRETARY])
    html = client.get(f"/activities/n/{grid.c1.code}/").content.decode()
    select = re.search(r'<select name="kind"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None and "required" in select.group(0)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select.group(1))
    assert options[0] == (' value="" selected', "请选择类型")
    assert all("selected" not in attrs for attrs, _label in options[1:])
    assert [label for attrs, label in options if "仅限党员" in label] == ["主题党日 · 仅限党员"]
    assert "仅党员可参加：主题党日。其他类型对所有人开放。" in _text(html)
    # Posted without a kind (an old page, no browser check): refused, nothing made.
    day = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    refused = client.post(f"/activities/n/{grid.c1.code}/", {"title": "桶边指导", "day": day})
    assert refused.status_code == 400 and "请选择活动类型" in refused.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_a_party_only_check_in_list_offers_no_tick_to_non_members(
    grid: Grid, personas: dict[str, User]
) -> None:
    """Ticking a non-member on a theme party day's list ended in a 400: they are listed with the reason."""
    member = party_member(grid, "党员甲", household=grid.h1).person
    outsider = person_create(actor=None, node=grid.c1, name="居民乙")
    theme_day = _under_way(grid, kind="theme_day", title="主题党日")
    client = client_for(personas[Role.COMMUNITY_SECRETARY])
    url = f"/activities/a/{theme_day.code}/"
    html = client.get(url, {"q": "居民乙"}).content.decode()
    row = re.search(rf'<tr data-person="{outsider.pk}"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None and 'type="checkbox"' not in row.group(1) and "非党员" in row.group(1)
    row = re.search(rf'<tr data-person="{member.pk}"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None and f'name="person" value="{member.pk}"' in row.group(1)
    # Open to everyone: the same person is offered a tick.
    training = _under_way(grid)
    html = client.get(f"/activities/a/{training.code}/", {"q": "居民乙"}).content.decode()
    row = re.search(rf'<tr data-person="{outsider.pk}"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None and f'name="person" value="{outsider.pk}"' in row.group(1)
    assert who_may_join(theme_day, [member, outsider]) == {member.pk}


@pytest.mark.django_db
def test_an_activity_under_way_heads_the_upcoming_list_and_reads_in_progress(
    grid: Grid, personas: dict[str, User]
) -> None:
    now = _under_way(grid, title="正在进行的培训")
    later = _under_way(grid, title="明天的培训", starts_at=timezone.now() + datetime.timedelta(days=1))
    client = client_for(personas[Role.COMMUNITY_SECRETARY])
    html = client.get(f"/activities/n/{grid.c1.code}/").content.decode()
    upcoming = re.search(r'<section id="upcoming">(.*?)</section>', html, re.S)
    assert upcoming is not None
    items = re.findall(r"<li[^>]*>(.*?)</li>", upcoming.group(1), re.S)
    assert "正在进行的培训" in items[0] and "进行中" in items[0] and "明天的培训" in items[1]
    assert "进行中" not in items[1]
    page = client.get(f"/activities/a/{now.code}/").content.decode()
    assert re.search(r'<span id="status">进行中</span>', page)
    assert '<span id="status">已发布</span>' in client.get(f"/activities/a/{later.code}/").content.decode()


@pytest.mark.django_db
def test_ending_says_what_was_credited_and_back_keeps_the_summary(
    grid: Grid, personas: dict[str, User]
) -> None:
    from django.utils import translation

    past = timezone.now() - datetime.timedelta(hours=3)
    held = _under_way(grid, starts_at=past)
    client = client_for(personas[Role.COMMUNITY_SECRETARY])
    url = f"/activities/a/{held.code}/"
    # Nobody checked in: said plainly, not "0 people are credited 0 minutes each".
    text = _text(client.post(url, {"action": "close", "summary": "分类指导顺利"}).content.decode())
    assert "还没有人签到：结束后不计入任何时长和积分" in text and "0 人" not in text
    alice = person_create(actor=None, node=grid.c1, name="甲", household=grid.h1)
    activity_check_in(actor=None, activity=held, person=alice, after_the_doors=True)
    asked = client.post(url, {"action": "close", "summary": "分类指导顺利"}).content.decode()
    back = re.search(r'<form method="post" action="([^"]*)" id="confirm-back-form">(.*?)</form>', asked, re.S)
    assert back is not None and 'id="confirm-back"' in asked
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', back.group(2)))
    assert fields["summary"] == "分类指导顺利" and fields["went_back"] == "1" and "confirmed" not in fields
    again = client.post(back.group(1), {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"})
    assert again.status_code == 200 and ">分类指导顺利</textarea>" in again.content.decode()
    held.refresh_from_db()
    assert held.status == ActivityStatus.PUBLISHED  # going back ends nothing
    done = client.post(url, {"action": "close", "summary": "分类指导顺利", "confirmed": "1"}, follow=True)
    assert "已结束：1 人每人计入 120 分钟、20 积分。" in done.content.decode()
    held.refresh_from_db()
    assert held.status == ActivityStatus.DONE
    # One word for a held activity: the status and the confirmation's line agree (已举办).
    with translation.override("zh-hans"):
        assert translation.gettext("Held") == "已举办"
        assert "已举办" in translation.gettext(
            "The activity is marked as held; nobody can check in or register any more."
        )
