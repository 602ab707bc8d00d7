"""The resident's journey on a phone (390 × 844): scan the household QR, not logged in → the household's own
page (balance, ledger, drop-offs and what went wrong, activities ahead, rewards) → switch to English; the
residential area's secretary re-issues the sheet (it was lost) → the old QR opens a "not found" page, the new
one the household. Stored rows (key version, audit entry) are checked. Screenshots: var/screenshots/resident/.
"""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from lib.clock import local_today
from tests.browser.conftest import desktop, fits, login, phone
from tests.conftest import drop_offs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/resident"
DEMO_SCALE = 0.03


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _a_week_at_the_bins(household: Any, today: datetime.date) -> None:
    """Four drop-offs two days ago (two correct, one put right on the spot, one mixed), through the ingest."""
    from supervision.models import DropOffPoint

    point = DropOffPoint.objects.filter(community_id=household.community_id).order_by("pk").first()
    assert point is not None
    drop_offs(
        point,
        household,
        today - datetime.timedelta(days=2),
        ["correct", "correct", "corrected", "mixed"],
        hour=20,
    )


def test_resident_scans_the_household_qr_and_a_lost_sheet_is_reissued(live_server: Any, browser: Any) -> None:
    from accounts.models import User
    from activities.services import activity_create
    from audit.models import AuditEntry
    from grid.models import Household, HouseholdKey
    from grid.services.demo import DEMO_PASSWORD
    from grid.services.household_keys import household_keys_ensure
    from points.models import LedgerEntry, PointsAccount
    from points.services import points_credit_once
    from supervision.models import HouseholdDay
    from wastegrid.resident import LEDGER_ROWS

    call_command("generate_demo", scale=DEMO_SCALE, quiet=True, stdout=io.StringIO())
    resident = User.objects.select_related("person").get(username="jiaotong_resident")
    assert resident.person is not None and resident.person.household_id is not None
    household = Household.objects.select_related("building__microgrid", "community").get(
        pk=resident.person.household_id
    )
    today = local_today()
    _a_week_at_the_bins(household, today)
    points_credit_once(actor=None, household=household, amount=150, key="journey:talk", reason="垃圾分类讲座")
    starts = timezone.now() + datetime.timedelta(days=4)
    activity_create(
        actor=None,
        node=household.community,
        kind="lecture",
        title="湿垃圾分类小课堂",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="居委会活动室",
        capacity=40,
        points=20,
        publish=True,
    )
    # The secretary printed the residential area's sheet: the household's QR carries this address.
    token = household_keys_ensure(actor=None, households=[household])[household.pk]
    qr_url = f"{live_server.url}/h/{token}/"
    balance = PointsAccount.objects.get(household=household).balance
    entries = LedgerEntry.objects.filter(household=household).count()
    drops = sum(
        HouseholdDay.objects.filter(
            household=household, day__gte=today - datetime.timedelta(days=29)
        ).values_list("total", flat=True)
    )
    assert balance >= 150 and drops >= 4

    # 1. Scanned with the phone's camera: nobody is logged in.
    on_phone = phone(browser)
    page = on_phone.new_page()
    page.goto(qr_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("我家")
    expect(page.locator("#balance")).to_have_text(str(balance))
    expect(page.locator("#drops-total")).to_have_text(str(drops))
    ledger = page.locator("#ledger tbody tr")
    assert ledger.count() == min(entries, LEDGER_ROWS)
    expect(page.locator("#ledger")).to_contain_text("垃圾分类讲座")
    expect(page.locator("#drops-split")).to_contain_text("当场纠正")  # counted apart (supervision's Rate)
    expect(page.locator("#mistakes")).to_contain_text("混投")
    expect(page.locator("#activities")).to_contain_text("湿垃圾分类小课堂")
    expect(page.locator("#rewards")).to_contain_text("环保购物袋")
    expect(page.locator("#rewards")).to_contain_text(household.code)
    assert page.get_by_role("link", name="登录").is_visible()  # not logged in
    fits(page)
    _shot(page, "1-qr-page-zh")

    # 2. The same page in English.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My household")
    assert page.url == qr_url
    expect(page.locator("#balance")).to_have_text(str(balance))
    expect(page.locator("#drops-split")).to_contain_text("corrected on the spot")
    expect(page.locator("#activities")).to_contain_text("湿垃圾分类小课堂")
    _shot(page, "2-qr-page-en")

    # 3. The sheet was lost: the residential area's secretary re-issues it from the household's page.
    office = desktop(browser)
    desk = office.new_page()
    login(desk, live_server.url, "jiaotong_sec", DEMO_PASSWORD)
    desk.goto(f"{live_server.url}/grid/households/{household.code}/")
    card = desk.locator("#hh-qr")
    expect(card).to_contain_text("第 1 版")
    card.locator("input[name=reason]").fill("住户遗失二维码")
    card.get_by_role("button", name=re.compile("重新发放")).click()
    desk.wait_for_url(re.compile(rf"/grid/households/{household.code}/$"))
    expect(desk.locator(".msg")).to_contain_text("旧的二维码不能再打开")
    expect(desk.locator("#hh-qr")).to_contain_text("第 2 版")
    _shot(desk, "3-secretary-reissued")
    key = HouseholdKey.objects.get(household=household)
    assert key.generation == 2 and key.token != token
    assert key.issued_by is not None and key.issued_by.username == "jiaotong_sec"
    entry = AuditEntry.objects.get(model="grid.HouseholdKey", action="update", object_id=str(household.pk))
    assert entry.reason == "住户遗失二维码" and entry.changes["generation"] == [1, 2]
    office.close()

    # 4. The old QR now opens a "not found" page that says what to do; the new one opens the household.
    answer = page.goto(qr_url)
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("no longer opens a household page")
    assert page.locator("#balance").count() == 0
    _shot(page, "4-old-qr-not-found")
    page.goto(f"{live_server.url}/h/{key.token}/")
    expect(page.locator("#balance")).to_have_text(str(balance))
    on_phone.close()
