"""Activities: registration with places, check-in at the door (QR, idempotent, only while doors are open),
closing credits minutes and points once, the calendar, photos without metadata."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from activities.models import Registration
from activities.services import (
    activity_check_in,
    activity_close,
    activity_create,
    activity_photo_add,
    activity_publish,
    activity_register,
)
from grid.services.records import person_create
from lib.clock import local_today
from points.models import LedgerEntry, PointsAccount
from tests.conftest import Grid, client_for

NOW = timezone.now()


def _activity(grid: Grid, *, start: datetime.datetime | None = None, hours: int = 2, **extra: Any) -> Any:
    """A two-hour training in c1 (120 credited minutes, 20 points), open to everyone, that began 30 minutes
    ago unless `start` says when; `extra` overrides or adds activity_create's other arguments (a theme party
    day, kind="theme_day", takes party members only)."""
    start = NOW - datetime.timedelta(minutes=30) if start is None else start
    fields: dict[str, Any] = {
        "actor": None,
        "node": grid.c1,
        "kind": "training",
        "title": "分类培训",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=hours),
        "credit_minutes": 120,
        "points": 20,
    }
    return activity_create(**{**fields, **extra})


@pytest.mark.django_db
def test_register_check_in_close_and_credit_once(grid: Grid) -> None:
    with pytest.raises(ValidationError):
        activity_create(actor=None, node=grid.c1, kind="theme_day", title="x", starts_at=NOW, ends_at=NOW)
    activity = _activity(grid, capacity=2)
    alice = person_create(actor=None, node=grid.c1, name="甲", household=grid.h1)
    bob = person_create(actor=None, node=grid.c1, name="乙")
    carol = person_create(actor=None, node=grid.c1, name="丙")
    with pytest.raises(ValidationError):
        activity_register(actor=None, activity=activity, person=alice)  # a draft takes no registrations
    activity_publish(actor=None, activity=activity)
    activity_register(actor=None, activity=activity, person=alice)
    activity_register(actor=None, activity=activity, person=alice)  # twice: once
    activity_register(actor=None, activity=activity, person=bob)
    with pytest.raises(ValidationError):
        activity_register(actor=None, activity=activity, person=carol)  # full
    first, created = activity_check_in(actor=None, activity=activity, person=alice)
    again, created_again = activity_check_in(
        actor=None, activity=activity, person=alice, now=NOW + datetime.timedelta(minutes=5)
    )
    assert created and not created_again and again.checked_in_at == first.checked_in_at
    with pytest.raises(ValidationError):
        activity_check_in(actor=None, activity=activity, person=bob, now=NOW + datetime.timedelta(hours=3))
    ended = activity.ends_at  # at its scheduled end it is ended without more ado
    with pytest.raises(ValidationError):
        activity_close(actor=None, activity=activity, summary=" ", now=ended)
    assert activity_close(actor=None, activity=activity, summary="顺利完成", now=ended) == 1
    minutes = dict(Registration.objects.values_list("person__name", "minutes"))
    assert minutes == {"甲": 120, "乙": 0}  # only who came
    assert PointsAccount.objects.get(household=grid.h1).balance == 20
    assert LedgerEntry.objects.filter(kind="activity").count() == 1
    with pytest.raises(ValidationError):
        activity_close(actor=None, activity=activity, summary="again", now=ended)


@pytest.mark.django_db
def test_photo_is_reencoded_without_metadata(grid: Grid) -> None:
    activity = _activity(grid)
    buffer = io.BytesIO()
    image = Image.new("RGB", (3000, 1000), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    image.save(buffer, "JPEG", exif=exif)
    photo = activity_photo_add(actor=None, activity=activity, data=buffer.getvalue())
    with Image.open(photo.image.path) as kept:
        assert max(kept.size) == 1600 and not kept.getexif()
    with pytest.raises(ValidationError):
        activity_photo_add(actor=None, activity=activity, data=b"not an image")


@pytest.mark.django_db
def test_pages_calendar_self_check_in_and_export(grid: Grid, personas: dict) -> None:
    secretary = client_for(personas["community_secretary"])
    day = local_today()
    response = secretary.post(
        f"/activities/n/{grid.c1.code}/",
        {
            "kind": "training",
            "title": "分类培训",
            "day": day.isoformat(),
            "start": "00:00",
            "end": "23:59",
            "publish": "1",
        },
    )
    assert response.status_code == 302
    code = response["Location"].split("/")[-2]
    calendar = secretary.get(f"/activities/n/{grid.c1.code}/?month={day:%Y-%m}").content.decode()
    assert f'data-code="{code}"' in calendar and "分类培训" in calendar
    bad = secretary.post(
        f"/activities/n/{grid.c1.code}/", {"kind": "training", "title": "x", "day": "tomorrow"}
    )
    assert bad.status_code == 400
    resident = personas["resident"]
    client = client_for(resident)
    page = client.get(f"/activities/a/{code}/").content.decode()
    assert 'id="register"' in page and 'id="attendance"' not in page  # residents see no attendance list
    assert client.post(f"/activities/a/{code}/checkin/").status_code == 200
    assert Registration.objects.get(person=resident.person).checked_in_at is not None
    assert 'id="mine"' in client.get(f"/activities/a/{code}/").content.decode()
    export = secretary.get(f"/activities/a/{code}/?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    # Another residential area's secretary cannot see it; a volunteer without a person cannot check in.
    assert client_for(personas["outsider"]).get(f"/activities/a/{code}/").status_code == 404
    volunteer = client_for(personas["volunteer"])
    assert volunteer.post(f"/activities/a/{code}/checkin/").status_code == 400


@pytest.mark.django_db
def test_ending_is_offered_only_after_the_start_and_is_confirmed(grid: Grid, personas: dict) -> None:
    from activities.models import ActivityStatus

    later = _activity(grid, start=NOW + datetime.timedelta(days=2), title="两天后的培训", publish=True)
    with pytest.raises(ValidationError) as refused:
        activity_close(actor=None, activity=later, summary="提前结束")
    assert "尚未开始" in " ".join(refused.value.messages)
    secretary = client_for(personas["community_secretary"])
    url = f"/activities/a/{later.code}/"
    page = secretary.get(url).content.decode()
    assert 'id="close-activity"' not in page and 'id="close-later"' in page
    forced = secretary.post(url, {"action": "close", "summary": "提前结束", "confirmed": "1"})
    assert forced.status_code == 400 and "尚未开始" in forced.content.decode()
    later.refresh_from_db()
    assert later.status == ActivityStatus.PUBLISHED and later.summary == ""
    # Started and past its scheduled end (check-in still open for the sign-in sheet): offered; the first
    # post only asks, the confirmed one ends it and credits. Before the end: see the next test.
    held = _activity(grid, start=NOW - datetime.timedelta(hours=2, minutes=10))
    activity_publish(actor=None, activity=held)
    alice = person_create(actor=None, node=grid.c1, name="甲", household=grid.h1)
    activity_check_in(actor=None, activity=held, person=alice)
    url = f"/activities/a/{held.code}/"
    assert 'id="close-activity"' in secretary.get(url).content.decode()
    asked = secretary.post(url, {"action": "close", "summary": "顺利完成"})
    text = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-yes"' in text and "120" in text and "20" in text
    assert "提前" not in text and "end_early" not in text  # over as planned: no early-end question
    held.refresh_from_db()
    assert held.status == ActivityStatus.PUBLISHED and not LedgerEntry.objects.exists()
    assert (
        secretary.post(url, {"action": "close", "summary": "顺利完成", "confirmed": "1"}).status_code == 302
    )
    held.refresh_from_db()
    assert held.status == ActivityStatus.DONE and held.summary == "顺利完成"
    assert Registration.objects.get(activity=held, person=alice).minutes == 120
    assert PointsAccount.objects.get(household=grid.h1).balance == 20


@pytest.mark.django_db
def test_ending_before_the_scheduled_end_takes_an_explicit_confirmation(grid: Grid) -> None:
    """One tap too early ended a theme day still under way and closed check-in for latecomers. Before the
    scheduled end the service refuses (zh/en, saying how many minutes remain) unless told the early end was
    confirmed; at the end it is ended as before. An early end is audited as such."""
    from django.utils import translation

    from activities.models import ActivityStatus
    from activities.services import minutes_left
    from audit.models import AuditEntry
    from tests.personas import party_member

    day = _activity(grid, kind="theme_day", title="主题党日", publish=True)
    alice = party_member(grid, "党员甲", household=grid.h1).person
    activity_check_in(actor=None, activity=day, person=alice, after_the_doors=True)
    at = day.starts_at + datetime.timedelta(minutes=30)  # 90 minutes before the end
    assert minutes_left(day, at) == 90
    assert minutes_left(day, day.ends_at - datetime.timedelta(seconds=10)) == 1
    assert minutes_left(day, day.ends_at) == 0
    with pytest.raises(ValidationError) as refused:
        activity_close(actor=None, activity=day, summary="好", now=at)
    assert "还有 90 分钟" in " ".join(refused.value.messages)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        activity_close(actor=None, activity=day, summary="好", now=at)
    assert "90 more minutes" in " ".join(refused.value.messages)
    day.refresh_from_db()
    assert day.status == ActivityStatus.PUBLISHED and not Registration.objects.filter(minutes__gt=0).exists()
    assert activity_close(actor=None, activity=day, summary="提前结束", now=at, end_early=True) == 1
    day.refresh_from_db()
    assert day.status == ActivityStatus.DONE
    entry = AuditEntry.objects.get(model="activities.Activity", object_id=str(day.pk), action="update")
    assert entry.reason == "ended 90 minutes before the scheduled end"
    # At its scheduled end: one tap, no flag.
    on_time = _activity(grid, publish=True)
    assert activity_close(actor=None, activity=on_time, summary="好", now=on_time.ends_at) == 0


@pytest.mark.django_db
def test_the_page_asks_before_ending_early_and_says_how_many_minutes_remain(
    grid: Grid, personas: dict, noon: datetime.date
) -> None:
    """The page warns by the button; the first post asks "end 90 minutes early?", and only that question's
    answer (end_early=1) ends it: a confirmation without it (a stale page) is refused with the minutes."""
    from activities.models import ActivityStatus
    from lib.clock import SHANGHAI

    at_noon = datetime.datetime.combine(noon, datetime.time(12), tzinfo=SHANGHAI)
    day = _activity(grid, kind="theme_day", start=at_noon - datetime.timedelta(minutes=30), publish=True)
    secretary = client_for(personas["community_secretary"])
    url = f"/activities/a/{day.code}/"
    page = secretary.get(url).content.decode()
    assert 'id="close-activity"' in page and 'id="close-early"' in page and "还有 90 分钟" in page
    asked = secretary.post(url, {"action": "close", "summary": "提前结束"})
    text = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-yes"' in text
    assert "提前 90 分钟" in text and "还有 90 分钟" in text and 'name="end_early" value="1"' in text
    stale = secretary.post(url, {"action": "close", "summary": "提前结束", "confirmed": "1"})
    assert stale.status_code == 400 and "还有 90 分钟" in stale.content.decode()
    day.refresh_from_db()
    assert day.status == ActivityStatus.PUBLISHED
    done = secretary.post(url, {"action": "close", "summary": "提前结束", "confirmed": "1", "end_early": "1"})
    assert done.status_code == 302
    day.refresh_from_db()
    assert day.status == ActivityStatus.DONE and day.summary == "提前结束"


@pytest.mark.django_db
def test_publish_check_in_and_cancel_ask_before_they_happen(grid: Grid, personas: dict) -> None:
    from activities.models import ActivityStatus

    draft = _activity(grid)
    secretary = client_for(personas["community_secretary"])
    url = f"/activities/a/{draft.code}/"
    assert 'id="confirm-yes"' in secretary.post(url, {"action": "publish"}).content.decode()
    draft.refresh_from_db()
    assert draft.status == ActivityStatus.DRAFT
    secretary.post(url, {"action": "publish", "confirmed": "1"})
    draft.refresh_from_db()
    assert draft.status == ActivityStatus.PUBLISHED
    bob = person_create(actor=None, node=grid.c1, name="乙")
    # A check-in can be undone until the activity is ended (issue 18): it is saved at once, not asked.
    assert secretary.post(url, {"action": "check_in", "person": bob.pk}).status_code == 302
    assert Registration.objects.get(person=bob).checked_in_at is not None
    # A resident cancelling their place before the start is asked too.
    coming = _activity(
        grid,
        start=NOW + datetime.timedelta(days=1),
        hours=1,
        kind="lecture",
        title="讲座",
        credit_minutes=0,
        points=0,
        publish=True,
    )
    resident = personas["resident"]
    activity_register(actor=None, activity=coming, person=resident.person)
    client = client_for(resident)
    asked = client.post(f"/activities/a/{coming.code}/", {"action": "cancel"})
    assert 'id="confirm-yes"' in asked.content.decode()
    assert Registration.objects.filter(activity=coming, person=resident.person).exists()
    client.post(f"/activities/a/{coming.code}/", {"action": "cancel", "confirmed": "1"})
    assert not Registration.objects.filter(activity=coming, person=resident.person).exists()


@pytest.mark.django_db
def test_the_months_list_is_that_months_only_with_its_numbers_named(grid: Grid, personas: dict) -> None:
    # October 2025 begins on a Wednesday: the calendar's first week shows 29 and 30 September (issue 14).
    at = datetime.datetime(2025, 9, 30, 14, tzinfo=datetime.UTC)
    before = _activity(grid, start=at, title="九月活动")
    inside = _activity(grid, start=at + datetime.timedelta(days=7), title="十月活动", capacity=20)
    secretary = client_for(personas["community_secretary"])
    page = secretary.get(f"/activities/n/{grid.c1.code}/?month=2025-10").content.decode()
    listed = page.split('id="activities"')[1]
    agenda = page.split('id="agenda"')[1].split("</ol>")[0]
    assert f'data-code="{inside.code}"' in listed and f'data-code="{before.code}"' not in listed
    assert "十月活动" in agenda and "九月活动" not in agenda
    assert "九月活动" in page.split('id="calendar"')[1].split("</table>")[0]  # greyed in the calendar
    assert "已报名 0 人 / 名额 20" in listed and "<th>数据</th>" in listed
    en = secretary.get(f"/activities/n/{grid.c1.code}/?month=2025-10", HTTP_ACCEPT_LANGUAGE="en")
    assert "Registered 0 of 20 places" in en.content.decode()


@pytest.mark.django_db
def test_staff_tick_several_from_the_attendance_list_and_undo_one(grid: Grid, personas: dict) -> None:
    """Issue 18: the expected people (registered, and the node's members: accounts, grid workers, party
    members) are a checklist saved once, with a message; a mistaken check-in is undone, audited."""
    from audit.models import AuditEntry

    activity = _activity(grid, publish=True, kind="seminar", title="楼组长分类工作例会")
    secretary = personas["community_secretary"]
    url = f"/activities/a/{activity.code}/"
    worker = grid.w1.person  # the node's grid worker: expected without registering
    walker = person_create(actor=None, node=grid.c1, name="甲")  # a resident with no role there
    activity_register(actor=None, activity=activity, person=walker)
    client = client_for(secretary)
    page = client.get(url).content.decode()
    listed = page[page.index('id="expected"') :]
    assert f'name="person" value="{worker.pk}"' in listed
    assert f'name="person" value="{walker.pk}"' in listed
    assert "<th>" in page[page.index('id="attendance"') :]  # headed columns
    answer = client.post(
        url, {"action": "check_in", "person": [worker.pk, walker.pk]}, follow=True
    ).content.decode()
    assert "2人已签到" in answer or "2 people checked in" in answer, answer
    came = Registration.objects.filter(activity=activity, checked_in_at__isnull=False)
    assert set(came.values_list("person_id", flat=True)) == {worker.pk, walker.pk}
    undone = client.post(url, {"action": "undo_check_in", "person": walker.pk}, follow=True)
    assert "甲" in undone.content.decode()
    registration = Registration.objects.get(activity=activity, person=walker)
    assert registration.checked_in_at is None  # still registered, no longer checked in
    entries = AuditEntry.objects.filter(model="activities.Registration", object_id=str(registration.pk))
    assert entries.filter(reason="check-in undone").exists()
    assert entries.filter(reason="checked in by staff").exists()


@pytest.mark.django_db
def test_a_check_in_cannot_be_undone_once_the_activity_is_credited(grid: Grid) -> None:
    from activities.services import activity_check_in_many, activity_check_in_undo

    activity = _activity(grid, publish=True)
    alice = person_create(actor=None, node=grid.c1, name="甲")
    bob = person_create(actor=None, node=grid.c1, name="乙")
    done = activity_check_in_many(actor=None, activity=activity, people=[alice, bob, alice])
    assert [r.person.name for r in done] == ["乙", "甲"] or len(done) == 2
    assert activity_check_in_many(actor=None, activity=activity, people=[alice]) == []  # already in
    activity_close(actor=None, activity=activity, summary="好", now=activity.ends_at)
    activity.refresh_from_db()
    with pytest.raises(ValidationError):
        activity_check_in_undo(actor=None, activity=activity, person=alice)


def test_activity_kinds_read_in_the_readers_language() -> None:
    """ "Theme party day (主题党日)" on English pages: the kinds' English labels carry no Chinese, and each has
    its Chinese translation."""
    import re

    from django.utils import translation

    from activities.models import ActivityKind

    with translation.override("en"):
        english = [str(label) for _value, label in ActivityKind.choices]
    with translation.override("zh-hans"):
        chinese = [str(label) for _value, label in ActivityKind.choices]
    assert not [e for e in english if re.search(r"[\u4e00-\u9fff]", e)]
    assert chinese[0] == "主题党日" and all(c != e for c, e in zip(chinese, english, strict=True))


@pytest.mark.django_db
def test_the_attendance_list_is_offered_from_the_doors_opening_until_the_activity_is_ended(
    grid: Grid, personas: dict
) -> None:
    """Fresh-user walk: an activity four days away showed the whole tick list and "保存签到", and only the
    saved form's 400 explained the window. Until the doors open (lib.attendance, the rule the service
    enforces) the page says when check-in opens instead. A second walk: after the doors closed nobody could
    add someone who came but did not scan; staff still tick them from the sign-in sheet until the activity
    is ended (audited as recorded after the doors closed), while the door's own check-in stays closed."""
    from activities.services import activity_check_in_many, check_in_window
    from audit.models import AuditEntry

    ahead = _activity(grid, start=NOW + datetime.timedelta(days=4), publish=True)
    client = client_for(personas["community_secretary"])
    page = client.get(f"/activities/a/{ahead.code}/").content.decode()
    opens = timezone.localtime(check_in_window(ahead).opens)
    assert f"签到于 {opens:%Y-%m-%d %H:%M} 开放" in page
    assert 'id="check-in-later"' in page and 'id="save-check-ins"' not in page and 'id="expected"' not in page
    held = _activity(grid, start=NOW - datetime.timedelta(hours=5), publish=True)
    page = client.get(f"/activities/a/{held.code}/").content.decode()
    assert 'id="check-in-closed"' in page and 'id="save-check-ins"' in page and "按签到表补登" in page
    person = grid.w1.person
    with pytest.raises(ValidationError):  # the door's check-in (a QR scan) is closed
        activity_check_in(actor=None, activity=held, person=person)
    late = client.post(f"/activities/a/{held.code}/", {"action": "check_in", "person": person.pk})
    assert late.status_code == 302  # saved, back to the page (a refusal would answer 400)
    registration = Registration.objects.get(activity=held, person=person)
    assert registration.checked_in_at is not None
    reasons = AuditEntry.objects.filter(
        model="activities.Registration", object_id=str(registration.pk), action="update"
    ).values_list("reason", flat=True)
    assert list(reasons) == ["recorded by staff after the doors closed"]
    activity_close(actor=None, activity=held, summary="好")
    held.refresh_from_db()
    page = client.get(f"/activities/a/{held.code}/").content.decode()
    assert 'id="save-check-ins"' not in page  # ended and credited: the list is closed
    with pytest.raises(ValidationError):
        activity_check_in_many(actor=None, activity=held, people=[person])
    now_open = _activity(grid, publish=True)
    page = client.get(f"/activities/a/{now_open.code}/").content.decode()
    assert 'id="save-check-ins"' in page and 'id="check-in-later"' not in page


