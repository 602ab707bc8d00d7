"""Points, the duty roster (generation, sign-up, swap, check-in hours, gaps) and the numbers pages."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from grid.services.records import person_create
from lib.clock import SHANGHAI, local_today
from supervision.models import Holiday, OfferStatus, Shift, ShiftOffer, ShiftSignup, SignupStatus
from supervision.selectors import gaps, repeat_offenders
from supervision.services import (
    point_create,
    shift_check_in,
    shift_check_out,
    shift_is_over,
    shift_offer,
    shift_offer_answer,
    shift_signup,
    shifts_generate,
)
from tests.conftest import EVENING, MORNING, Grid, client_for


@pytest.fixture
def point(grid: Grid):  # type: ignore[no-untyped-def]
    windows = [(d, *MORNING) for d in range(7)] + [(d, *EVENING) for d in range(5)]  # no evenings at weekends
    p = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号箱房",
        windows=windows,
        holiday_windows=[(datetime.time(8), datetime.time(10))],
    )
    grid.h1.drop_off_point = p
    grid.h1.save()
    return p


@pytest.mark.django_db
def test_shifts_follow_windows_weekdays_and_holidays(point) -> None:  # type: ignore[no-untyped-def]
    monday = datetime.date(2026, 11, 30)
    Holiday.objects.create(day=monday + datetime.timedelta(days=2), name="测试假日")
    shifts_generate(points=[point], start=monday, days=7)
    by_day = {
        d: sorted(s.start for s in Shift.objects.filter(day=d))
        for d in set(Shift.objects.values_list("day", flat=True))
    }
    assert by_day[monday] == [MORNING[0], EVENING[0]]
    assert by_day[monday + datetime.timedelta(days=2)] == [datetime.time(8)]  # holiday window
    assert by_day[monday + datetime.timedelta(days=5)] == [MORNING[0]]  # Saturday: mornings only
    shifts_generate(points=[point], start=monday, days=7)
    assert Shift.objects.count() == 2 * 4 + 1 + 1 * 2  # re-running adds nothing


@pytest.mark.django_db
def test_an_adjusted_working_sunday_opens_like_its_weekday(point) -> None:  # type: ignore[no-untyped-def]
    """调休上班: a Sunday worked in exchange for a holiday opens by the windows of the weekday it is worked as
    (Holiday.workday, opens_like), in the roster and in the plausibility check alike (one rule: windows_on)."""
    from supervision.plausibility import _chosen, days_off

    sunday = datetime.date(2026, 12, 6)
    Holiday.objects.create(day=sunday, name="调休上班", workday=True, opens_like=0)
    shifts_generate(points=[point], start=sunday, days=1)
    assert sorted(Shift.objects.filter(day=sunday).values_list("start", flat=True)) == [
        MORNING[0],
        EVENING[0],
    ]
    windows = list(point.windows.all())
    assert [w.start for w in _chosen(windows, sunday, days_off([sunday]))] == [MORNING[0], EVENING[0]]
    assert [w.start for w in _chosen(windows, sunday, {})] == [MORNING[0]]  # a plain Sunday: mornings only


@pytest.mark.django_db
def test_signup_swap_and_hours(grid: Grid, point, noon) -> None:  # type: ignore[no-untyped-def]
    today = noon
    shifts_generate(points=[point], start=today, days=1)
    shift = Shift.objects.order_by("start").first()
    assert shift is not None
    alice = person_create(actor=None, node=grid.c1, name="志愿者甲")
    bob = person_create(actor=None, node=grid.c1, name="志愿者乙")
    signup = shift_signup(actor=None, shift=shift, person=alice)
    offer = shift_offer(actor=None, signup=signup, to=bob)
    assert ShiftSignup.objects.get(pk=signup.pk).status == SignupStatus.SIGNED_UP  # not before bob says yes
    shift_offer_answer(actor=None, offer=offer, accept=True)
    moved = ShiftSignup.objects.get(shift=shift, person=bob)
    signup.refresh_from_db()
    assert (
        signup.status == SignupStatus.SWAPPED
        and moved.person == bob
        and moved.status == SignupStatus.ASSIGNED
    )
    # The morning window (07:00–09:00, over at noon): in at 07:10, out at 08:45.
    start = datetime.datetime.combine(today, datetime.time(7, 10), tzinfo=SHANGHAI)
    shift_check_in(actor=None, signup=moved, at=start)
    shift_check_out(actor=None, signup=moved, at=start + datetime.timedelta(minutes=95))
    assert ShiftSignup.objects.get(pk=moved.pk).minutes == 95


@pytest.mark.django_db
def test_gaps_show_unstaffed_windows(grid: Grid, point) -> None:  # type: ignore[no-untyped-def]
    tomorrow = local_today() + datetime.timedelta(days=1)
    shifts_generate(points=[point], start=tomorrow, days=1)
    assert len(gaps(grid.c1, tomorrow)) == Shift.objects.filter(day=tomorrow).count() >= 1
    first = Shift.objects.filter(day=tomorrow).order_by("start").first()
    assert first is not None
    shift_signup(actor=None, shift=first, person=person_create(actor=None, node=grid.c1, name="甲"))
    assert first not in gaps(grid.c1, tomorrow)


@pytest.mark.django_db
def test_numbers_page_and_repeat_offenders(grid: Grid, point, personas: dict) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas["community_secretary"])
    now = timezone.now()
    records = [
        {
            "client_id": str(uuid.uuid4()),
            "point": point.code,
            "household": grid.h1.code,
            # Yesterday: the numbers page shows whole days up to yesterday (supervision.selectors.last_days).
            "observed_at": (now - datetime.timedelta(days=1, hours=h)).isoformat(),
            "category": "wet",
            "outcome": "mixed" if h % 2 else "correct",
            "mixed_with": ["dry"] if h % 2 else [],
        }
        for h in range(1, 9)
    ]
    client.post("/api/v1/supervision/observations", json.dumps(records), content_type="application/json")
    offenders = repeat_offenders(grid.c1, since=(now - datetime.timedelta(days=2)).date())
    assert [(o.household.pk, o.mistakes, o.drops) for o in offenders] == [(grid.h1.pk, 4, 8)]
    html = client.get(f"/supervision/numbers/{grid.c1.code}/").content.decode()
    assert "50.0%" in html and grid.h1.code in html
    # Broken down by point, micro-grid and grid worker too.
    assert point.code in html and grid.m1.code in html and grid.w1.code in html
    lead = client_for(personas["area_lead"]).get(f"/supervision/numbers/{grid.area.code}/").content.decode()
    assert grid.c1.name in lead and "50.0%" in lead


@pytest.mark.django_db
def test_volunteer_pages(grid: Grid, point, personas: dict, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    volunteer = personas["volunteer"]
    volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者")
    volunteer.save()
    today = local_today()
    # 07:15 in Shanghai: inside the morning window, where check-in is taken (services.check_in_open).
    at = datetime.datetime.combine(today, datetime.time(7, 15), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: at)
    shifts_generate(points=[point], start=today, days=2)
    client = client_for(volunteer)
    # The first shift not over yet: shifts already over are refused (see test_a_shift_already_over_…).
    shift = next(s for s in Shift.objects.order_by("day", "start") if not shift_is_over(s))
    client.post(f"/supervision/shifts/{shift.code}/signup/")
    home = client.get("/supervision/").content.decode()
    assert point.name in home
    signup = ShiftSignup.objects.get(person=volunteer.person)
    client.post(f"/supervision/signups/{signup.code}/check-in/")
    assert ShiftSignup.objects.get(pk=signup.pk).checked_in_at is not None
    record_page = client.get(f"/supervision/p/{point.code}/record/").content.decode()
    assert grid.h1.code in record_page and "recorder.js" in record_page
    sw = client.get("/supervision/sw.js")
    assert (
        sw["Content-Type"].startswith("application/javascript")
        and sw["Service-Worker-Allowed"] == "/supervision/"
    )


@pytest.mark.django_db
def test_volunteer_hands_a_shift_to_a_neighbour_by_phone(grid: Grid, point, personas: dict) -> None:  # type: ignore[no-untyped-def]
    volunteer = personas["volunteer"]
    volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者", phone="13500000001")
    volunteer.save()
    neighbour = person_create(actor=None, node=grid.m1, name="邻居", phone="13500000002")
    stranger = person_create(actor=None, node=grid.c2, name="外区", phone="13500000003")
    shifts_generate(points=[point], start=local_today(), days=1)
    shift = Shift.objects.order_by("start").first()
    assert shift is not None
    mine = shift_signup(actor=None, shift=shift, person=volunteer.person)
    client = client_for(volunteer)
    client.post(f"/supervision/signups/{mine.code}/swap/", {"phone": stranger.phone})
    assert (
        ShiftSignup.objects.get(pk=mine.pk).status == SignupStatus.SIGNED_UP
    )  # not of this residential area
    client.post(f"/supervision/signups/{mine.code}/swap/", {"phone": neighbour.phone})
    # Only offered: the shift stays the volunteer's until the neighbour (or a secretary) accepts.
    assert ShiftSignup.objects.get(pk=mine.pk).status == SignupStatus.SIGNED_UP
    offer = ShiftOffer.objects.get(signup=mine, status=OfferStatus.PENDING)
    secretary = client_for(personas["community_secretary"])
    secretary.post(f"/supervision/offers/{offer.code}/", {"action": "accept"})
    assert ShiftSignup.objects.get(pk=mine.pk).status == SignupStatus.SWAPPED
    assert ShiftSignup.objects.get(shift=shift, person=neighbour).status == SignupStatus.ASSIGNED


@pytest.mark.django_db
def test_purity_check_is_saved_once_per_form_and_tied_to_the_open_shift(
    grid: Grid, point, personas: dict
) -> None:  # type: ignore[no-untyped-def]
    from supervision.models import PurityCheck

    client = client_for(personas["volunteer"])
    form = {
        "form_id": str(uuid.uuid4()),
        "level_wet": "slight",
        "level_dry": "clean",
        "level_plutonium": "clean",
        "level_recyclable": "",
        "notes": "湿垃圾桶里有塑料袋",
    }
    client.post(f"/supervision/p/{point.code}/purity/", form)
    client.post(f"/supervision/p/{point.code}/purity/", form)  # the same form sent twice
    checks = dict(PurityCheck.objects.values_list("category", "level"))
    assert checks == {"wet": "slight", "dry": "clean"}
    assert PurityCheck.objects.filter(notes="湿垃圾桶里有塑料袋").count() == 2


@pytest.fixture
def every_day_point(grid: Grid, noon):  # type: ignore[no-untyped-def]
    p = point_create(
        actor=None,
        community=grid.c1,
        name="乙2号箱房",
        windows=[(d, *w) for d in range(7) for w in (MORNING, EVENING)],
    )
    shifts_generate(points=[p], start=noon, days=2)
    return p


@pytest.fixture
def linked_volunteer(grid: Grid, personas: dict):  # type: ignore[no-untyped-def]
    volunteer = personas["volunteer"]
    volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者丙")
    volunteer.save()
    return volunteer


@pytest.mark.django_db
def test_opening_hours_show_weekday_names_in_zh_and_en(point, personas: dict) -> None:  # type: ignore[no-untyped-def]
    from supervision.templatetags.roster import weekday_name

    client = client_for(personas["volunteer"])
    zh = client.get(f"/supervision/p/{point.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get(f"/supervision/p/{point.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Days with the same hours are one line (issue 14); a window's dash is held by word joiners.
    zh, en = zh.replace("\u2060", ""), en.replace("\u2060", "")
    assert (
        "<li>星期一至星期五 07:00–09:00、18:30–20:30</li>" in zh
        and "<li>星期六至星期日 07:00–09:00</li>" in zh
    )
    assert "<li>Monday to Friday 07:00–09:00, 18:30–20:30</li>" in en
    assert "<li>Saturday to Sunday 07:00–09:00</li>" in en
    assert "<li>0 07:00" not in zh + en and "<li>6 07:00" not in zh + en
    with translation.override("zh-hans"):
        assert weekday_name("3") == "星期四" and weekday_name(7) == "7"  # out of range is shown as it is
    with translation.override("en"):
        assert weekday_name(3) == "Thursday" and weekday_name(None) == "None"


@pytest.mark.django_db
def test_a_shift_already_over_is_refused_and_not_offered(  # type: ignore[no-untyped-def]
    every_day_point, linked_volunteer, noon
) -> None:
    morning, evening = Shift.objects.filter(point=every_day_point, day=noon).order_by("start")
    yesterday = Shift.objects.create(
        point=every_day_point,
        subdistrict_id=morning.subdistrict_id,
        day=noon - datetime.timedelta(days=1),
        start=datetime.time(18),
        end=datetime.time(20),
    )
    for over in (morning, yesterday):
        for lang, words in (("zh-hans", "该班次已结束"), ("en", "already over")):
            with translation.override(lang), pytest.raises(ValidationError) as exc:
                shift_signup(actor=linked_volunteer, shift=over, person=linked_volunteer.person)
            assert words in str(exc.value)
    client = client_for(linked_volunteer)
    page = client.post(f"/supervision/shifts/{morning.code}/signup/", follow=True).content.decode()
    assert "该班次已结束" in page and not ShiftSignup.objects.filter(shift=morning).exists()
    # Not offered: the home page lists only the evening shift today, the point page says why not.
    home = client.get("/supervision/").content.decode()
    assert f"/supervision/shifts/{evening.code}/signup/" in home
    assert f"/supervision/shifts/{morning.code}/signup/" not in home
    point_page = client.get(f"/supervision/p/{every_day_point.code}/").content.decode()
    assert f"/supervision/shifts/{morning.code}/signup/" not in point_page
    assert (
        "已结束：不能再报名。" in point_page and f"/supervision/shifts/{evening.code}/signup/" in point_page
    )
    # Mine but over and never checked in: no check-in button either.
    mine = shift_signup(actor=None, shift=morning, person=linked_volunteer.person)
    point_page = client.get(f"/supervision/p/{every_day_point.code}/").content.decode()
    assert f"/supervision/signups/{mine.code}/check-in/" not in point_page and "已结束 · 未签到" in point_page
    # A shift not over is still taken, through the page.
    client.post(f"/supervision/shifts/{evening.code}/signup/")
    assert ShiftSignup.objects.filter(shift=evening, person=linked_volunteer.person).exists()


@pytest.mark.django_db
def test_home_page_links_to_todays_point(every_day_point, linked_volunteer, noon) -> None:  # type: ignore[no-untyped-def]
    client = client_for(linked_volunteer)
    assert 'id="todays-shift"' not in client.get("/").content.decode()  # no sign-up today: no link
    morning, evening = Shift.objects.filter(point=every_day_point, day=noon).order_by("start")
    tomorrow = Shift.objects.filter(point=every_day_point, day=noon + datetime.timedelta(days=1)).first()
    assert tomorrow is not None
    shift_signup(actor=None, shift=tomorrow, person=linked_volunteer.person)
    assert 'id="todays-shift"' not in client.get("/").content.decode()  # tomorrow's is not today's
    shift_signup(actor=None, shift=morning, person=linked_volunteer.person)
    # Only a shift that ended at 09:00: nothing to go to today (issue 14: it was offered to check in to).
    assert 'id="todays-shift"' not in client.get("/").content.decode()
    shift_signup(actor=None, shift=evening, person=linked_volunteer.person)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    link = f'id="todays-shift" href="/supervision/p/{every_day_point.code}/"'
    assert link in html and "今日值班：乙2号箱房 18:30–20:30" in html  # the one not over yet
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert link in en and "Today's shift: 乙2号箱房 18:30–20:30" in en
    assert client.get(f"/supervision/p/{every_day_point.code}/").status_code == 200  # the link opens


@pytest.mark.django_db
def test_home_page_links_an_ended_shift_only_to_check_out(every_day_point, linked_volunteer, noon) -> None:  # type: ignore[no-untyped-def]
    morning = Shift.objects.filter(point=every_day_point, day=noon).order_by("start").first()
    assert morning is not None
    signup = shift_signup(actor=None, shift=morning, person=linked_volunteer.person)
    ShiftSignup.objects.filter(pk=signup.pk).update(
        checked_in_at=timezone.now() - datetime.timedelta(hours=4)
    )
    html = client_for(linked_volunteer).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="todays-shift"' in html and "Check out of today's shift: 乙2号箱房 07:00–09:00" in html


@pytest.mark.django_db
def test_the_area_lead_reads_points_and_rosters_without_recording(  # type: ignore[no-untyped-def]
    grid: Grid, point, personas: dict
) -> None:
    """Area staff oversee their area's points (accounts.roles.READ_POINTS): the nav leads to them, a point's
    page shows its windows with their rosters, a roster links to the point's other windows; recording stays
    refused."""
    today = local_today()
    shifts_generate(points=[point], start=today, days=3)
    lead = client_for(personas["area_lead"])
    assert 'href="/supervision/"' in lead.get("/").content.decode()  # 桶边值守 in the nav
    home = lead.get("/supervision/")
    text = home.content.decode()
    assert home.status_code == 200 and f'href="/supervision/p/{point.code}/"' in text
    assert "open-next-week" not in text and f"/supervision/p/{point.code}/record/" not in text
    page = lead.get(f"/supervision/p/{point.code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"/supervision/p/{point.code}/record/" not in text and "/purity/" not in text
    todays = list(Shift.objects.filter(point=point, day=today).order_by("start"))
    assert todays and all(f'href="/supervision/shifts/{s.code}/roster/"' in text for s in todays)
    assert "/signup/" not in text  # no sign-up buttons for a reader
    assert lead.get(f"/supervision/p/{point.code}/record/").status_code == 403
    roster = lead.get(f"/supervision/shifts/{todays[0].code}/roster/").content.decode()
    assert f'href="/supervision/p/{point.code}/"' in roster and 'id="other-windows"' in roster
    later = Shift.objects.filter(point=point, day=today + datetime.timedelta(days=1)).first()
    assert later is not None and f'href="/supervision/shifts/{later.code}/roster/"' in roster
    # A point of another residential area stays out of scope for that area's secretary.
    assert client_for(personas["outsider"]).get(f"/supervision/p/{point.code}/").status_code == 404


@pytest.mark.django_db
def test_the_numbers_page_links_each_point(grid: Grid, point, personas: dict) -> None:  # type: ignore[no-untyped-def]
    from supervision.models import PointDay

    PointDay.objects.create(
        subdistrict_id=grid.sd.pk,
        community_id=grid.c1.pk,
        point=point,
        day=local_today() - datetime.timedelta(days=1),
        category="wet",
        total=4,
        correct=3,
    )
    html = client_for(personas["area_lead"]).get(f"/supervision/numbers/{grid.c1.code}/").content.decode()
    assert f'<a href="/supervision/p/{point.code}/">{point.name}</a>' in html
