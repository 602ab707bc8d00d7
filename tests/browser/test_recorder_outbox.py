"""The recorder's outbox on a phone (issue 14): each tap says what was recorded with an Undo; a refused record
shows the server's reason and can be corrected and sent again, or discarded; an expired session asks to log
in again; a phone whose storage is full keeps the record; records an older version left in localStorage are
moved in and sent. Every post carries the phone's clock (X-Client-Time)."""

from __future__ import annotations

import base64
import datetime
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from grid.models import Household
from lib.clock import SHANGHAI
from supervision.models import Observation, ObservationPhoto
from supervision.services import point_create
from tests.browser.conftest import login, phone
from tests.browser.outbox import UNDO_MS, outbox_items
from tests.conftest import PASSWORD, build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OBSERVATIONS = "**/api/v1/supervision/observations"
SHOTS = Path(settings.BASE_DIR) / "var/screenshots/recorder"
TICK_MS = 10_000  # the outbox's own tick (static/lib/outbox.js)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@dataclass
class Bin:
    page: Any
    context: Any
    grid: Any
    point: Any
    households: list[Household]


@contextmanager
def _at_the_bin(browser: Any, base: str, username: str) -> Iterator[Bin]:
    """A volunteer of c1 on a phone (390 × 844, Shanghai time, the page's clock under the test's control),
    logged in, on the record page of a point with three households; the phone is closed after."""
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    households = list(Household.objects.filter(building=grid.b1).order_by("code")[:3])
    Household.objects.filter(pk__in=[h.pk for h in households]).update(drop_off_point=point)
    make_user(username, "volunteer", grid.c1)
    context = phone(browser, timezone_id="Asia/Shanghai")
    context.clock.install()
    try:
        page = context.new_page()
        login(page, base, username, then=f"/supervision/p/{point.code}/record/")
        yield Bin(page, context, grid, point, households)
    finally:
        context.close()  # no request may reach the server after the test's database is gone


def _tap(page: Any, outcome: str, *, household: Household | None = None, pending: int) -> None:
    if household is not None:
        page.fill("#household", household.room)  # the room is enough when the point has one such room
        page.dispatch_event("#household", "change")
        expect(page.locator("#household-label")).to_have_text(f"{household.building.name} {household.room}")
    page.click(f"button[data-outcome={outcome}]")
    expect(page.locator("#pending")).to_have_text(str(pending))


def _posts(page: Any) -> list[Any]:
    sent: list[Any] = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" and "/api/v1/" in r.url else None)
    return sent


