"""The volunteer's pages: check-in offered only while it is taken, and the open shifts by calendar week."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grid.services.records import person_create
from lib.clock import SHANGHAI
from supervision.models import Shift
from supervision.services import point_create, shift_signup, shifts_generate
from tests.conftest import EVENING, MORNING, Grid, client_for, make_user

WEDNESDAY = datetime.date(2026, 12, 2)
CHECK_IN_BUTTON = '<button class="primary">签到</button>'


def _set_up(grid: Grid, monkeypatch: pytest.MonkeyPatch, at: datetime.datetime):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: at)
    point = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号箱房",
        windows=[(d, *w) for d in range(7) for w in (MORNING, EVENING)],
    )
    shifts_generate(points=[point], start=at.date(), days=14)
    person = person_create(actor=None, node=grid.c1, name="志愿者甲")
    user = make_user("vol_w", "volunteer", grid.c1, person)
    return point, person, client_for(user)


@pytest.mark.django_db
def test_the_point_page_offers_check_in_only_when_it_is_open(
    grid: Grid, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = datetime.datetime.combine(WEDNESDAY, datetime.time(2, 40), tzinfo=SHANGHAI)
    point, person, client = _set_up(grid, monkeypatch, at)
    signup = shift_signup(actor=None, shift=Shift.objects.get(day=WEDNESDAY, start=MORNING[0]), person=person)
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    assert "签到于 06:30 开放" in html and CHECK_IN_BUTTON not in html
    # A forged POST at 02:40 is refused with the same words, and nothing is recorded.
    answer = client.post(f"/supervision/signups/{signup.code}/check-in/", follow=True).content.decode()
    assert "还不能签到：签到于 06:30 开放" in answer
    signup.refresh_from_db()
    assert signup.checked_in_at is None
    monkeypatch.setattr(timezone, "now", lambda: at.replace(hour=6, minute=45))
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    assert "签到于" not in html and CHECK_IN_BUTTON in html


@pytest.mark.django_db
def test_open_shifts_are_listed_by_calendar_week(grid: Grid, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a Wednesday "this week" runs to Sunday and "next week" is Monday to Sunday (not rolling 7 days)."""
    at = datetime.datetime.combine(WEDNESDAY, datetime.time(12), tzinfo=SHANGHAI)
    _point, _person, client = _set_up(grid, monkeypatch, at)
    weeks = client.get("/supervision/").context["open_weeks"]
    (_, this, _, first, last), (_, nxt, _, next_first, next_last) = weeks
    sunday, monday = datetime.date(2026, 12, 6), datetime.date(2026, 12, 7)
    assert (first, last, next_first, next_last) == (WEDNESDAY, sunday, monday, datetime.date(2026, 12, 13))
    assert {s.day for s in this} == {WEDNESDAY + datetime.timedelta(days=n) for n in range(5)}
    assert {s.day for s in nxt} == {monday + datetime.timedelta(days=n) for n in range(7)}
    html = client.get("/supervision/").content.decode()
    assert "12-06 星期日" in html and "12-07 星期一–12-13 星期日" in html
    # On a Sunday, this week is that day alone and next week starts tomorrow.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime.combine(sunday, datetime.time(8), tzinfo=SHANGHAI)
    )
    weeks = client.get("/supervision/").context["open_weeks"]
    assert [(w[3], w[4]) for w in weeks] == [(sunday, sunday), (monday, datetime.date(2026, 12, 13))]


# --- Walk of the volunteer's point page (check-out confirmed and undoable, check-in time, purity notes, what
# was mixed in, hand-over accepted, the header's name) ------------------------------------------------------


