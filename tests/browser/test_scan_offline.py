"""Issue 14 on a phone (390 × 844, Chinese): a volunteer scans a household's QR sheet with the camera and the
record is saved for that household; a grid worker who loses the network sees the copy of a page opened
before, the app's offline page for any other, and the visit forms kept for them; the next user of the phone
sees none of it. Screenshots go to var/screenshots/scan/.

The camera is Chromium's fake one, playing a .y4m made here from a real QR image (no BarcodeDetector on
Linux: the ZXing path is the one decoding it); the BarcodeDetector path gets a stub detector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from django.conf import settings
from PIL import Image

from grid.models import Household
from grid.services.household_keys import household_keys_ensure
from supervision.models import Observation
from supervision.services import point_create
from tests.browser.conftest import ARGS, CHROMIUM, login, phone
from tests.conftest import Grid, build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/scan"
PAGES = "wastegrid-pages"
OBSERVATIONS = "**/api/v1/supervision/observations"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _qr_video(text: str, path: Path) -> Path:
    """A YUV4MPEG2 video (Chromium loops it) of the QR of `text` on a white 640 × 480 frame: a second in
    which the QR is half out of the picture (nothing to read: the phone is still being aimed), then two
    seconds of the whole QR (on a loaded CI machine the decoder, starved of CPU, missed a one-second
    window loop after loop for 30 s)."""
    png = path.with_suffix(".png")
    segno.make(text, error="m").save(str(png), scale=8, border=4)
    qr = Image.open(png).convert("L")
    qr.thumbnail((400, 400))
    whole = Image.new("L", (640, 480), 255)
    whole.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    half = Image.new("L", (640, 480), 255)
    half.paste(qr, (640 - qr.width // 2, (480 - qr.height) // 2))
    chroma = bytes([128]) * (320 * 240)  # grey: no colour in either chroma plane
    frames = [half] * 10 + [whole] * 20
    body = b"".join(b"FRAME\n" + f.tobytes() + chroma + chroma for f in frames)
    path.write_bytes(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n" + body)
    return path


@pytest.fixture
def camera_browser(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """Another Chromium whose camera plays tmp_path/qr.y4m (written by the test before it opens a page)."""
    video = tmp_path / "qr.y4m"
    video.write_bytes(b"")
    fake = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        yield fake, video
    finally:
        fake.close()


def _bin_with_household(username: str) -> tuple[Grid, Any]:
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    grid.h1.drop_off_point = point
    grid.h1.save()
    make_user(username, "volunteer", grid.c1)
    return grid, point


def test_a_scanned_household_sheet_fills_the_recorder_and_the_record_is_saved(
    live_server: Any, camera_browser: Any
) -> None:
    fake, video = camera_browser
    grid, point = _bin_with_household("vol_scan")
    household = Household.objects.select_related("community", "building__microgrid").get(pk=grid.h1.pk)
    token = household_keys_ensure(actor=None, households=[household])[household.pk]
    _qr_video(f"{live_server.url}/h/{token}/", video)  # the new sheet: a secret URL the server resolves

    context = phone(fake, permissions=["camera"])
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        login(page, live_server.url, "vol_scan")
        page.goto(f"{live_server.url}/supervision/p/{point.code}/record/")
        changes = page.evaluate_handle(
            "() => { const seen = []; const f = document.querySelector('#household');"
            " f.addEventListener('change', () => seen.push(f.value)); return seen; }"
        )
        _shot(page, "1-recorder")
        with page.expect_response("**/grid/households/resolve/**") as resolved:
            page.get_by_role("button", name="扫码").click()
            page.wait_for_function(
                "() => { const v = document.querySelector('.scan-panel video'); return v && v.readyState >= 2; }"
            )
            _shot(page, "2-camera")  # the picture, while the QR is not yet wholly in it
        assert resolved.value.status == 200
        page.wait_for_function(f"() => document.querySelector('#household').value === '{grid.h1.code}'")
        assert page.locator(".scan-panel").count() == 0  # the camera is closed again
        assert page.evaluate("s => s", changes) == [grid.h1.code]  # as if typed: `change` fired once
        assert grid.h1.code in page.locator(".scan-note").inner_text()
        _shot(page, "3-scanned")
        # The recorder sends once its undo time is over (static/supervision/recorder.js).
        with page.expect_response(OBSERVATIONS, timeout=30_000) as sent:
            page.click("button[data-outcome=correct]")
        assert sent.value.status == 200
        saved = Observation.objects.get()
        assert saved.household_id == grid.h1.pk and saved.outcome == "correct"
        assert errors == []
    finally:
        context.close()


def test_barcode_detector_path_and_a_find_form_go_straight_to_the_household(
    live_server: Any, camera_browser: Any
) -> None:
    fake, video = camera_browser
    grid = build_grid()
    make_user("vol_counter", "volunteer", grid.c1)
    _qr_video("not the one read", video)  # the stub below answers, whatever the camera shows
    context = phone(fake, permissions=["camera"])
    # The browser's own detector where it has one: an old sheet's URL (…/guide/?h=<code>), read on the phone.
    context.add_init_script(
        "window.BarcodeDetector = class { static async getSupportedFormats() { return ['qr_code']; }"
        f" async detect() {{ return [{{ rawValue: location.origin + '/guide/?h={grid.h1.code}' }}]; }} }};"
    )
    try:
        page = context.new_page()
        login(page, live_server.url, "vol_counter")
        page.goto(f"{live_server.url}/points/counter/")
        page.get_by_role("button", name="扫码").click()
        page.wait_for_url(f"**/points/counter/?h={grid.h1.code}")
        assert page.locator("input[name=h]").input_value() == grid.h1.code
        assert page.locator("h2 small").inner_text() == grid.h1.code  # the household's card is shown
        _shot(page, "4-counter-found")
    finally:
        context.close()


def test_no_camera_says_so_and_typing_still_works(live_server: Any, browser: Any) -> None:
    grid, point = _bin_with_household("vol_nocam")
    context = phone(browser)  # no fake camera, no permission: the browser refuses
    try:
        page = context.new_page()
        login(page, live_server.url, "vol_nocam")
        page.goto(f"{live_server.url}/supervision/p/{point.code}/record/")
        page.get_by_role("button", name="扫码").click()
        note = page.locator(".scan-note.error")
        note.wait_for()
        assert "手动输入" in note.inner_text()
        assert page.locator(".scan-panel").count() == 0
        _shot(page, "5-no-camera")
        page.fill("#household", grid.h1.code)
        page.dispatch_event("#household", "change")
        page.click("button[data-outcome=mixed]")
        page.check("#mixed-panel input[value=dry]")
        with page.expect_response(OBSERVATIONS, timeout=30_000) as sent:
            page.click("#mixed-done")
        assert sent.value.status == 200
        assert Observation.objects.get().household_id == grid.h1.pk
    finally:
        context.close()


def _until(page: Any, what: str, path: str | None) -> None:
    """Wait until the worker's page cache holds `path` (None: until there is no page cache at all). The
    Cache API is asynchronous, which wait_for_function does not await: the page polls it itself."""
    done = page.evaluate(
        f"""async (path) => {{
            for (let i = 0; i < 300; i++) {{
                const has = await caches.has('{PAGES}');
                if (path === null ? !has : has && (await caches.match(path, {{ cacheName: '{PAGES}' }})))
                    return true;
                await new Promise((r) => setTimeout(r, 100));
            }}
            return false;
        }}""",
        path,
    )
    assert done, what


def _kept(page: Any) -> list[str]:
    return page.evaluate(
        f"""async () => (await caches.has('{PAGES}'))
            ? (await (await caches.open('{PAGES}')).keys()).map(r => new URL(r.url).pathname) : []"""
    )


def test_offline_pages_are_the_kept_copy_else_the_apps_offline_page_and_never_another_users(
    live_server: Any, browser: Any
) -> None:
    base = live_server.url
    grid = build_grid()
    make_user("gw_offline", "grid_worker", grid.m1, grid.w1.person)
    make_user("vol_next", "volunteer", grid.c1)
    mine = list(Household.objects.filter(grid_worker=grid.w1).order_by("code"))
    context = phone(browser)
    try:
        page = context.new_page()
        login(page, base, "gw_offline")
        page.evaluate("navigator.serviceWorker.ready")
        page.goto(f"{base}/grid/households/")  # opened once, online
        assert page.locator("#offline-banner").is_hidden()  # the live page: no offline notice
        _until(page, "pages.json is kept", "/offline/pages.json")  # the kept pages are in once the list is
        kept = _kept(page)
        assert "/grid/households/" in kept and f"/grid/households/{mine[-1].code}/" in kept
        assert not any(k.startswith("/api/") for k in kept)

        context.set_offline(True)
        page.goto(f"{base}/grid/households/")  # opened before: its copy, which says it is one
        assert page.locator("h1").inner_text().startswith("住户")
        assert page.locator("#results").inner_text().count(grid.h1.room) >= 1
        banner = page.locator("#offline-banner")
        banner.wait_for()
        assert "当前离线" in banner.inner_text()
        _shot(page, "5-kept-copy-with-offline-notice")
        # The network comes back: the notice goes (the `online` event), and does not come back by itself.
        context.set_offline(False)
        banner.wait_for(state="hidden")
        context.set_offline(True)
        # A form sent with no network (a POST navigation): the app's offline page, not Chromium's error.
        page.click("header form[action$='/logout/'] button")
        page.locator("#offline-pages").wait_for(state="attached")
        assert "当前没有网络" in page.locator("h1").inner_text()
        assert "You are offline" in page.locator("h2").inner_text()
        unsent = page.locator("#offline-unsent")
        unsent.wait_for()
        assert "表单没有提交" in unsent.inner_text() and "The form was not sent" in unsent.inner_text()
        _shot(page, "5b-post-offline")
        page.click("#offline-retry")  # back to the kept page the form was on
        page.wait_for_url(f"{base}/grid/households/")
        page.goto(f"{base}/guide/")  # never opened: the app's offline page, not the browser's error
        page.locator("#offline-pages a").first.wait_for()
        assert "当前没有网络" in page.locator("h1").inner_text()
        assert "You are offline" in page.locator("h2").inner_text()
        links = page.locator("#offline-pages a")
        titles = links.all_inner_texts()
        first = f"走访 {grid.b1.name} {mine[0].room}（{mine[0].code}）"
        assert first in titles and "我的包责户" in titles
        _shot(page, "6-offline-page")
        links.filter(has_text=first).click()  # kept for the grid worker, never opened
        page.wait_for_url(f"**/grid/households/{mine[0].code}/")
        assert page.locator("form.visit-form").count() == 1
        _shot(page, "7-visit-form-offline")

        context.set_offline(False)
        page.goto(f"{base}/")
        page.click("header form[action$='/logout/'] button")  # log out: nothing of theirs stays
        page.wait_for_url("**/accounts/login/")
        _until(page, "no page is kept", None)
        login(page, base, "vol_next")
        page.evaluate("navigator.serviceWorker.ready")
        context.set_offline(True)
        page.goto(f"{base}/grid/households/")  # the grid worker's copy is gone
        assert "当前没有网络" in page.locator("h1").inner_text()
        assert grid.h1.room not in page.locator("main").inner_text()
        _shot(page, "8-next-user-offline")
    finally:
        context.close()