@pytest.mark.django_db
def test_a_theme_party_day_is_offered_to_and_taken_from_party_members_only(
    grid: Grid, personas: dict
) -> None:
    """A walk found a resident signing up for a 主题党日 (and earning its points): the service refuses
    non-members, whoever registers them, at the door too; the pages do not offer it to them."""
    from tests.personas import party_member

    theme_day = _activity(
        grid, start=NOW + datetime.timedelta(minutes=30), kind="theme_day", title="主题党日", publish=True
    )
    resident = personas["resident"]
    client = client_for(resident)
    url = f"/activities/a/{theme_day.code}/"
    page = client.get(url).content.decode()
    assert 'id="register"' not in page and 'id="members-only"' in page
    refused = client.post(url, {"action": "register"})
    assert refused.status_code == 400 and "只接受党员" in refused.content.decode()
    assert client.post(f"{url}checkin/").status_code == 400  # nor walked in at the door
    for actor in (None, resident, personas["community_secretary"]):
        with pytest.raises(ValidationError):
            activity_register(actor=actor, activity=theme_day, person=resident.person)
    assert not Registration.objects.filter(activity=theme_day).exists()
    # Not in the resident's lists: the activities page and the household's own page.
    listed = client.get(f"/activities/n/{grid.c1.code}/").content.decode()
    assert theme_day.code not in listed
    assert "主题党日" not in client.get("/h/").content.decode().split('id="activities"')[1]
    # A party member registers; other kinds stay open to everyone.
    member = party_member(grid, "党员甲", household=grid.h1).person
    assert activity_register(actor=None, activity=theme_day, person=member).person == member
    lecture = _activity(grid, start=NOW + datetime.timedelta(days=1), kind="lecture", publish=True)
    assert 'id="register"' in client.get(f"/activities/a/{lecture.code}/").content.decode()
    assert activity_register(actor=resident, activity=lecture, person=resident.person)
    # Membership decides, not the login's role: a resident who is a party member is offered it in the list.
    from party.services import member_add
    from tests.personas import party_branch

    member_add(
        actor=None, person=resident.person, org=party_branch(grid, committee="党委乙", branch="支部乙")
    )
    assert theme_day.code in client.get(f"/activities/n/{grid.c1.code}/").content.decode()


