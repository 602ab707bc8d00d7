"""Door-to-door visits on the shared outbox (static/lib/outbox.js): a visit the server refuses is shown with
its reason under the form, goes back into the form to be corrected and is saved with its own client id (one
Visit); another is discarded after a confirmation. Every visit post carries the phone's clock."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import login, phone
from tests.browser.outbox import outbox_items
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/recorder"
VISIT = re.compile(r"/party/households/.+/visit/$")
REFUSAL = (
    '<section id="hh-visits" class="card"><p class="error" role="alert">走访被拒：测试拒收</p></section>'
)


def _save_offline(page: Any, issue: str) -> str:
    form = page.locator("form.visit-form")
    cid: str = form.locator("input[name=client_id]").input_value()
    form.locator("input[name=outcome]").first.check()
    form.locator("input[name=issue]").fill(issue)
    form.get_by_role("button", name="保存走访").click()
    return cid


def test_a_refused_visit_is_corrected_in_its_form_or_discarded(live_server: Any, browser: Any) -> None:
    from party.models import Visit

    grid = build_grid()
    make_user("gw_refused", "grid_worker", grid.m1, grid.w1.person)
    household = grid.w1.households.order_by("code").first()
    assert household is not None
    context = phone(browser)
    try:
        page = context.new_page()
        login(page, live_server.url, "gw_refused")
        page.goto(f"{live_server.url}/grid/households/{household.code}/")

        context.set_offline(True)
        first = _save_offline(page, "第一次走访")
        second = _save_offline(page, "第二次走访")
        note = page.locator("form.visit-form .visit-queue-note")
        expect(note).to_contain_text("2")
        # The server refuses both when they arrive (its answer is a 400 panel with the reason).
        page.route(VISIT, lambda route: route.fulfill(status=400, body=REFUSAL, content_type="text/html"))
        posts: list[Any] = []
        page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
        context.set_offline(False)
        expect(note.locator(".visit-refused")).to_have_count(2)
        expect(note).to_contain_text("走访被拒：测试拒收")
        assert all(re.fullmatch(r".+[+-]\d\d:\d\d", p.headers["x-client-time"]) for p in posts)
        assert [(i["id"], i["state"]) for i in outbox_items(page, "visits")] == [
            (first, "refused"),
            (second, "refused"),
        ]
        page.screenshot(path=str(SHOTS / "9-visit-refused.png"), full_page=True)
        page.unroute(VISIT)

        # Corrected: back into the form with its own client id, then saved straight away.
        note.locator(".visit-refused").first.get_by_role("button", name="更正").click()
        form = page.locator("form.visit-form")
        expect(form.locator("input[name=issue]")).to_have_value("第一次走访")
        assert form.locator("input[name=client_id]").input_value() == first
        form.locator("input[name=issue]").fill("第一次走访（已更正）")
        with page.expect_response(VISIT) as answer:
            form.get_by_role("button", name="保存走访").click()
        assert answer.value.status == 200
        assert answer.value.request.headers["x-client-time"]
        expect(page.locator("#hh-visits")).to_contain_text("第一次走访（已更正）")
        visit = Visit.objects.get()
        assert (str(visit.client_id), visit.issue) == (first, "第一次走访（已更正）")

        # The other is discarded after a confirmation: gone from the phone, never sent.
        note = page.locator("form.visit-form .visit-queue-note")
        expect(note.locator(".visit-refused")).to_have_count(1)
        page.once("dialog", lambda dialog: dialog.accept())
        note.get_by_role("button", name="放弃").click()
        expect(note).to_be_hidden()
        assert outbox_items(page, "visits") == []
        assert Visit.objects.count() == 1
    finally:
        context.close()
