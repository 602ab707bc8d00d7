"""Issue 14, a second newcomer's walk of the volunteer's phone journey: the recorder's households with their
building and room, cancelling one's own sign-up, hand-over offers named in full between the two colleagues,
missed windows (ended, nobody checked in) on the secretary's day and the volunteer's own page, opening hours
grouped by days."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from audit.models import AuditEntry
from grid.models import Household
from grid.services.records import person_create
from lib.clock import SHANGHAI
from supervision.handover import candidates_for
from supervision.models import OfferStatus, Shift, ShiftOffer, ShiftSignup, SignupStatus
from supervision.services import (
    point_create,
    shift_offer,
    shift_signup,
    shift_signup_cancel,
    shifts_generate,
)
from tests.conftest import EVENING, MORNING, Grid, client_for, make_user


@pytest.fixture
def point(grid: Grid, noon: datetime.date):  # type: ignore[no-untyped-def]
    p = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号箱房",
        windows=[(d, *w) for d in range(7) for w in (MORNING, EVENING)],
    )
    shifts_generate(points=[p], start=noon, days=2)
    Household.objects.filter(building__in=[grid.b1, grid.b2]).update(drop_off_point=p)
    return p


def _volunteer(username: str, grid: Grid, name: str) -> User:
    return make_user(username, Role.VOLUNTEER, grid.c1, person_create(actor=None, node=grid.c1, name=name))


def _today_shift(point, noon: datetime.date, start: datetime.time) -> Shift:  # type: ignore[no-untyped-def]
    return Shift.objects.get(point=point, day=noon, start=start)


@pytest.mark.django_db
def test_the_recorder_gets_every_household_with_building_and_room(grid: Grid, point) -> None:  # type: ignore[no-untyped-def]
    vol = _volunteer("vol", grid, "闫小明")
    html = client_for(vol).get(f"/supervision/p/{point.code}/record/").content.decode()
    data = json.loads(re.search(r'id="households-data"[^>]*>(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    rooms = [h for h in data if h["room"] == "101"]
    # Room 101 is in both buildings: the page hands over both, for the phone to ask which one.
    assert {(h["building"], h["room"]) for h in rooms} == {("1号楼", "101"), ("2号楼", "101")}
    assert all(set(h) == {"code", "building", "room"} for h in data)
    assert f'<option value="{rooms[0]["code"]}" label="{rooms[0]["building"]} 101">' in html
    assert f'href="/supervision/p/{point.code}/"' in html  # back to the point page (check-out is there)


@pytest.mark.django_db
def test_a_volunteer_cancels_their_own_signup_before_it_starts(grid: Grid, point, noon) -> None:  # type: ignore[no-untyped-def]
    vol = _volunteer("vol", grid, "闫小明")
    other = _volunteer("vol2", grid, "王大力")
    evening = _today_shift(point, noon, EVENING[0])
    mine = shift_signup(actor=vol, shift=evening, person=vol.person)  # type: ignore[arg-type]
    offer = shift_offer(actor=vol, signup=mine, to=other.person)  # type: ignore[arg-type]
    client = client_for(vol)
    home = client.get("/supervision/").content.decode()
    assert f"/supervision/signups/{mine.code}/cancel/" in home
    # First a confirmation: nothing changes yet.
    ask = client.post(f"/supervision/signups/{mine.code}/cancel/")
    assert ask.status_code == 200 and "取消您的报名？" in ask.content.decode()
    assert ShiftSignup.objects.get(pk=mine.pk).status == SignupStatus.SIGNED_UP
    client.post(f"/supervision/signups/{mine.code}/cancel/", {"confirmed": "1"})
    assert ShiftSignup.objects.get(pk=mine.pk).status == SignupStatus.CANCELLED
    assert ShiftOffer.objects.get(pk=offer.pk).status == OfferStatus.WITHDRAWN  # the offer goes with it
    assert AuditEntry.objects.filter(reason="sign-up cancelled by its person").count() == 1
    # The place is free: the shift is offered again on the volunteer's page.
    assert f"/supervision/shifts/{evening.code}/signup/" in client.get("/supervision/").content.decode()
    # Someone else's sign-up is not theirs to cancel; a window that has started cannot be cancelled.
    theirs = shift_signup(actor=other, shift=evening, person=other.person)  # type: ignore[arg-type]
    assert client.post(f"/supervision/signups/{theirs.code}/cancel/", {"confirmed": "1"}).status_code == 404
    assert ShiftSignup.objects.get(pk=theirs.pk).status == SignupStatus.SIGNED_UP
    morning = shift_signup(actor=None, shift=_today_shift(point, noon, MORNING[0]), person=vol.person)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        shift_signup_cancel(actor=vol, signup=morning)
    assert f"/supervision/signups/{morning.code}/cancel/" not in client.get("/supervision/").content.decode()


@pytest.mark.django_db
def test_hand_over_names_the_two_colleagues_in_full(grid: Grid, point, noon) -> None:  # type: ignore[no-untyped-def]
    sender = _volunteer("vol", grid, "闫小明")
    receiver = _volunteer("vol2", grid, "王大力")
    stranger = _volunteer("vol3", grid, "陈小红")  # never on duty at this point
    tomorrow = Shift.objects.get(point=point, day=noon + datetime.timedelta(days=1), start=EVENING[0])
    shift_signup(actor=None, shift=tomorrow, person=receiver.person)  # type: ignore[arg-type]
    mine = shift_signup(actor=None, shift=_today_shift(point, noon, EVENING[0]), person=sender.person)  # type: ignore[arg-type]
    # The picker: a colleague of this point by name, anyone else masked.
    labels = [c.label for c in candidates_for([mine], sender)[mine.pk]]
    assert any(label.startswith("王大力") for label in labels)
    assert any(label.startswith("陈**") for label in labels) and not any("陈小红" in la for la in labels)
    offer = shift_offer(actor=sender, signup=mine, to=receiver.person)  # type: ignore[arg-type]
    to_me = client_for(receiver).get(f"/supervision/offers/{offer.code}/").content.decode()
    assert "闫小明 请您接这个班。" in to_me and "闫**" not in to_me
    assert 'value="accept"' in to_me and "等待答复" not in to_me  # buttons, not a grey status
    assert "闫小明" in client_for(receiver).get("/").content.decode()  # the home page's offers
    sent = client_for(sender).get(f"/supervision/offers/{offer.code}/").content.decode()
    assert "等待王大力答复" in sent and 'value="accept"' not in sent
    assert "王大力" in client_for(sender).get("/supervision/").content.decode()
    assert client_for(stranger).get(f"/supervision/offers/{offer.code}/").status_code == 404


@pytest.mark.django_db
def test_an_ended_window_nobody_checked_in_to_is_missed(grid: Grid, point, noon, personas) -> None:  # type: ignore[no-untyped-def]
    vol = _volunteer("vol", grid, "闫小明")
    morning = _today_shift(point, noon, MORNING[0])
    shift_signup(actor=None, shift=morning, person=vol.person)  # type: ignore[arg-type]
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    home = secretary.get("/").content.decode()
    # Fully signed up, yet nobody came: 未到岗, not "every window is staffed".
    assert re.search(rf'class="error missed" data-shift="{morning.pk}"[^<]*<b>未到岗：无人签到</b>', home)
    assert "所有时段都有人值守" not in home
    vol_page = client_for(vol).get("/supervision/").content.decode()
    assert "已结束 · 未签到" in vol_page
    # Someone checked in (set directly: the service refuses a window that has ended): not missed.
    signup = ShiftSignup.objects.get(shift=morning)
    ShiftSignup.objects.filter(pk=signup.pk).update(
        checked_in_at=datetime.datetime.combine(noon, datetime.time(7, 5), tzinfo=SHANGHAI)
    )
    assert f'data-shift="{morning.pk}"' not in secretary.get("/").content.decode()


@pytest.mark.django_db
def test_the_volunteer_page_folds_swaps_and_leads_to_next_week(grid: Grid, point, noon) -> None:  # type: ignore[no-untyped-def]
    vol = _volunteer("vol", grid, "闫小明")
    _volunteer("vol2", grid, "王大力")
    shift_signup(actor=None, shift=_today_shift(point, noon, EVENING[0]), person=vol.person)  # type: ignore[arg-type]
    html = client_for(vol).get("/supervision/").content.decode()
    assert html.index('href="#open-next-week"') < html.index("我的班次")
    assert re.search(
        r'<details class="swap-details"><summary>换班…</summary>\s*.*?<form[^>]*class="swap"', html, re.S
    )