@pytest.mark.django_db
def test_the_lists_mark_what_the_reader_signed_up_for(grid: Grid, personas: dict) -> None:
    """A walk found no "已报名" in the lists: the activities page (upcoming, agenda, month), the household's
    own page and the secretary's week each mark the reader's own registrations, and only those."""
    from wastegrid.today import today_for

    resident = personas["resident"]
    mine = _activity(grid, start=NOW + datetime.timedelta(hours=3), title="我报名的讲座", publish=True)
    other = _activity(grid, start=NOW + datetime.timedelta(hours=4), title="没报名的讲座", publish=True)
    activity_register(actor=resident, activity=mine, person=resident.person)
    client = client_for(resident)
    month = f"{timezone.localtime(mine.starts_at):%Y-%m}"
    page = client.get(f"/activities/n/{grid.c1.code}/", {"month": month}).content.decode()
    for part in ('id="upcoming"', 'id="agenda"', 'id="activities"'):
        block = page.split(part)[1]
        assert '我报名的讲座</a> <span class="ok signed-up" data-signed-up>已报名</span>' in block
        assert "没报名的讲座</a> <span" not in block
    household = client.get("/h/").content.decode().split('id="activities"')[1].split("</section>")[0]
    assert household.count("data-signed-up") == 1 and household.index("我报名的讲座") < household.index(
        "已报名"
    )
    # Someone else's registration marks nothing on the secretary's lists.
    secretary = personas["community_secretary"]
    assert (
        other.code
        and "data-signed-up"
        not in client_for(secretary).get(f"/activities/n/{grid.c1.code}/", {"month": month}).content.decode()
    )
    week = today_for(secretary, grid.c1, local_today()).activities
    assert [a.signed_up for a in week if a.pk in (mine.pk, other.pk)] == [False, False]