def _client_time(request: Any) -> datetime.datetime:
    """The X-Client-Time a post carried: ISO 8601 with the phone's offset (+08:00 here)."""
    value = request.headers["x-client-time"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00", value), value
    return datetime.datetime.fromisoformat(value)


def test_a_tap_can_be_undone_offline_and_the_next_one_is_sent_once_online(
    live_server: Any, browser: Any
) -> None:
    with _at_the_bin(browser, live_server.url, "vol_undo") as at:
        page, context, (h1, h2, _) = at.page, at.context, at.households
        posts = _posts(page)
        context.set_offline(True)
        _tap(page, "correct", household=h1, pending=1)
        line = page.locator("#recent li").first
        category = page.locator("#category option:checked").inner_text().strip()
        outcome = page.locator("button[data-outcome=correct]").inner_text().strip()
        expect(line).to_contain_text(f"{h1.building.name} {h1.room} · {category} · {outcome}")
        _shot(page, "1-recorded-with-undo")
        line.get_by_role("button", name="撤销").click()
        expect(line).to_contain_text(re.compile(f"已撤销.*{h1.building.name} {h1.room}"))
        expect(page.locator("#pending")).to_have_text("0")
        assert outbox_items(page, "recorder") == []
        _shot(page, "2-undone")

        page.select_option("#category", "dry")
        _tap(page, "bag_not_broken", household=h2, pending=1)
        page.clock.run_for(UNDO_MS + TICK_MS)  # the undo window is over; offline, nothing can go
        expect(page.locator("#recent li")).to_have_count(0)
        assert posts == [] and not Observation.objects.exists()
        assert [i["state"] for i in outbox_items(page, "recorder")] == ["queued"]

        with page.expect_response(OBSERVATIONS) as answer:
            context.set_offline(False)
        assert answer.value.status == 200
        expect(page.locator("#pending")).to_have_text("0")
        stored = Observation.objects.get()  # the undone tap never reached the server
        assert (stored.household_id, stored.category, stored.outcome) == (h2.pk, "dry", "bag_not_broken")
        # The phone's clock at the moment of sending, not at the tap.
        sent_at = _client_time(posts[0])
        assert sent_at - stored.observed_at >= datetime.timedelta(milliseconds=UNDO_MS)
        assert outbox_items(page, "recorder") == []
        _shot(page, "3-sent")


def test_a_refused_record_shows_the_reason_and_is_corrected_and_sent_again(
    live_server: Any, browser: Any
) -> None:
    with _at_the_bin(browser, live_server.url, "vol_fix") as at:
        page, (h1, h2, h3) = at.page, at.households
        _tap(page, "correct", household=h1, pending=1)
        _tap(page, "refused", household=h3, pending=2)
        # Both households move to another residential area before the records go: the server refuses them.
        Household.objects.filter(pk__in=[h1.pk, h3.pk]).update(community=at.grid.c2)
        with page.expect_response(OBSERVATIONS) as answer:
            page.clock.run_for(UNDO_MS)  # each goes once its own undo window is over
        assert answer.value.json()["rejected"] >= 1
        expect(page.locator("#rejected")).to_have_text("2")
        expect(page.locator("#pending")).to_have_text("0")
        cards = page.locator("#rejected-list li.card")
        expect(cards).to_have_count(2)
        first = cards.nth(0)
        expect(first).to_contain_text(f"找不到住户“{h1.code}”，或不属于该投放点所在居民区。")
        expect(first).to_contain_text(page.locator("button[data-outcome=correct]").inner_text().strip())
        _shot(page, "4-refused-with-reason")

        # Corrected: the right room, and the time it really happened (an hour earlier).
        first.get_by_text("更正后重新发送").click()
        when = datetime.datetime.now(SHANGHAI).replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
        form = first.locator("form")
        form.locator("input[name=time]").fill(when.strftime("%Y-%m-%dT%H:%M"))
        form.locator("input[name=household]").fill(h2.room)
        _shot(page, "5-correcting")
        with page.expect_response(OBSERVATIONS) as again:
            form.get_by_role("button", name="重新发送").click()
        assert again.value.json()["created"] == 1
        expect(page.locator("#rejected")).to_have_text("1")
        stored = Observation.objects.get()
        assert (stored.household_id, stored.outcome, stored.observed_at) == (h2.pk, "correct", when)

        # The other one is discarded, after a confirmation; it is gone from the phone and never sent.
        page.once("dialog", lambda dialog: dialog.accept())
        cards.first.get_by_role("button", name="放弃").click()
        expect(page.locator("#rejected")).to_have_text("0")
        expect(page.locator("#rejected-list")).to_be_hidden()
        assert outbox_items(page, "recorder") == []
        assert Observation.objects.count() == 1
        _shot(page, "6-resent-and-discarded")


def test_a_session_that_expired_while_offline_asks_to_log_in_again(live_server: Any, browser: Any) -> None:
    from django.contrib.sessions.models import Session

    with _at_the_bin(browser, live_server.url, "vol_expired") as at:
        page, context, h1 = at.page, at.context, at.households[0]
        posts = _posts(page)
        context.set_offline(True)
        _tap(page, "correct", household=h1, pending=1)
        page.clock.run_for(UNDO_MS)
        Session.objects.all().delete()  # it expires while the phone has no network
        with page.expect_response(OBSERVATIONS) as answer:
            context.set_offline(False)
        assert answer.value.status in (401, 403)
        expired = page.locator("#session-expired")
        expect(expired).to_be_visible()
        expect(expired).to_contain_text("重新登录")
        _shot(page, "7-log-in-again")
        page.clock.run_for(10 * 60 * 1000)  # no retries every 1.5 s: nothing more is sent
        assert len(posts) == 1
        expect(page.locator("#pending")).to_have_text("1")

        expired.get_by_role("link").click()
        page.fill("input[name=username]", "vol_expired")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_response(OBSERVATIONS) as sent:
            page.click("button[type=submit]")
        assert sent.value.status == 200
        expect(page.locator("#pending")).to_have_text("0")
        assert Observation.objects.get().household_id == h1.pk


# A write IndexedDB refuses for want of space, as a full phone answers it.
QUOTA = """
window.__storageFull = false;
const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (...args) {
  if (window.__storageFull) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
  return put.apply(this, args);
};
"""


def test_a_full_phone_keeps_the_record_in_memory_and_stores_it_when_it_can(
    live_server: Any, browser: Any
) -> None:
    with _at_the_bin(browser, live_server.url, "vol_full") as at:
        page, context, (h1, h2, _) = at.page, at.context, at.households
        page.add_init_script(QUOTA)
        page.reload()
        context.set_offline(True)
        page.evaluate("window.__storageFull = true")
        _tap(page, "correct", household=h1, pending=1)
        full = page.locator("#storage-full")
        expect(full).to_be_visible()
        expect(full).to_contain_text("手机存储已满")
        expect(page.locator("#unsaved-count")).to_have_text("1")
        assert outbox_items(page, "recorder") == []  # not on the phone's storage, only in the page
        _shot(page, "8-storage-full")

        # Sent from memory when the network comes back, even with the storage still full.
        page.clock.run_for(UNDO_MS)
        with page.expect_response(OBSERVATIONS):
            context.set_offline(False)
        expect(page.locator("#pending")).to_have_text("0")
        expect(full).to_be_hidden()
        assert Observation.objects.get().household_id == h1.pk

        # Offline again and still full: kept in memory; once space is freed, stored at the next tick.
        context.set_offline(True)
        _tap(page, "corrected", household=h2, pending=1)
        expect(full).to_be_visible()
        page.evaluate("window.__storageFull = false")
        page.clock.run_for(TICK_MS)
        expect(full).to_be_hidden()
        assert [i["data"]["household"] for i in outbox_items(page, "recorder")] == [h2.code]
        with page.expect_response(OBSERVATIONS):
            context.set_offline(False)
        expect(page.locator("#pending")).to_have_text("0")
        assert sorted(Observation.objects.values_list("outcome", flat=True)) == ["correct", "corrected"]


def _jpeg() -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "olive").save(buf, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def test_records_an_older_version_left_in_local_storage_are_moved_in_and_sent(
    live_server: Any, browser: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    with _at_the_bin(browser, live_server.url, "vol_upgrade") as at:
        page, context, point, h1 = at.page, at.context, at.point, at.households[0]
        now = datetime.datetime.now(datetime.UTC)
        queued = {
            "client_id": "6f1c1a9e-8f0e-4a53-9d52-6b7f1c1f0a01",
            "point": point.code,
            "household": h1.code,
            "observed_at": (now - datetime.timedelta(minutes=5)).isoformat(),
            "category": "wet",
            "outcome": "mixed",
            "mixed_with": ["dry"],
        }
        refused = dict(
            queued, client_id="6f1c1a9e-8f0e-4a53-9d52-6b7f1c1f0a02", outcome="correct", mixed_with=[]
        )
        future = {"zh": "记录时间在未来。", "en": "observed_at is in the future."}
        old = {
            "wastegrid-queue-v1": [queued],
            "wastegrid-rejected-v1": [{"record": refused, "code": "future", "message": future}],
            "wastegrid-photos-v1": [{"client_id": queued["client_id"], "day": "2026-01-01", "data": _jpeg()}],
        }
        # The network is down while the new version first loads: what it moved in can be looked at first.
        context.route("**/api/v1/supervision/**", lambda route: route.abort("internetdisconnected"))
        page.evaluate(
            "(old) => Object.entries(old).forEach(([k, v]) => localStorage.setItem(k, JSON.stringify(v)))",
            old,
        )
        page.reload()
        expect(page.locator("#pending")).to_have_text("1")
        expect(page.locator("#rejected")).to_have_text("1")
        expect(page.locator("#rejected-list")).to_contain_text("记录时间在未来。")
        page.wait_for_function("() => !Object.keys(localStorage).some((k) => k.startsWith('wastegrid-'))")
        items = outbox_items(page, "recorder")
        assert sorted((i["id"], i["state"], i["photo"]) for i in items) == [
            (queued["client_id"], "queued", True),
            (refused["client_id"], "refused", False),
        ]

        context.unroute("**/api/v1/supervision/**")
        with page.expect_response("**/api/v1/supervision/photos") as photo:
            page.clock.run_for(5 * 60 * 1000)  # past any backoff
        assert photo.value.ok
        expect(page.locator("#pending")).to_have_text("0")
        stored = Observation.objects.get()
        assert (str(stored.client_id), stored.outcome) == (queued["client_id"], "mixed")
        assert ObservationPhoto.objects.get().client_id == stored.client_id
        expect(page.locator("#photos-waiting")).to_be_hidden()


def _apart(a: dict[str, float], b: dict[str, float]) -> bool:
    """Two bounding boxes (x, y, width, height in CSS px) do not overlap."""
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_a_mixed_tap_holds_the_page_until_saved_and_the_label_tells_the_household_the_next_tap_uses(
    live_server: Any, browser: Any
) -> None:
    """Issue 14's phone walk: 混投 never drops its record silently, 当前 reads the household as typed, the reset
    link is labelled 清除, and the 已记录…撤销 line covers neither the header's 菜单 nor the outcome buttons."""
    with _at_the_bin(browser, live_server.url, "vol_mixed") as at:
        page, (h1, h2, _) = at.page, at.households
        label = page.locator("#household-label")
        expect(label).to_have_text("匿名")
        expect(page.locator("#anonymous")).to_have_text("清除")
        page.fill("#household", h1.room)  # typed, no change event yet: the label already says it
        expect(label).to_have_text(f"{h1.building.name} {h1.room}")  # the door; its code only as the title
        expect(label).to_have_attribute("title", h1.code)
        page.fill("#household", "9999")
        expect(label).to_contain_text("未知户号")
        page.click("button[data-outcome=correct]")  # an unknown code is refused, never recorded as anonymous
        assert page.locator("#household").evaluate("el => el.validationMessage") != ""
        expect(page.locator("#pending")).to_have_text("0")
        page.click("#anonymous")
        expect(label).to_have_text("匿名")

        page.fill("#household", h1.room)
        page.click("button[data-outcome=mixed]")
        panel = page.locator("#mixed-panel")
        expect(panel).to_be_visible()
        expect(panel).to_be_in_viewport()
        for held in ("button[data-outcome=correct]", "button[data-outcome=mixed]", "#household", "#category"):
            expect(page.locator(held)).to_be_disabled()
        expect(label).to_have_text(f"{h1.building.name} {h1.room}")
        _shot(page, "4-mixed-pending")
        page.locator("#mixed-cancel").click()  # cancelled: nothing recorded, the household still there
        expect(panel).to_be_hidden()
        expect(page.locator("button[data-outcome=correct]")).to_be_enabled()
        assert outbox_items(page, "recorder") == []

        page.click("button[data-outcome=mixed]")
        page.check("#mixed-panel input[value=dry]")
        page.click("#mixed-done")
        expect(page.locator("#pending")).to_have_text("1")
        expect(panel).to_be_hidden()
        expect(label).to_have_text("匿名")  # the next tap is anonymous, and the label says so
        [item] = outbox_items(page, "recorder")
        assert (item["data"]["household"], item["data"]["outcome"], item["data"]["mixed_with"]) == (
            h1.code,
            "mixed",
            ["dry"],
        )

        line = page.locator("#recent li").first
        expect(line).to_contain_text(f"{h1.building.name} {h1.room}")
        box = line.bounding_box()
        assert box is not None
        for other in ("header.top summary", ".outcomes"):
            other_box = page.locator(other).bounding_box()
            assert other_box is not None and _apart(box, other_box), (other, box, other_box)
        page.locator(".outcomes").scroll_into_view_if_needed()
        page.mouse.wheel(0, 400)
        expect(page.locator("#recent")).to_have_attribute("style", re.compile("top"))
        page.wait_for_function(
            """() => { const a = document.querySelector('#recent li').getBoundingClientRect();
                       const b = document.querySelector('.outcomes').getBoundingClientRect();
                       return a.bottom <= b.top || b.bottom <= a.top; }"""
        )
        page.screenshot(path=str(SHOTS / "5-recorded-line-clear-of-buttons.png"))

        _tap(page, "correct", household=h2, pending=2)
        page.clock.run_for(UNDO_MS + TICK_MS)
        expect(page.locator("#pending")).to_have_text("0")
        stored = sorted(Observation.objects.values_list("household__code", "outcome", "mixed_with"))
        assert stored == sorted([(h1.code, "mixed", "dry"), (h2.code, "correct", "")])