def _checked_in_at_0630(grid: Grid, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    at = datetime.datetime.combine(WEDNESDAY, datetime.time(6, 30), tzinfo=SHANGHAI)
    point, person, client = _set_up(grid, monkeypatch, at)
    signup = shift_signup(actor=None, shift=Shift.objects.get(day=WEDNESDAY, start=MORNING[0]), person=person)
    client.post(f"/supervision/signups/{signup.code}/check-in/")
    return point, signup, client, at


@pytest.mark.django_db
def test_the_card_shows_the_check_in_time(grid: Grid, monkeypatch: pytest.MonkeyPatch) -> None:
    point, signup, client, _at = _checked_in_at_0630(grid, monkeypatch)
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    assert "已签到 06:30" in html and f"/supervision/signups/{signup.code}/check-out/" in html
    assert "已签到 06:30" in client.get("/supervision/").content.decode()


@pytest.mark.django_db
def test_an_early_check_out_is_confirmed_and_can_be_undone_while_the_window_is_open(
    grid: Grid, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit.models import AuditEntry
    from supervision.models import ShiftSignup

    point, signup, client, at = _checked_in_at_0630(grid, monkeypatch)
    monkeypatch.setattr(timezone, "now", lambda: at.replace(hour=7, minute=20))
    # A stray tap on 签退 asks first, saying what it credits; nothing changes yet.
    ask = client.post(f"/supervision/signups/{signup.code}/check-out/")
    text = ask.content.decode()
    assert ask.status_code == 200 and "班次尚未结束，确定现在签退？" in text
    assert "06:30 签到：将计入值守 20 分钟。" in text and "09:00 结束" in text
    assert ShiftSignup.objects.get(pk=signup.pk).checked_out_at is None
    client.post(f"/supervision/signups/{signup.code}/check-out/", {"confirmed": "1"})
    done = ShiftSignup.objects.get(pk=signup.pk)
    assert done.checked_out_at is not None and done.minutes == 20
    # Still inside the window: the card offers to undo it; undoing puts the person back on duty, audited.
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    undo = f"/supervision/signups/{signup.code}/check-undo/"
    assert "值守 20 分钟" in html and undo in html and "撤销签退" in html
    answer = client.post(undo, follow=True).content.decode()
    assert "已撤销签退" in answer and f"/supervision/signups/{signup.code}/check-out/" in answer
    again = ShiftSignup.objects.get(pk=signup.pk)
    assert again.checked_out_at is None and again.minutes == 0 and again.checked_in_at == done.checked_in_at
    assert AuditEntry.objects.filter(reason="check-out undone").count() == 1
    # Checked out after the window: no question, and the minutes then stand (no undo offered or taken).
    monkeypatch.setattr(timezone, "now", lambda: at.replace(hour=9, minute=30))
    client.post(f"/supervision/signups/{signup.code}/check-out/")
    assert ShiftSignup.objects.get(pk=signup.pk).minutes == 120
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    assert undo not in html
    refused = client.post(undo, follow=True).content.decode()
    assert "签退不能再撤销" in refused and ShiftSignup.objects.get(pk=signup.pk).minutes == 120


@pytest.mark.django_db
def test_the_purity_note_shows_with_the_saved_level_and_for_staff(
    grid: Grid, monkeypatch: pytest.MonkeyPatch, personas: dict
) -> None:
    import uuid

    at = datetime.datetime.combine(WEDNESDAY, datetime.time(7, 30), tzinfo=SHANGHAI)
    point, _person, client = _set_up(grid, monkeypatch, at)
    client.post(
        f"/supervision/p/{point.code}/purity/",
        {
            "form_id": str(uuid.uuid4()),
            "level_wet": "slight",
            "level_dry": "clean",
            "notes": "湿垃圾里有塑料袋",
        },
    )
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    assert "今日已保存：轻微混杂" in html and "今日已保存的备注：湿垃圾里有塑料袋 · 07:30" in html
    # A second check that day (another volunteer, later) adds its note; the first one's stays shown.
    monkeypatch.setattr(timezone, "now", lambda: at.replace(hour=8, minute=10))
    client.post(
        f"/supervision/p/{point.code}/purity/",
        {"form_id": str(uuid.uuid4()), "level_wet": "clean", "notes": "已清理"},
    )
    html = client.get(f"/supervision/p/{point.code}/").content.decode()
    assert "湿垃圾里有塑料袋 · 07:30" in html and "已清理 · 08:10" in html
    for staff, recorder in (("community_secretary", "志愿者甲"), ("area_lead", "志***")):
        page = client_for(personas[staff]).get(f"/supervision/p/{point.code}/").content.decode()
        assert "近 7 天的纯净度检查" in page and "备注：湿垃圾里有塑料袋" in page, staff
        assert "12-02 07:30" in page and "轻微混杂" in page and recorder in page, staff
    # The area lead reads no personal data: the recorder's name masked (lib.masking), as on flagged records.
    assert (
        "志愿者甲"
        not in client_for(personas["area_lead"]).get(f"/supervision/p/{point.code}/").content.decode()
    )


@pytest.mark.django_db
def test_a_mixed_drop_off_says_what_was_mixed_in_where_it_is_listed(grid: Grid, personas: dict) -> None:
    from django.utils import translation

    from lib.clock import local_today
    from supervision.outcomes import outcome_text
    from tests.conftest import drop_offs

    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    drop_offs(point, grid.h1, local_today() - datetime.timedelta(days=1), ["mixed"])  # a mixed one names dry
    page = client_for(personas["community_secretary"]).get(f"/grid/households/{grid.h1.code}/")
    html = page.content.decode()
    assert "湿垃圾（厨余） · 混投（混入：干垃圾（其他））" in html
    # The list says what it is: the mistakes among the drop-offs counted above, not all of them (a walk).
    assert html.index('id="hh-mistakes-head"') < html.index("混投（混入：干垃圾（其他））")
    with translation.override("en"):
        assert outcome_text("mixed", "dry,hazardous") == "Mixed (mixed in: Dry (residual) waste, Hazardous)"
        assert outcome_text("refused", "dry") == "Refused to correct"


@pytest.mark.django_db
def test_the_sender_is_told_the_hand_over_was_accepted_and_the_header_names_people(
    grid: Grid, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supervision.services import shift_offer, shift_offer_answer

    at = datetime.datetime.combine(WEDNESDAY, datetime.time(12), tzinfo=SHANGHAI)
    _point, person, client = _set_up(grid, monkeypatch, at)
    taker = make_user(
        "vol_jiang", "volunteer", grid.c1, person_create(actor=None, node=grid.c1, name="蒋涛红")
    )
    evening = Shift.objects.get(day=WEDNESDAY + datetime.timedelta(days=1), start=EVENING[0])
    mine = shift_signup(actor=None, shift=evening, person=person)
    offer = shift_offer(actor=None, signup=mine, to=taker.person)  # type: ignore[arg-type]
    shift_offer_answer(actor=taker, offer=offer, accept=True)
    html = client.get("/supervision/").content.decode()
    assert "12-03 18:30 甲1号箱房：已由 蒋涛红 接班" in html
    # The header names the signed-in person with their login id.
    assert '志愿者甲 <small class="login-id">(vol_w)</small>' in html
    assert (
        '蒋涛红 <small class="login-id">(vol_jiang)</small>'
        in client_for(taker).get("/supervision/").content.decode()
    )