@pytest.mark.django_db
def test_a_check_in_at_the_door_is_audited_with_who_checked_in(grid: Grid, personas: dict) -> None:
    from audit.models import AuditEntry

    activity = _activity(grid, capacity=5)
    activity_publish(actor=None, activity=activity)
    resident = personas["resident"]
    registration, new = activity_check_in(actor=resident, activity=activity, person=resident.person, now=NOW)
    assert new
    entry = AuditEntry.objects.get(
        model="activities.Registration", action="update", object_id=str(registration.pk)
    )
    assert entry.actor_id == resident.pk and entry.changes["checked_in_at"][0] is None
    assert entry.reason == "checked in at the door" and entry.subdistrict_id == grid.sd.pk


@pytest.mark.django_db
def test_a_theme_party_days_attendance_list_expects_party_members_only(grid: Grid, personas: dict) -> None:
    from activities.selectors import expected_attendees
    from grid.scope import Scope
    from tests.personas import party_member

    theme_day = _activity(grid, kind="theme_day", title="主题党日", publish=True)
    member = party_member(grid, "党员甲", household=grid.h1).person
    expected = [p for p, _r in expected_attendees(theme_day, Scope.of(personas["community_secretary"]))]
    assert member in expected and grid.w1.person not in expected  # the grid worker is not a member
    meeting = _activity(grid, kind="seminar", title="楼组长例会", publish=True)
    assert grid.w1.person in [
        p for p, _r in expected_attendees(meeting, Scope.of(personas["community_secretary"]))
    ]


