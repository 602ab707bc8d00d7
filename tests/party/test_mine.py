"""The party member's own four leads (我的四个带头): the branch table's figures for one member, what is
missing and the link that gets it; signing the pledge online; cancelling a theme-day registration before
the start (the place frees up, audited; evidence refused)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from activities.models import Registration
from activities.services import activity_check_in, activity_create, activity_register, registration_cancel
from audit.models import AuditEntry
from grid.models import Person
from grid.services.records import person_create
from lib.clock import local_today
from lib.periods import Period
from party.models import PartyMember, Pledge
from party.selectors import four_leads
from party.services import member_add, pledge_sign, visit_plan_create
from supervision.services import point_create, shift_signup, shifts_generate
from tests.conftest import Grid, client_for, make_user
from tests.personas import party_branch, party_member

TODAY = local_today()
QUARTER = Period.containing("quarter", TODAY)


def _member(grid: Grid, name: str = "党员甲", node=None, household=None) -> PartyMember:  # type: ignore[no-untyped-def]
    return party_member(
        grid,
        name,
        household=household or grid.h1,
        node=node,
        committee=f"{name}党工委",
        branch=f"{name}支部",
    )


@pytest.mark.django_db
def test_my_four_leads_say_what_is_missing_and_the_pledge_is_signed_online(grid: Grid) -> None:
    member = _member(grid)
    user = make_user("pm_me", Role.PARTY_MEMBER, grid.c1, member.person)
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    # 90 minutes on duty this quarter: that lead is done, the other three are missing.
    point = point_create(
        actor=None,
        community=grid.c1,
        name="值守点",
        windows=[(TODAY.weekday(), datetime.time(7), datetime.time(9))],
    )
    shifts_generate(points=[point], start=TODAY, days=1)
    signup = shift_signup(actor=None, shift=point.shifts.get(), person=member.person)
    signup.minutes = 90
    signup.save()
    client = client_for(user)
    home = client.get("/").content.decode()
    assert 'id="my-leads"' in home and "(1/4)" in home and "/party/me/" in home
    page = client.get("/party/me/").content.decode()
    # The same figures as the branch table's row for this member.
    row = next(m for m in four_leads(PartyMember.objects.all(), QUARTER, TODAY) if m.member == member)
    assert (row.count, row.pledge, row.duty, row.visiting) == (1, False, True, False)
    assert f"<b>{row.count}/4</b>" in page
    assert 'class="card lead missing" id="lead-pledge"' in page and 'id="sign-pledge"' in page
    assert 'class="card lead done" id="lead-duty"' in page and "1.5" in page
    # One unit per lead, saying what it counts: hours on duty (not "signed up"), and the rule in hours too;
    # the sorting rule as a percentage like the household's own figure (issue 14).
    assert "本期已值守 1.5 小时（按签到至签退计）。" in page and "本期桶边值守满 1.0 小时即算带头。" in page
    assert "报名" not in page.split('id="lead-duty"')[1].split("</section>")[0]
    assert "正确率不低于 90%" in page and "0.9" not in page
    en = client.get("/party/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1.5 h on duty this period, counted from check-in to check-out." in en
    assert "Counts from 1.0 h on duty at the bins in the period." in en
    assert 'id="sign-up-shift"' not in page  # duty is done: no shift link
    assert 'class="card lead missing" id="lead-visits"' in page and f'href="/party/plan/{plan.code}/"' in page
    # Not ticked: refused, nothing stored.
    refused = client.post("/party/me/", {})
    assert refused.status_code == 400 and not Pledge.objects.exists()
    done = client.post("/party/me/", {"agree": "1"})
    assert done.status_code == 302 and done["Location"].startswith("/party/me/")
    pledge = Pledge.objects.get(member=member)
    assert pledge.signed_on == TODAY and pledge.recorded_by == user
    assert (
        AuditEntry.objects.filter(model="party.Pledge", object_id=str(pledge.pk), action="create").count()
        == 1
    )
    client.post("/party/me/", {"agree": "1"})  # a second tap: still one pledge
    assert Pledge.objects.filter(member=member).count() == 1
    page = client.get("/party/me/").content.decode()
    assert 'class="card lead done" id="lead-pledge"' in page and "<b>2/4</b>" in page
    assert 'id="sign-pledge"' not in page


@pytest.mark.django_db
def test_missing_duty_links_to_the_roster_and_no_household_says_whom_to_ask(grid: Grid) -> None:
    branch = party_branch(grid)
    commuter = person_create(actor=None, node=grid.c1, name="在职党员")
    member = member_add(actor=None, person=commuter, org=branch, kind="in_service", community=grid.c1)
    page = client_for(make_user("pm_commuter", Role.PARTY_MEMBER, grid.c1, commuter)).get("/party/me/")
    text = page.content.decode()
    assert member.person.household_id is None
    assert 'id="sign-up-shift" href="/supervision/"' in text and 'id="lead-sorts"' in text
    assert "居民区书记" in text or "secretary" in text  # whom to ask to be added to a household
    assert 'href="/party/plan/' not in text  # no plan this quarter: says so instead of a dead link


@pytest.mark.django_db
def test_a_login_without_a_member_is_told_and_cannot_sign(grid: Grid, personas: dict) -> None:
    client = client_for(personas[Role.PARTY_MEMBER])  # no person linked
    page = client.get("/party/me/")
    assert page.status_code == 200 and 'id="lead-pledge"' not in page.content.decode()
    assert client.post("/party/me/", {"agree": "1"}).status_code == 400
    assert not Pledge.objects.exists()
    assert client_for(personas[Role.RESIDENT]).get("/party/me/").status_code in (403, 404)


@pytest.mark.django_db
def test_pledge_is_signed_by_the_member_or_staff_in_scope_never_in_the_future(grid: Grid) -> None:
    here = _member(grid, "党员甲")
    there = _member(grid, "党员乙", node=grid.c2, household=grid.h_other)
    outsider_member_login = make_user("pm_other", Role.PARTY_MEMBER, grid.c2, there.person)
    with pytest.raises(PermissionDenied):  # a member of another area cannot sign for this one
        pledge_sign(actor=outsider_member_login, member=here)
    with pytest.raises(PermissionDenied):
        pledge_sign(actor=make_user("sec_other", Role.COMMUNITY_SECRETARY, grid.c2), member=here)
    with pytest.raises(ValidationError):
        pledge_sign(actor=None, member=here, signed_on=TODAY + datetime.timedelta(days=1))
    assert not Pledge.objects.exists()
    # The member themself, whatever their login's node; staff of the area for a paper pledge.
    assert pledge_sign(actor=outsider_member_login, member=there).signed_on == TODAY
    staff = make_user("sec_here", Role.COMMUNITY_SECRETARY, grid.c1)
    assert pledge_sign(actor=staff, member=here, signed_on=datetime.date(2019, 6, 1)).recorded_by == staff


def _theme_day(grid: Grid, starts_in: datetime.timedelta, capacity: int = 1):  # type: ignore[no-untyped-def]
    start = timezone.now() + starts_in
    return activity_create(
        actor=None,
        node=grid.c1,
        kind="theme_day",
        title="主题党日",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=capacity,
        credit_minutes=120,
        place="居委会活动室",
        publish=True,
    )


@pytest.mark.django_db
def test_cancelling_before_the_start_frees_the_place_and_is_audited(grid: Grid) -> None:
    activity = _theme_day(grid, datetime.timedelta(days=2))
    alice = _member(grid, "甲").person  # a theme party day takes party members only
    bob = _member(grid, "乙").person
    alice_login = make_user("alice", Role.PARTY_MEMBER, grid.c1, alice)
    activity_register(actor=alice_login, activity=activity, person=alice)
    with pytest.raises(ValidationError):
        activity_register(actor=None, activity=activity, person=bob)  # full
    assert registration_cancel(actor=alice_login, activity=activity, person=alice) is True
    assert not Registration.objects.filter(activity=activity).exists()
    entry = AuditEntry.objects.get(model="activities.Registration", action="delete")
    assert entry.actor == alice_login and entry.changes["person_id"] == alice.pk
    assert registration_cancel(actor=alice_login, activity=activity, person=alice) is False  # second tap
    activity_register(actor=None, activity=activity, person=bob)  # the place went to someone else
    # Someone else's registration: only staff of their node may cancel it.
    with pytest.raises(PermissionDenied):
        registration_cancel(
            actor=make_user("sec2", Role.COMMUNITY_SECRETARY, grid.c2), activity=activity, person=bob
        )
    assert Registration.objects.filter(activity=activity, person=bob).exists()


@pytest.mark.django_db
def test_no_cancelling_once_started_or_checked_in(grid: Grid) -> None:
    started = _theme_day(grid, -datetime.timedelta(minutes=5), capacity=0)
    soon = _theme_day(grid, datetime.timedelta(minutes=30), capacity=0)
    person = _member(grid, "甲").person
    activity_register(actor=None, activity=started, person=person)
    activity_check_in(actor=None, activity=soon, person=person)  # doors open an hour early
    for activity in (started, soon):
        with pytest.raises(ValidationError):
            registration_cancel(actor=None, activity=activity, person=person)
    assert Registration.objects.filter(person=person).count() == 2
    assert not AuditEntry.objects.filter(model="activities.Registration", action="delete").exists()


@pytest.mark.django_db
def test_the_cancel_button_on_the_activity_page(grid: Grid) -> None:
    activity = _theme_day(grid, datetime.timedelta(days=1), capacity=5)
    person = _member(grid, "甲").person
    client = client_for(make_user("pm_btn", Role.PARTY_MEMBER, grid.c1, person))
    url = f"/activities/a/{activity.code}/"
    assert client.post(url, {"action": "register"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'id="cancel-registration"' in page and "1 / 5" in page
    asked = client.post(url, {"action": "cancel"}).content.decode()
    assert 'id="confirm-yes"' in asked  # asked first, truthfully: one may register again (issue 14)
    assert "此操作不能撤销" not in asked and "仍有名额时可以重新报名" in asked
    # The question names the activity: its title, day and hours, and place (a walk found a bare "确定取消报名？").
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    assert "确定取消“主题党日”的报名？" in asked
    assert f"时间：{start:%Y-%m-%d %H:%M}–{end:%H:%M} · 地点：居委会活动室 · {grid.c1.name}" in asked
    assert client.post(url, {"action": "cancel", "confirmed": "1"}).status_code == 302
    page = client.get(url).content.decode()
    assert "已取消报名。" in page  # said once, after the redirect
    assert not Registration.objects.filter(activity=activity).exists()
    assert 'id="register"' in page and "0 / 5" in page and 'id="cancel-registration"' not in page
    # After the start the button is gone and a forged POST is refused with a message, the row kept.
    started = _theme_day(grid, -datetime.timedelta(minutes=1), capacity=5)
    activity_register(actor=None, activity=started, person=person)
    later = f"/activities/a/{started.code}/"
    assert 'id="cancel-registration"' not in client.get(later).content.decode()
    refused = client.post(later, {"action": "cancel"})
    assert refused.status_code == 400 and Registration.objects.filter(activity=started).count() == 1
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.django_db
def test_the_way_to_the_visits_stays_once_the_visit_lead_is_met(grid: Grid) -> None:
    import uuid

    from party.services import visit_record

    member = _member(grid)
    client = client_for(make_user("pm_visits", Role.PARTY_MEMBER, grid.c1, member.person))
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    before = client.get("/party/me/").content.decode()
    assert (
        'class="card lead missing" id="lead-visits"' in before
        and f'href="/party/plan/{plan.code}/"' in before
    )
    household = type(grid.h1).objects.select_related("building__microgrid", "community").get(pk=grid.h1.pk)
    visit_record(
        actor=None,
        household=household,
        day=TODAY,
        outcome="talked",
        visitors=[member],
        plan=plan,
        client_id=uuid.uuid4(),
    )
    after = client.get("/party/me/").content.decode()
    lead = after.split('id="lead-visits"')[1].split("</section>")[0]
    assert 'class="card lead done" id="lead-visits"' in after
    assert f'href="/party/plan/{plan.code}/"' in lead  # still there: the list where visits are recorded
