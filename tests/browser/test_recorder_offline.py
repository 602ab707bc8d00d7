"""A volunteer at the bin with no network: three drop-offs recorded offline survive a reload and arrive exactly
once when the phone is back online."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import supervision.api
from lib.apierrors import ApiError
from lib.bilingual import Msg
from supervision.models import Observation, ObservationPhoto, PointDay
from supervision.services import point_create
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
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    try:
        _journey(context, live_server.url, grid, point, photo, Network(monkeypatch))
    finally:
        context.close()  # no request may reach the server after the test's database is gone


def _journey(context: Any, base: str, grid: Any, point: Any, photo: Path, network: Network) -> None:
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "vol_phone")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

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
    page.wait_for_timeout(300)  # the phone shrinks the photo
    page.click("button[data-outcome=correct]")  # two taps: household, outcome
    page.click("button[data-outcome=bag_not_broken]")
    page.click("button[data-outcome=mixed]")
    page.check("#mixed-panel input[value=dry]")
    page.click("#mixed-done")
    assert page.locator("#pending").inner_text() == "3"
    assert Observation.objects.count() == 0

    page.reload()  # offline: the service worker serves the page; the queue is still there
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.locator("#pending").inner_text() == "3"
    assert Observation.objects.count() == 0

    context.unroute("**/api/v1/supervision/**")
    context.set_offline(False)
    network.up = True
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.querySelector('#pending').textContent === '0'", timeout=15_000)
    page.wait_for_function("() => localStorage.getItem('wastegrid-photos-v1') === '[]'", timeout=15_000)
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