@pytest.mark.django_db
def test_ending_logs_each_attendees_minutes_credited_in_one_insert(grid: Grid) -> None:
    """A walk of the audit log: after an activity was ended its registrations still read 分钟 0 (the minutes
    were set with no entry). Each attendee's registration now logs the minutes credited, one INSERT for all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from audit.models import AuditEntry
    from audit.presenter import present

    activity = _activity(grid)
    activity_publish(actor=None, activity=activity)
    people = [person_create(actor=None, node=grid.c1, name=name) for name in ("甲", "乙", "丙")]
    for person in people:
        activity_register(actor=None, activity=activity, person=person)
    for person in people[:2]:
        activity_check_in(actor=None, activity=activity, person=person)
    with CaptureQueriesContext(connection) as queries:
        activity_close(actor=None, activity=activity, summary="顺利完成", now=activity.ends_at)
    logged = AuditEntry.objects.filter(
        model="activities.Registration", action="update", changes__has_key="minutes"
    )
    assert sorted(e.changes["minutes"] for e in logged) == [[0, 120], [0, 120]]
    assert {e.subdistrict_id for e in logged} == {grid.sd.pk}
    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"] and "audit_auditentry" in q["sql"]]
    assert len(inserts) <= 2  # the activity's own entry and one for all the minutes: none per person
    with translation.override("zh-hans"):
        texts = [v.text for v in present(logged)]
    assert texts == ["分钟: 0 → 120", "分钟: 0 → 120"]
