"""A volunteer at the bin with no network: three drop-offs recorded offline survive a reload and arrive exactly
once when the phone is back online."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import supervision.api
from lib.apierrors import ApiError
from lib.bilingual import Msg
from supervision.models import Observation, ObservationPhoto, PointDay
from supervision.services import point_create
from tests.browser.conftest import login, phone
from tests.browser.outbox import UNDO_MS, outbox_items
from tests.conftest import PASSWORD, build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo(settings: Any, tmp_path: Path) -> Path:
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "bin-photo.jpg"
    Image.new("RGB", (3000, 2000), "saddlebrown").save(path, "JPEG")
    return path


class Network:
    """While "offline", the server refuses records too (503): Chromium's offline emulation has let a post
    through right after a reload (seen in CI), and the journey is about the phone's queue, not the emulator."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.up = True
        real = supervision.api.observations_ingest

        def ingest(**kwargs: Any) -> Any:
            if not self.up:
                raise ApiError(503, "offline", Msg("网络不可用。", "No network."))
            return real(**kwargs)

        monkeypatch.setattr(supervision.api, "observations_ingest", ingest)


def test_offline_queue_survives_reload_and_syncs_exactly_once(
    live_server: Any, browser: Any, photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    grid.h1.drop_off_point = point
    grid.h1.save()
    make_user("vol_phone", "volunteer", grid.c1)
    context = _phone(browser, service_workers="allow")
    try:
        _journey(context, live_server.url, grid, point, photo, Network(monkeypatch))
    finally:
        context.close()  # no request may reach the server after the test's database is gone


def _journey(context: Any, base: str, grid: Any, point: Any, photo: Path, network: Network) -> None:
    page = context.new_page()
    login(page, base, "vol_phone")

    record_url = f"{base}/supervision/p/{point.code}/record/"
    page.goto(record_url)
    page.evaluate("navigator.serviceWorker.ready")  # the page is cached for offline use
    page.reload()
    page.evaluate("navigator.serviceWorker.ready")

    network.up = False
    context.set_offline(True)
    # Chromium's offline emulation can lag a reload by a moment; the posts must fail as they would with
    # no network at all, so they are also refused at the browser's network layer while "offline".
    context.route("**/api/v1/supervision/**", lambda route: route.abort("internetdisconnected"))
    page.fill("#household", grid.h1.code)
    page.dispatch_event("#household", "change")
    page.set_input_files("#photo", str(photo))
    page.wait_for_selector("#recorder[data-photo-ready='1']", state="attached")  # the phone shrinks the photo
    page.click("button[data-outcome=correct]")  # two taps: household, outcome
    page.click("button[data-outcome=bag_not_broken]")
    page.click("button[data-outcome=mixed]")
    page.check("#mixed-panel input[value=dry]")
    page.click("#mixed-done")
    expect(page.locator("#pending")).to_have_text("3")
    assert Observation.objects.count() == 0

    page.reload()  # offline: the service worker serves the page; the queue is still there
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.locator("#pending").inner_text() == "3"
    assert Observation.objects.count() == 0

    context.unroute("**/api/v1/supervision/**")
    context.set_offline(False)
    network.up = True
    page.evaluate("window.dispatchEvent(new Event('online'))")
    # Each record waits out its undo window (8 s after its tap), then the queue goes, then the photo.
    page.wait_for_function(
        "() => document.querySelector('#pending').textContent === '0'"
        " && document.querySelector('#photos-waiting').hidden",
        timeout=20_000,
    )
    assert Observation.objects.count() == 3
    assert sorted(Observation.objects.values_list("outcome", flat=True)) == [
        "bag_not_broken",
        "correct",
        "mixed",
    ]
    assert Observation.objects.filter(household=grid.h1).count() == 1
    assert sum(PointDay.objects.values_list("total", flat=True)) == 3
    stored = ObservationPhoto.objects.get()  # the photo followed its record, shrunk on the phone
    assert stored.client_id == Observation.objects.get(outcome="correct").client_id
    assert max(stored.image.width, stored.image.height) <= 1280

    page.reload()  # nothing left to send, nothing sent twice
    page.wait_for_timeout(500)
    assert Observation.objects.count() == 3


# --- a busy server, a refused record, an expired session (issue 13 follow-up) ---------------------------------
# The page's clock is Playwright's fake one: waits of seconds or minutes are run through in an instant, and a
# retry that comes too early shows as a request while the clock has not reached its time.

OBSERVATIONS = "**/api/v1/supervision/observations"


def _recorder_page(context: Any, base: str, username: str, point: Any) -> Any:
    context.clock.install()
    page = context.new_page()
    login(page, base, username)
    page.goto(f"{base}/supervision/p/{point.code}/record/")
    return page


def _posts(page: Any) -> list[Any]:
    sent: list[Any] = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" and "observations" in r.url else None)
    return sent


def _tap(page: Any, outcome: str, *, pending: int) -> None:
    """One tap on an outcome; returns once the record is in the phone's outbox."""
    page.click(f"button[data-outcome={outcome}]")
    expect(page.locator("#pending")).to_have_text(str(pending))


def _phone(browser: Any, service_workers: str = "block") -> Any:
    # The tests that time the outbox's sends to the millisecond with a fake clock block the app's service
    # worker (tests/browser/test_scan_offline.py), which keeps pages in the background with requests of its
    # own; the offline journey needs it to reload the page with no network.
    return phone(browser, service_workers=service_workers)


@contextmanager
def _volunteer_at_bin(browser: Any, base: str, username: str) -> Iterator[tuple[Any, Any]]:
    """A volunteer of c1 logged in on a phone, on the record page of a new point; the phone is closed after."""
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    make_user(username, "volunteer", grid.c1)
    context = _phone(browser)
    try:
        yield _recorder_page(context, base, username, point), point
    finally:
        context.close()


def test_busy_server_retry_after_is_honoured_then_the_queue_is_delivered(
    live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from lib.dbbusy import RETRY_AFTER_SECONDS

    real = supervision.api.observations_ingest
    busy = {"left": 2}

    def ingest(**kwargs: Any) -> Any:
        if busy["left"]:
            busy["left"] -= 1
            raise OperationalError("database is locked")  # lib.dbbusy: 503 + Retry-After
        return real(**kwargs)

    monkeypatch.setattr(supervision.api, "observations_ingest", ingest)
    with _volunteer_at_bin(browser, live_server.url, "vol_busy") as (page, point):
        posts = _posts(page)
        _tap(page, "correct", pending=1)
        with page.expect_response(OBSERVATIONS) as first:
            page.clock.run_for(UNDO_MS)  # sent once its undo window is over
        assert first.value.status == 503 and first.value.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        page.wait_for_selector("#retry-note:not([hidden])")
        _tap(page, "refused", pending=2)  # a new record waits with the queue, it does not push
        page.clock.run_for(RETRY_AFTER_SECONDS * 1000 - 200)  # the 10 s tick too must not come early
        assert len(posts) == 1
        with page.expect_response(OBSERVATIONS) as second:
            page.clock.run_for(RETRY_AFTER_SECONDS * 1000 * 0.2 + 400)  # Retry-After plus at most a fifth
        assert second.value.status == 503 and len(posts) == 2
        assert len(posts[1].post_data_json) == 1  # the second record is still in its undo window
        page.clock.run_for(RETRY_AFTER_SECONDS * 1000 - 200)  # the second 503 is honoured as well
        assert len(posts) == 2
        with page.expect_response(OBSERVATIONS) as third:
            page.clock.run_for(RETRY_AFTER_SECONDS * 1000 * 0.2 + 400)
        assert third.value.status == 200 and len(posts[2].post_data_json) == 2
        page.wait_for_function("() => document.querySelector('#pending').textContent === '0'")
        assert sorted(Observation.objects.values_list("outcome", flat=True)) == ["correct", "refused"]
        assert page.locator("#retry-note").is_hidden()

        # A record the server refuses is kept on the phone with the server's reason, not dropped.
        point.active = False
        point.save()
        _tap(page, "correct", pending=1)
        with page.expect_response(OBSERVATIONS):
            page.clock.run_for(UNDO_MS)
        page.wait_for_function("() => document.querySelector('#rejected').textContent === '1'")
        assert page.locator("#pending").inner_text() == "0"
        assert "找不到投放点" in page.locator("#rejected-list li").inner_text()
        kept = outbox_items(page, "recorder")
        assert kept[0]["state"] == "refused" and kept[0]["refusal"]["code"] == "point"
        assert kept[0]["data"]["point"] == point.code
        assert Observation.objects.count() == 2


def test_failures_without_retry_after_back_off_exponentially(live_server: Any, browser: Any) -> None:
    with _volunteer_at_bin(browser, live_server.url, "vol_down") as (page, point):
        posts = _posts(page)
        page.route(OBSERVATIONS, lambda route: route.fulfill(status=502, body="bad gateway"))
        _tap(page, "correct", pending=1)
        with page.expect_response(OBSERVATIONS):
            page.clock.run_for(UNDO_MS)
        # Waits of 1.5, 3, 6, 12 and 24 s (each up to a fifth longer): five retries in 56 s, not 37 of them.
        for wait_ms in (1500, 3000, 6000, 12000, 24000):
            page.clock.run_for(wait_ms - 100)
            assert len(posts) == 1 + (wait_ms > 1500) * [1500, 3000, 6000, 12000, 24000].index(wait_ms)
            with page.expect_response(OBSERVATIONS):
                page.clock.run_for(wait_ms * 0.2 + 200)
        assert len(posts) == 6
        page.unroute(OBSERVATIONS)
        page.clock.run_for(5 * 60 * 1000)  # at most the cap later, the queue goes through
        page.wait_for_function("() => document.querySelector('#pending').textContent === '0'")
        assert Observation.objects.count() == 1


def test_expired_session_stops_sending_and_asks_to_log_in_again(live_server: Any, browser: Any) -> None:
    from django.contrib.sessions.models import Session

    with _volunteer_at_bin(browser, live_server.url, "vol_late") as (page, point):
        posts = _posts(page)
        Session.objects.all().delete()  # the session expires while the phone is at the bin
        _tap(page, "correct", pending=1)
        with page.expect_response(OBSERVATIONS) as answer:
            page.clock.run_for(UNDO_MS)
        assert answer.value.status in (401, 403)
        page.wait_for_selector("#session-expired:not([hidden])")
        assert "重新登录" in page.locator("#session-expired").inner_text()
        page.click("button[data-outcome=mixed]")
        page.click("#mixed-done")
        expect(page.locator("#pending")).to_have_text("2")
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.clock.run_for(10 * 60 * 1000)  # ten minutes of ticks: no request storm, no request at all
        assert len(posts) == 1
        assert page.locator("#pending").inner_text() == "2"  # both records still on the phone
        assert Observation.objects.count() == 0

        page.click("#session-expired a")  # log in again: back to the recorder, and the queue goes out
        page.fill("input[name=username]", "vol_late")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/supervision/p/{point.code}/record/")
        page.wait_for_function("() => document.querySelector('#pending').textContent === '0'")
        assert sorted(Observation.objects.values_list("outcome", flat=True)) == ["correct", "mixed"]


def test_a_batch_refused_whole_is_kept_with_the_reason_other_answers_keep_the_queue(
    live_server: Any, browser: Any
) -> None:
    with _volunteer_at_bin(browser, live_server.url, "vol_odd") as (page, point):
        # A 404 page while the server is being deployed, and a captive portal's 200 page: no answer for the
        # records, which stay queued.
        _tap(page, "correct", pending=1)
        for status in (404, 200):
            page.route(
                OBSERVATIONS, lambda route, _request, s=status: route.fulfill(status=s, body="<html>x</html>")
            )
            with page.expect_response(OBSERVATIONS):
                page.clock.run_for(UNDO_MS if status == 404 else 2000)
            page.unroute(OBSERVATIONS)
            assert page.locator("#pending").inner_text() == "1"
            assert page.locator("#rejected").inner_text() == "0"
        refusal = {
            "code": "batch_too_large",
            "message": {"zh": "每批最多 5000 条记录。", "en": "At most 5000."},
        }
        page.route(OBSERVATIONS, lambda route: route.fulfill(status=400, json=refusal))
        with page.expect_response(OBSERVATIONS):
            page.clock.run_for(4000)
        page.wait_for_function("() => document.querySelector('#rejected').textContent === '1'")
        assert page.locator("#pending").inner_text() == "0"
        assert "每批最多 5000 条记录" in page.locator("#rejected-list li").inner_text()
        assert Observation.objects.count() == 0
