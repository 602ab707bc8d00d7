"""The secretary's meeting attendance (issue 18), at a desk in Chinese, on the demo: a meeting of the
residential area → its attendance list (the expected members to tick) → two ticked and saved at once, said
in words → one undone (audited, the person stays registered)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from grid.services.demo import DEMO_PASSWORD
from tests.browser.conftest import desktop, fits, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_ticks_the_attendance_list_once_and_undoes_a_mistake(
    live_server: Any, browser: Any
) -> None:
    from accounts.models import User
    from activities.models import Registration
    from activities.services import activity_create

    call_command("generate_demo", scale=0.03, quiet=True, stdout=io.StringIO())
    secretary = User.objects.get(username="jiaotong_sec")
    assert secretary.node is not None
    start = timezone.now() - datetime.timedelta(minutes=10)
    meeting = activity_create(
        actor=secretary,
        node=secretary.node,
        kind="seminar",
        title="楼组长分类工作例会",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        publish=True,
    )
    first, second = (User.objects.get(username=u).person for u in ("jiaotong_vol", "jiaotong_vol2"))
    assert first is not None and second is not None

    page = desktop(browser).new_page()
    login(page, live_server.url, "jiaotong_sec", DEMO_PASSWORD, then=f"/activities/a/{meeting.code}/")
    listed = page.locator("#expected")
    expect(listed.locator("th").first).to_have_text("到场")
    expect(listed).to_contain_text(first.name)
    listed.locator(f'tr[data-person="{first.pk}"] input[type=checkbox]').check()
    listed.locator(f'tr[data-person="{second.pk}"] input[type=checkbox]').check()
    page.locator("#save-check-ins").click()
    expect(page.locator(".msg.success")).to_contain_text("2人已签到")
    expect(page.locator("#attendance th").first).to_have_text("姓名")
    assert Registration.objects.filter(activity=meeting, checked_in_at__isnull=False).count() == 2
    fits(page)
    # A mistake: undone from the list, no "cannot be undone" page on the way.
    page.locator(f'#expected tr[data-person="{second.pk}"] button.undo').click()
    expect(page.locator(".msg.success")).to_contain_text(f"已撤销{second.name}的签到")
    expect(page.locator(f'#expected tr[data-person="{second.pk}"] input[type=checkbox]')).to_be_visible()
    assert Registration.objects.get(activity=meeting, person=second).checked_in_at is None
