"""Playwright in Debian's Chromium (/usr/bin/chromium): no browser is downloaded."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conftest import seed_from_migrations

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"]


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
    from lib import jobs

    jobs.wait_all()
    counting._pending.clear()
