"""The Content-Security-Policy (django-csp) holds on the app's own pages: no violation, no outside request.

Covers each kind of thing a CSP can break: htmx (its injected indicator <style>, swaps), Chart.js, the offline
recorder's service worker, the Django admin, Swagger UI at /api/v1/docs and the error pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from supervision.services import point_create
from tests.browser.conftest import login
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects violations the page sees; console errors catch those in workers and before the listener runs.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @ " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _watch(context: Any, base: str) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"console": [], "outside": [], "errors": []}
    host = urlsplit(base).hostname

    def on_route(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != host:
            seen["outside"].append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", on_route)
    context.add_init_script(WATCH_CSP)
    return seen


def _visit(page: Any, seen: dict[str, list[str]], url: str, ready: str = "body") -> None:
    page.goto(url)
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp || []")
    assert violations == [], f"{url}: {violations}"


def test_main_pages_raise_no_csp_violation_and_stay_on_this_machine(live_server: Any, browser: Any) -> None:
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    admin = make_user("csp_admin", "subdistrict_admin", grid.sd)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    seen = _watch(context, base)
    page = context.new_page()
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    try:
        response = page.goto(f"{base}/accounts/login/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        _visit(page, seen, f"{base}/accounts/login/", "input[name=username]")
        # The guide searches with htmx as one types: a swap that shows the indicator.
        _visit(page, seen, f"{base}/guide/", "#q")
        page.fill("#q", "电池")
        page.wait_for_load_state("networkidle")
        login(page, base, "csp_admin")
        for path, ready in [
            ("/", "main"),
            ("/grid/", "main"),
            ("/grid/households/", "input[name=q]"),
            (f"/reports/dashboard/{grid.sd.code}/", "body[data-charts=ready]"),
            ("/supervision/", "main"),
            (f"/supervision/p/{point.code}/record/", "main"),
            ("/admin/", "#content"),
            ("/admin/accounts/user/", "#changelist"),
            ("/admin/accounts/user/add/", "#user_form"),
            (f"/admin/accounts/user/{admin.pk}/change/", "#user_form"),
            ("/api/v1/docs", ".swagger-ui .info"),
            ("/grid/n/NO-SUCH-NODE/", "main"),
        ]:
            _visit(page, seen, base + path, ready)
        # The recorder registered its service worker under the policy (worker-src 'self').
        page.goto(f"{base}/supervision/p/{point.code}/record/")
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        assert [m for m in seen["console"] if "Content Security Policy" in m] == []
        # The watch itself works: an inline script is refused and reported.
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }"
        )
        page.wait_for_function("() => window.__csp.length > 0")
    finally:
        context.close()
    assert seen["outside"] == []
    assert seen["errors"] == []
