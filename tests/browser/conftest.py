"""Playwright in Debian's Chromium (/usr/bin/chromium): no browser is downloaded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.crawl import DESKTOP, PHONE, log_in
from tests.conftest import PASSWORD, seed_from_migrations

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM: str = "/usr/bin/chromium"
ARGS: list[str] = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
]


def login(page: Any, base: str, username: str, password: str = PASSWORD, *, then: str = "/") -> None:
    """Log `username` in through the log-in page, landing on `then`. Demo users pass DEMO_PASSWORD."""
    log_in(page, base, username, password, then=then)


def phone(browser: Any, locale: str | None = "zh-CN", **options: Any) -> Any:
    """A new 390 × 844 touch-screen context (tests.browser.crawl.PHONE); `options` go to new_context."""
    return browser.new_context(**PHONE, locale=locale, **options)


def desktop(browser: Any, locale: str | None = "zh-CN", **options: Any) -> Any:
    """A new 1366 × 768 office-screen context (tests.browser.crawl.DESKTOP); `options` go to new_context."""
    return browser.new_context(**DESKTOP, locale=locale, **options)


def fits(page: Any) -> None:
    """The page is no wider than the screen: nothing scrolls sideways."""
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, f"wider than {width}px"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _seeded_by_migrations(transactional_db: None) -> None:
    seed_from_migrations()


@pytest.fixture(autouse=True)
def _background_work_finishes() -> Iterator[None]:
    """Nothing a test started may still touch the database when the test database is dropped."""
    yield
    from guide import counting

    # Background jobs run inline in tests (WASTEGRID_JOBS_INLINE): none is left to wait for.
    counting._pending.clear()
