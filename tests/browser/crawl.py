"""A bounded breadth-first crawl of what one logged-in user can reach, in a real browser.

Used by tests/browser/test_crawl.py; also runnable by hand against a served demo:
`.venv/bin/python -m tests.browser.crawl http://127.0.0.1:8001 [username…]` (needs Django settings for the
URL resolver, so run it from the project root).
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

DESKTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 768}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# Links a crawl must not follow: leaving the session, language switches (they POST anyway) and the back office
# (Django's own admin is not one of the product's pages).
SKIP_PATHS = re.compile(r"^/(accounts/logout/|i18n/|admin/)")
# Files, not pages: fetched once per kind for their status, never opened in the browser.
DOWNLOAD = re.compile(r"\.(xlsx|pdf|csv|zip|js|json)$|/job/[^/]+/[^/]+/$|/evidence/|/photo/")
DOWNLOAD_QUERY = {"format", "export", "download"}


@dataclass
class Problem:
    url: str
    kind: str  # "5xx", "console", "pageerror", "external", "4xx-link", "no-icon"
    detail: str

    def __str__(self) -> str:
        return f"{self.kind:<9} {self.url}  {self.detail}"


@dataclass
class Crawl:
    username: str
    pages: list[str] = field(default_factory=list)  # HTML pages opened, in visiting order
    downloads: list[str] = field(default_factory=list)
    kinds: dict[str, list[str]] = field(default_factory=dict)  # page kind → URLs seen
    problems: list[Problem] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)  # pages wider than the phone
    linked_from: dict[str, str] = field(default_factory=dict)  # URL → the page its first link was on
    truncated: bool = False  # stopped at max_pages with links still to visit
    seconds: float = 0.0


def page_kind(url: str) -> str:
    """What makes two URLs "the same page": the view's name and the query's keys (codes and values vary)."""
    from django.urls import Resolver404, resolve

    parts = urlsplit(url)
    keys = ",".join(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return f"{name}?{keys}" if keys else name


def _is_download(url: str) -> bool:
    parts = urlsplit(url)
    query = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return bool(DOWNLOAD.search(parts.path)) or bool(query & DOWNLOAD_QUERY)


# Chromium sends every request that is not to a loopback address through this proxy, where nothing listens:
# nothing can leave the machine, service workers' fetches included (which context.route() would not see).
# context.route() would also turn the HTTP cache off, re-fetching every script on every page (50 % slower).
OFFLINE_ARGS = ["--proxy-server=http://127.0.0.1:9"]


class Watch:
    """Listens to one browser context: every request must go to the live server; every response below 500;
    no console error and no uncaught exception on any page. Launch the browser with OFFLINE_ARGS."""

    def __init__(self, context: Any, base: str, crawl: Crawl) -> None:
        self.origin = urlsplit(base).netloc
        self.crawl = crawl
        self.current = base
        context.on("request", self._request)
        context.on("page", self._attach)
        for page in context.pages:
            self._attach(page)

    def _attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._problem("pageerror", str(error)))
        page.on("response", self._response)

    def _problem(self, kind: str, detail: str) -> None:
        self.crawl.problems.append(Problem(self.current, kind, detail[:300]))

    def _request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob") and parts.netloc != self.origin:
            self._problem("external", request.url)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            location = message.location.get("url", "") if message.location else ""
            self._problem("console", f"{message.text} {location}".strip())

    def _response(self, response: Any) -> None:
        if response.status >= 500:
            self._problem("5xx", f"{response.status} {response.request.method} {response.url}")


def log_in(page: Any, base: str, username: str, password: str, *, then: str = "/") -> None:
    """Log in through the log-in page, then land on `then` (the home page unless a path is given)."""
    response = page.goto(f"{base}/accounts/login/" + ("" if then == "/" else f"?next={then}"))
    assert response is not None and response.status == 200, f"log-in page: {page.inner_text('body')[:500]}"
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def _links(page: Any, base: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        # Anchors only (forms are not followed); htmx anchors that write are not links.
        "a[href]:not([hx-post]):not([hx-put]):not([hx-patch]):not([hx-delete]):not([download])",
        "els => els.map(e => e.getAttribute('href'))",
    )
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "tel:", "mailto:", "sms:", "javascript:")):
            continue
        url = urldefrag(urljoin(page.url, href))[0]
        parts = urlsplit(url)
        if parts.netloc != urlsplit(base).netloc or SKIP_PATHS.match(parts.path):
            continue
        out.append(url)
    return out


def crawl_desktop(
    context: Any,
    base: str,
    username: str,
    password: str,
    *,
    per_kind: int = 1,
    max_pages: int = 150,
    shots: Path | None = None,
) -> Crawl:
    """Log in and visit, breadth-first from the home page, every same-origin link, at most `per_kind` URLs of
    each page kind and `max_pages` pages in all. Downloads are fetched (status only), once per kind."""
    crawl = Crawl(username)
    started = time.perf_counter()
    watch = Watch(context, base, crawl)
    page = context.new_page()
    log_in(page, base, username, password)
    queue: deque[str] = deque([f"{base}/"])
    seen = {f"{base}/"}
    while queue and len(crawl.pages) < max_pages:
        url = queue.popleft()
        kind = page_kind(url)
        urls = crawl.kinds.setdefault(kind, [])
        if len(urls) >= (1 if _is_download(url) else per_kind):
            continue
        urls.append(url)
        watch.current = url
        if _is_download(url):
            crawl.downloads.append(url)
            response = context.request.get(url)
            if response.status >= 500:
                crawl.problems.append(Problem(url, "5xx", f"{response.status} download"))
            continue
        response = page.goto(url, wait_until="load")
        crawl.pages.append(url)
        if (
            page.url != url
        ):  # a redirect (a liaison's one unit, a member's one branch): its page is reached too
            crawl.kinds.setdefault(page_kind(page.url), []).append(page.url)
        if response is not None and response.status >= 400:
            origin = crawl.linked_from.get(url, "")
            crawl.problems.append(Problem(url, "4xx-link", f"{response.status}, linked from {origin}"))
        elif page.locator("head link[rel=icon]").count() == 0:
            crawl.problems.append(Problem(url, "no-icon", "the page names no icon (base.html links them)"))
        if shots is not None:
            _shoot(page, shots, username, "desktop", kind)
        for link in _links(page, base):
            if link not in seen:
                seen.add(link)
                crawl.linked_from[link] = url
                queue.append(link)
    crawl.truncated = bool(queue)
    page.close()
    crawl.seconds = time.perf_counter() - started
    return crawl


def revisit_phone(
    context: Any, base: str, desktop: Crawl, password: str, *, shots: Path | None = None
) -> Crawl:
    """Open the pages the desktop crawl found, on a phone: the same checks, and is any page wider than the
    screen (a table or a form that does not fit)?"""
    crawl = Crawl(desktop.username)
    started = time.perf_counter()
    watch = Watch(context, base, crawl)
    page = context.new_page()
    log_in(page, base, desktop.username, password)
    width = PHONE["viewport"]["width"]
    # One URL per page kind: the phone differs from the desktop in layout, not in what the server answers.
    firsts = {urls[0] for urls in desktop.kinds.values()}
    for url in [u for u in desktop.pages if u in firsts]:
        watch.current = url
        page.goto(url, wait_until="load")
        crawl.pages.append(url)
        if page.evaluate("document.documentElement.scrollWidth") > width:
            crawl.overflow.append(url)
        if shots is not None:
            _shoot(page, shots, desktop.username, "phone", page_kind(url))
    page.close()
    crawl.seconds = time.perf_counter() - started
    return crawl


def _shoot(page: Any, shots: Path, username: str, size: str, kind: str) -> None:
    shots.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{username}-{size}-{kind}")[:150]
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


if __name__ == "__main__":  # pragma: no cover - a by-hand run
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    django.setup()
    from playwright.sync_api import sync_playwright

    from grid.services.demo import DEMO_LOGINS, DEMO_PASSWORD
    from tests.browser.conftest import ARGS, CHROMIUM

    base = sys.argv[1].rstrip("/")
    names = sys.argv[2:] or [username for _, username in DEMO_LOGINS]
    shots = Path("var/screenshots/crawl") if os.environ.get("CRAWL_SHOTS") else None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS + OFFLINE_ARGS)
        for username in names:
            ctx = browser.new_context(**DESKTOP, locale="zh-CN")
            found = crawl_desktop(ctx, base, username, DEMO_PASSWORD, shots=shots)
            ctx.close()
            ctx = browser.new_context(**PHONE, locale="zh-CN")
            phone = revisit_phone(ctx, base, found, DEMO_PASSWORD, shots=shots)
            ctx.close()
            print(
                f"== {username}: {len(found.pages)} pages, {len(found.downloads)} downloads, "
                f"{found.seconds:.1f}s + {phone.seconds:.1f}s phone"
                + (" TRUNCATED" if found.truncated else "")
            )
            for kind, urls in sorted(found.kinds.items()):
                print(f"   {kind}: {urls[0].removeprefix(base)}")
            for problem in found.problems + phone.problems:
                print("  !", str(problem).replace(base, ""))
            for url in phone.overflow:
                print("  wide on phone:", url.removeprefix(base))
        browser.close()
