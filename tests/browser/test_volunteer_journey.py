"""The volunteer's journey on a phone (390 × 844, Chinese), issue 14: from the home page → today's shift at
my point → check in → two drop-offs, one tap each → a purity check per bin → check out (the minutes are
credited) → sign up for a shift next week → hand tomorrow's shift to a neighbour, who logs in and accepts.
And an account linked to nobody: it is told whom to ask, the secretary links it, then it can sign up.
Each step's stored rows are checked; screenshots go to var/screenshots/volunteer/.

The server's clock is this test's (noon in Shanghai, moved on by hand), and so is the browser's: the test
makes its own point and shifts instead of relying on the hour it runs at."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import expect

from guide.models import CategoryKey
from lib.clock import local_today
from tests.browser.conftest import desktop, fits, phone
from tests.conftest import PASSWORD, build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/volunteer"
WINDOWS = ((datetime.time(11), datetime.time(13)), (datetime.time(18, 30), datetime.time(20, 30)))
OBSERVATIONS = "/api/v1/supervision/observations"
HOLD_AT_MOST_MS = 60_000  # longer than any undo window the recorder holds a record back for


def _posts_records(request: Any) -> bool:
    return OBSERVATIONS in request.url and request.method == "POST"


class Clock:
    """timezone.now for the live server (it runs in this process): a fixed moment the test moves on."""

    def __init__(self, at: datetime.datetime) -> None:
        self.at = at

    def __call__(self) -> datetime.datetime:
        return self.at


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _log_in_from_home(page: Any, base: str, username: str) -> None:
    """Open the home page; it asks to log in first and comes back."""
    page.goto(f"{base}/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _on_phone(browser: Any, base: str, username: str, *, clock: Any = None) -> tuple[Any, Any]:
    """A phone with `username` logged in from its home page: (context, page); `clock` installs the phone's
    fake clock at that time before the page opens."""
    context = phone(browser)
    if clock is not None:
        context.clock.install(time=clock)
    page = context.new_page()
    _log_in_from_home(page, base, username)
    return context, page


@pytest.fixture
def roster(monkeypatch: Any) -> dict[str, Any]:
    """A point of 甲居民区 open 11:00–13:00 and 18:30–20:30 every day, shifts for two weeks; the volunteer
    is on today's late-morning and tomorrow's shifts; a neighbour volunteer of the same residential area."""
    from grid.services.records import person_create
    from lib.clock import SHANGHAI
    from supervision.models import Shift
    from supervision.services import point_create, shift_signup, shifts_generate

    today = local_today()
    clock = Clock(datetime.datetime.combine(today, datetime.time(12), tzinfo=SHANGHAI))
    monkeypatch.setattr(timezone, "now", clock)
    grid = build_grid()
    point = point_create(
        actor=None, community=grid.c1, name="甲1号箱房", windows=[(d, *w) for d in range(7) for w in WINDOWS]
    )
    shifts_generate(points=[point], start=today, days=14)
    me = person_create(actor=None, node=grid.c1, name="志愿者甲", phone="13700000001", household=grid.h1)
    neighbour = person_create(actor=None, node=grid.c1, name="邻居乙", phone="13700000002")
    make_user("vol_me", "volunteer", grid.c1, me)
    make_user("vol_neighbour", "volunteer", grid.c1, neighbour)
    today_shift = Shift.objects.get(point=point, day=today, start=WINDOWS[0][0])
    tomorrow = Shift.objects.get(point=point, day=today + datetime.timedelta(days=1), start=WINDOWS[0][0])
    return {
        "grid": grid,
        "clock": clock,
        "today": today,
        "point": point,
        "me": me,
        "neighbour": neighbour,
        "today_signup": shift_signup(actor=None, shift=today_shift, person=me),
        "tomorrow_signup": shift_signup(actor=None, shift=tomorrow, person=me),
    }


def test_volunteer_does_a_shift_signs_up_and_hands_one_over(
    live_server: Any, browser: Any, roster: dict[str, Any]
) -> None:
    from supervision.models import (
        Bin,
        Observation,
        OfferStatus,
        PurityCheck,
        ShiftOffer,
        ShiftSignup,
        SignupStatus,
    )

    base, point, clock = live_server.url, roster["point"], roster["clock"]
    context, page = _on_phone(browser, base, "vol_me", clock=clock.at)  # records are stamped by this clock
    link = page.locator("#todays-shift")
    expect(link).to_have_text("今日值班：甲1号箱房 11:00–13:00")
    fits(page)
    _shot(page, "1-home")

    link.click()
    page.wait_for_url(re.compile(rf"/supervision/p/{point.code}/$"))
    today_card = page.locator("ul.cards li.card").filter(has_text="11:00–13:00")
    today_card.get_by_role("button", name="签到").click()
    expect(today_card.get_by_role("button", name="签退")).to_be_visible()
    expect(today_card.locator(".checked-in-at")).to_contain_text("已签到 ")  # with the time of check-in
    expect(page.locator(".msg")).to_contain_text("已签到。")
    assert ShiftSignup.objects.get(pk=roster["today_signup"].pk).checked_in_at == clock.at
    fits(page)
    _shot(page, "2-checked-in")

    # Two drop-offs, one tap each, on the recorder; stored once the phone has sent them. The recorder may
    # hold a record back for a while (its undo): the phone's fake clock is moved past any such wait, then
    # the test waits for the requests that carry them (each one answered means its records are stored).
    page.get_by_role("link", name="记录投放").click()
    page.wait_for_url(re.compile(rf"/supervision/p/{point.code}/record/$"))
    sent: list[Any] = []
    page.on("requestfinished", lambda r: sent.append(r) if _posts_records(r) else None)
    for outcome in ("投放正确", "未破袋"):
        page.get_by_role("button", name=outcome, exact=True).click()
    page.clock.run_for(HOLD_AT_MOST_MS)
    stored = Observation.objects.filter(point_id=point.pk)
    while stored.count() < 2:
        page.wait_for_event("requestfinished", predicate=_posts_records)
    assert all(r.response().ok for r in sent)
    assert sorted(stored.values_list("outcome", flat=True)) == ["bag_not_broken", "correct"]
    assert set(stored.values_list("recorded_by__username", flat=True)) == {"vol_me"}
    fits(page)
    _shot(page, "3-recorded")

    # A purity check of every bin, tied to the shift on duty now.
    page.go_back()
    page.wait_for_url(re.compile(rf"/supervision/p/{point.code}/$"))
    bins = list(Bin.objects.filter(point=point).order_by("category"))
    with translation.override("zh-hans"):
        labels = {b.category: str(b.get_category_display()) for b in bins}
    for b in bins:
        page.get_by_label(labels[b.category]).select_option("slight" if b.category == "wet" else "clean")
    page.get_by_role("button", name="保存").click()
    # The message names each bin stored and its level, in the bins' usual order.
    levels = {c: "轻微混杂" if c == "wet" else "纯净" for c in labels}
    saved = "、".join(f"{labels[c]} {levels[c]}" for c in CategoryKey.values if c in labels)
    expect(page.get_by_text(f"已保存：{saved}。")).to_be_visible()
    checks = PurityCheck.objects.filter(point=point)
    assert checks.count() == len(bins) and set(checks.values_list("shift_id", flat=True)) == {
        roster["today_signup"].shift_id
    }
    assert checks.get(category="wet").level == "slight"
    # The saved levels read back: each bin's dropdown keeps what was saved, with a note.
    for b in bins:
        expect(page.get_by_label(labels[b.category])).to_have_value(
            "slight" if b.category == "wet" else "clean"
        )
    expect(page.locator(".purity-saved")).to_have_count(len(bins))
    expect(page.locator(".purity-saved[data-category=wet]")).to_contain_text("今日已保存")
    fits(page)
    _shot(page, "4-purity")

    # 45 minutes later, the window still open: check out after a confirmation saying what it credits, and
    # the minutes are credited (with an undo while the window is open).
    clock.at += datetime.timedelta(minutes=45)
    today_card.get_by_role("button", name="签退").click()
    expect(page.locator("#confirm")).to_contain_text("将计入值守 45 分钟")
    _shot(page, "5a-check-out-confirm")
    page.locator("#confirm-yes").click()
    expect(today_card).to_contain_text("值守 45 分钟")
    expect(today_card.get_by_role("button", name="撤销签退")).to_be_visible()
    expect(page.locator(".msg")).to_contain_text("已签退：值守 45 分钟。")
    done = ShiftSignup.objects.get(pk=roster["today_signup"].pk)
    assert done.minutes == 45 and done.checked_out_at == clock.at
    _shot(page, "5-checked-out")

    # Sign up for a shift next week, from the home page's bin-side duty.
    page.locator("a.brand").click()
    page.wait_for_url(f"{base}/")
    page.locator("#bin-side").click()
    page.wait_for_url(re.compile(r"/supervision/$"))
    next_week = page.locator("#open-next-week li.open-shift").first
    expect(next_week).to_contain_text("甲1号箱房")
    chosen = next_week.locator("b").inner_text()
    next_week.get_by_role("button", name="报名").click()
    expect(page.get_by_text("报名成功。")).to_be_visible()
    # Next week is the next calendar week, Monday to Sunday.
    next_monday = roster["today"] + datetime.timedelta(days=7 - roster["today"].weekday())
    signed = ShiftSignup.objects.filter(person=roster["me"], shift__day__gte=next_monday).exclude(
        pk=roster["tomorrow_signup"].pk
    )
    assert signed.count() == 1 and chosen.endswith(
        f"{signed.get().shift.start:%H:%M}–{signed.get().shift.end:%H:%M}"
    )
    expect(page.locator("ul.cards").first).to_contain_text(chosen)  # now under "my shifts"
    fits(page)
    _shot(page, "6-signed-up")

    # Hand tomorrow's shift to the neighbour, picked by (masked: never met at this point) name, from the
    # folded "换班…" (issue 14); it stays mine until they accept. Once accepted, the two stand at one point.
    tomorrow = roster["tomorrow_signup"]
    card = page.locator("ul.cards li.card").filter(
        has=page.locator(f"form[action$='/signups/{tomorrow.code}/swap/']")
    )
    card.get_by_text("换班…").click()
    picker = card.get_by_label("交给", exact=True)
    expect(picker.locator("option")).to_have_text(["—", "邻**"])  # only the neighbour: free, same area
    picker.select_option(label="邻**")
    fits(page)
    _shot(page, "7-picking")
    card.get_by_role("button", name="换班").click()
    # The confirmation names them as the picker did (supervision.handover.taker_names), never more.
    expect(page.locator(".msg")).to_contain_text("已向 邻** 提出换班")
    expect(page.locator("main")).not_to_contain_text("邻居乙")
    offer = ShiftOffer.objects.get(signup=tomorrow)
    assert offer.status == OfferStatus.PENDING and offer.to_person == roster["neighbour"]
    _shot(page, "7-offered")
    context.close()

    context, page = _on_phone(browser, base, "vol_neighbour")
    # The offer waits on the neighbour's own home page, addressed to them.
    waiting = page.locator("#offers-to-me")
    expect(waiting).to_contain_text("志愿者甲 请您接这个班。")
    fits(page)
    _shot(page, "8a-home-offer")
    waiting.get_by_role("link", name="接受或拒绝").click()
    page.wait_for_url(re.compile(rf"/supervision/offers/{offer.code}/$"))
    expect(page.get_by_text("志愿者甲 请您接这个班。")).to_be_visible()
    _shot(page, "8-offer")
    page.get_by_role("button", name="接受", exact=True).click()
    expect(page.get_by_text("已接受。")).to_be_visible()
    assert ShiftSignup.objects.get(pk=tomorrow.pk).status == SignupStatus.SWAPPED
    theirs = ShiftSignup.objects.get(shift_id=tomorrow.shift_id, person=roster["neighbour"])
    assert (
        theirs.status == SignupStatus.SIGNED_UP and ShiftOffer.objects.get(pk=offer.pk).status == "accepted"
    )
    expect(page.locator("ul.cards").first).to_contain_text("甲1号箱房")  # now the neighbour's shift
    fits(page)
    _shot(page, "9-accepted")
    context.close()


def test_an_unlinked_account_is_guided_then_linked_by_the_secretary(
    live_server: Any, browser: Any, roster: dict[str, Any]
) -> None:
    from accounts.models import User
    from audit.models import AuditEntry
    from grid.services.records import person_create
    from supervision.models import ShiftSignup

    grid, base = roster["grid"], live_server.url
    secretary = make_user("sec_jia", "community_secretary", grid.c1)
    secretary.first_name = "王书记"
    secretary.save()
    newcomer = make_user("vol_new", "volunteer", grid.c1)
    person = person_create(actor=None, node=grid.c1, name="新志愿者丙", phone="13700000003")

    on_phone, page = _on_phone(browser, base, "vol_new")
    help_box = page.locator("#unlinked-help")
    expect(help_box).to_contain_text("王书记")
    expect(help_box.get_by_role("button", name="关联我的账号")).to_be_visible()
    expect(page.locator("#todays-shift")).to_have_count(0)
    fits(page)
    _shot(page, "10-unlinked-home")
    page.locator("#bin-side").click()
    expect(page.locator("#unlinked-help")).to_be_visible()
    expect(page.get_by_role("button", name="报名")).to_have_count(0)  # nothing to sign up with yet
    _shot(page, "11-unlinked-duty")

    office = desktop(browser)
    desk = office.new_page()
    _log_in_from_home(desk, base, "sec_jia")
    desk.locator("#accounts-people").click()
    expect(desk.locator("#unlinked-accounts")).to_contain_text("vol_new")
    desk.get_by_label("姓名或手机号").fill("新志愿者")
    desk.get_by_role("button", name="搜索").click()
    found = desk.locator("#people-found li.person").filter(has_text="新志愿者丙")
    found.get_by_label("关联已有账号").select_option(label="vol_new · 志愿者")
    _shot(desk, "12-secretary-links")
    found.get_by_role("button", name="关联账号").click()
    expect(desk.get_by_text("账号 vol_new 已关联到 新志愿者丙。")).to_be_visible()
    assert User.objects.get(pk=newcomer.pk).person_id == person.pk
    assert AuditEntry.objects.filter(
        model="accounts.User", object_id=str(newcomer.pk), actor_id=secretary.pk
    ).exists()
    _shot(desk, "13-linked")
    office.close()

    page.reload()
    expect(page.locator("#unlinked-help")).to_have_count(0)
    # The first window with a place left: a full one says so and offers no sign-up.
    first_open = (
        page.locator("#open-this-week li.open-shift")
        .filter(has=page.get_by_role("button", name="报名"))
        .first
    )
    first_open.get_by_role("button", name="报名").click()
    expect(page.get_by_text("报名成功。")).to_be_visible()
    assert ShiftSignup.objects.filter(person=person).count() == 1
    _shot(page, "14-linked-signs-up")
    on_phone.close()
