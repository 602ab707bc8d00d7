"""Issue 14, the volunteer's phone walk: hand a shift over by picking a neighbour (masked name + building),
the offer shown on the receiver's home page and addressed to them, the purity check read back, and the
check-in/out messages (zh/en, singular minute)."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEntry
from grid.services.records import person_create
from lib.clock import SHANGHAI, local_today
from supervision.models import OfferStatus, PurityCheck, Shift, ShiftOffer, ShiftSignup, SignupStatus
from supervision.selectors import ACTIVE
from supervision.services import point_create, shift_signup, shifts_generate
from tests.conftest import Grid, client_for, make_user

MORNING = (datetime.time(7), datetime.time(9))
LATE_MORNING = (datetime.time(8), datetime.time(10))  # overlaps MORNING
EVENING = (datetime.time(18, 30), datetime.time(20, 30))


@pytest.fixture
def walk(grid: Grid, monkeypatch: pytest.MonkeyPatch) -> dict:
    """06:00 today (Shanghai); tomorrow's shifts at a point of c1 with overlapping windows: me (a volunteer)
    on tomorrow's 07:00, a free volunteer of b1, a party member busy at 08:00 tomorrow, a resident account,
    a person without an account and a volunteer of c2."""
    today = local_today()
    at = datetime.datetime.combine(today, datetime.time(6), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: at)
    point = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号箱房",
        windows=[(d, *w) for d in range(7) for w in (MORNING, LATE_MORNING, EVENING)],
    )
    tomorrow = today + datetime.timedelta(days=1)
    shifts_generate(points=[point], start=today, days=2)
    people = {
        name: person_create(actor=None, node=grid.c1, name=name, phone=phone, household=household)
        for name, phone, household in (
            ("蒋志愿", "13600000001", None),
            ("闫邻居", "13600000002", grid.h1),
            ("党员忙", "13600000003", None),
            ("居民丁", "13600000004", None),
            ("无账号", "13600000005", None),
        )
    }
    people["外区人"] = person_create(actor=None, node=grid.c2, name="外区人", phone="13600000006")
    me = make_user("v_me", Role.VOLUNTEER, grid.c1, people["蒋志愿"])
    make_user("v_free", Role.VOLUNTEER, grid.c1, people["闫邻居"])
    make_user("pm_busy", Role.PARTY_MEMBER, grid.c1, people["党员忙"])
    make_user("res_d", Role.RESIDENT, grid.c1, people["居民丁"])
    make_user("v_c2", Role.VOLUNTEER, grid.c2, people["外区人"])
    shift = Shift.objects.get(point=point, day=tomorrow, start=MORNING[0])
    late = Shift.objects.get(point=point, day=tomorrow, start=LATE_MORNING[0])
    shift_signup(actor=None, shift=late, person=people["党员忙"])
    return {
        "point": point,
        "today": today,
        "me": me,
        "people": people,
        "mine": shift_signup(actor=None, shift=shift, person=people["蒋志愿"]),
        "at": at,
    }


@pytest.mark.django_db
def test_the_picker_offers_free_volunteers_and_party_members_of_the_area_masked(
    walk: dict, grid: Grid
) -> None:
    client = client_for(walk["me"])
    page = client.get("/supervision/").content.decode()
    # Only the free volunteer, masked, with their building and floor (the room's last two characters
    # masked); the busy party member, the resident, the person without an account and the other area's
    # volunteer are not offered.
    floor = grid.h1.room[:-2] + "**"
    assert f'<option value="{walk["people"]["闫邻居"].pk}">闫** {grid.b1.name} {floor}</option>' in page
    for name in ("党员忙", "居民丁", "无账号", "外区人"):
        assert f'value="{walk["people"][name].pk}"' not in page
    assert "闫邻居" not in page
    # Once the party member is free (their 08:00 sign-up cancelled) they are offered too.
    ShiftSignup.objects.filter(person=walk["people"]["党员忙"]).update(status=SignupStatus.CANCELLED)
    assert f'value="{walk["people"]["党员忙"].pk}">党**<' in client.get("/supervision/").content.decode()


@pytest.mark.django_db
def test_picking_a_neighbour_offers_the_shift_through_the_service(walk: dict) -> None:
    client = client_for(walk["me"])
    mine, people = walk["mine"], walk["people"]
    url = f"/supervision/signups/{mine.code}/swap/"
    # Someone not in the picker (no account; another area; nonsense) is refused, nothing written.
    for picked in (people["无账号"].pk, people["外区人"].pk, 10**9, "abc", "²", "9" * 20):
        response = client.post(url, {"to": str(picked)})
        assert response.status_code == 400 and "此人不能接本居民区的班" in response.content.decode()
    assert not ShiftOffer.objects.exists()
    response = client.post(url, {"to": str(people["闫邻居"].pk)}, follow=True)
    # Named as the picker named them: a neighbour who does not stand at this point is masked.
    assert "已向 闫** 提出换班" in response.content.decode()
    offer = ShiftOffer.objects.get(signup=mine)
    assert offer.status == OfferStatus.PENDING and offer.to_person == people["闫邻居"]
    assert AuditEntry.objects.filter(reason="shift offer").count() == 1
    # The phone number still works as a fallback (and replaces the open offer).
    client.post(url, {"to": "", "phone": people["党员忙"].phone})
    assert ShiftOffer.objects.get(signup=mine, status=OfferStatus.PENDING).to_person == people["党员忙"]


@pytest.mark.django_db
def test_the_confirmation_names_the_taker_as_the_picker_does(walk: dict) -> None:
    """The picker masks a neighbour and names a colleague of the point in full; the confirmation after
    handing over, and the "offered to …" line of the home page, say the same, never more."""
    client = client_for(walk["me"])
    mine, people = walk["mine"], walk["people"]
    url = f"/supervision/signups/{mine.code}/swap/"
    page = client.post(url, {"to": str(people["闫邻居"].pk)}, follow=True).content.decode()
    assert "已向 闫** 提出换班" in page and "已请 闫** 接班，等待答复" in page
    assert "闫邻居" not in page.split("<main>", 1)[1]
    # Found by phone number instead: the same rule.
    page = client.post(url, {"phone": people["闫邻居"].phone}, follow=True).content.decode()
    assert "已向 闫** 提出换班" in page and "闫邻居" not in page.split("<main>", 1)[1]
    # Once 闫邻居 stands at this point too (a sign-up there), the picker names them in full, and so does the
    # confirmation.
    evening = Shift.objects.get(point=walk["point"], day=walk["today"], start=EVENING[0])
    shift_signup(actor=None, shift=evening, person=people["闫邻居"])
    from supervision.handover import candidates_for

    (taker,) = candidates_for([ShiftSignup.objects.get(pk=mine.pk)], walk["me"])[mine.pk]
    assert taker.label.startswith("闫邻居 ")
    page = client.post(url, {"to": str(people["闫邻居"].pk)}, follow=True).content.decode()
    assert "已向 闫邻居 提出换班" in page


@pytest.mark.django_db
def test_the_receiver_sees_the_offer_on_the_home_page_addressed_to_them(walk: dict) -> None:
    ShiftOffer.objects.create(
        subdistrict_id=walk["mine"].subdistrict_id, signup=walk["mine"], to_person=walk["people"]["闫邻居"]
    )
    offer = ShiftOffer.objects.get()
    receiver = client_for(walk["people"]["闫邻居"].user)
    home = receiver.get("/").content.decode()
    # Sender and receiver are colleagues of one roster: named to each other in full (issue 14).
    assert 'id="offers-to-me"' in home and "蒋志愿 请您接这个班。" in home
    assert f'href="/supervision/offers/{offer.code}/"' in home
    page = receiver.get(f"/supervision/offers/{offer.code}/").content.decode()
    # Addressed as "you" (the header names the signed-in person, the page itself does not).
    assert "蒋志愿 请您接这个班。" in page and "闫邻居" not in page.split("<main>", 1)[1]
    # The owner reads it the other way round, the receiver named as the picker named them (not a colleague
    # at this point: masked); others' home pages show nothing.
    assert (
        "蒋志愿 请 闫** 接这个班。"
        in client_for(walk["me"]).get(f"/supervision/offers/{offer.code}/").content.decode()
    )
    assert 'id="offers-to-me"' not in client_for(walk["me"]).get("/").content.decode()


@pytest.mark.django_db
def test_the_purity_check_reads_back_what_was_saved_today(walk: dict) -> None:
    client = client_for(walk["me"])
    point = walk["point"]
    form = {"form_id": str(uuid.uuid4()), "level_wet": "slight", "level_dry": "clean", "level_hazardous": ""}
    page = client.post(f"/supervision/p/{point.code}/purity/", form, follow=True).content.decode()
    assert dict(PurityCheck.objects.values_list("category", "level")) == {"wet": "slight", "dry": "clean"}
    assert '<option value="slight" selected>' in page and '<option value="clean" selected>' in page
    assert page.count('class="ok purity-saved"') == 2 and "今日已保存：轻微混杂" in page
    # A later check of the same day wins; an unchecked bin stays at —.
    form = {"form_id": str(uuid.uuid4()), "level_wet": "serious"}
    page = client.post(f"/supervision/p/{point.code}/purity/", form, follow=True).content.decode()
    assert '<option value="serious" selected>' in page and '<option value="slight" selected>' not in page
    assert page.count('class="ok purity-saved"') == 2


@pytest.mark.django_db
def test_the_purity_message_counts_the_checks_stored_not_the_bins_read_back(walk: dict) -> None:
    """The form preselects today's saved levels; sent back as they stand, they are not checked again: only
    the changed bins are stored, and the message counts those."""
    client = client_for(walk["me"])
    url = f"/supervision/p/{walk['point'].code}/purity/"

    def send(**fields: str) -> str:
        form = {"form_id": str(uuid.uuid4()), **{f"level_{k}": v for k, v in fields.items() if k != "notes"}}
        return client.post(url, {**form, "notes": fields.get("notes", "")}, follow=True).content.decode()

    assert "已保存：湿垃圾（厨余） 轻微混杂、干垃圾（其他） 纯净。" in send(wet="slight", dry="clean")
    # The page posts dry back at its preselected "clean"; only wet changed, and only wet is named.
    assert "已保存：湿垃圾（厨余） 严重混杂。" in send(wet="serious", dry="clean")
    assert PurityCheck.objects.count() == 3
    assert list(PurityCheck.objects.filter(level="clean").values_list("category", flat=True)) == ["dry"]
    # Sent back unchanged: nothing stored, and the message says so.
    page = send(wet="serious", dry="clean")
    assert "没有改动：各桶的等级与今日已保存的相同。" in page and 'class="msg success"' not in page
    assert PurityCheck.objects.count() == 3
    # A note with nothing changed is a check of the bins as they stand: stored with their levels.
    assert "已保存：湿垃圾（厨余） 严重混杂、干垃圾（其他） 纯净。" in send(
        wet="serious", dry="clean", notes="已清理"
    )
    assert PurityCheck.objects.filter(notes="已清理").count() == 2


@pytest.mark.django_db
def test_check_in_and_out_say_so_in_both_languages(walk: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    shift = Shift.objects.get(point=walk["point"], day=walk["today"], start=MORNING[0])
    mine = shift_signup(actor=None, shift=shift, person=walk["people"]["蒋志愿"])
    at = datetime.datetime.combine(walk["today"], datetime.time(7, 5), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: at)
    client = client_for(walk["me"])
    page = client.post(f"/supervision/signups/{mine.code}/check-in/", follow=True).content.decode()
    assert "已签到。" in page
    monkeypatch.setattr(timezone, "now", lambda: at + datetime.timedelta(minutes=1))
    # Before the window ends a check-out is confirmed first, in the page's language.
    ask = client.post(
        f"/supervision/signups/{mine.code}/check-out/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Check out before the window ends?" in ask and "1 minute of the window will be credited" in ask
    page = client.post(
        f"/supervision/signups/{mine.code}/check-out/",
        {"confirmed": "1"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert ShiftSignup.objects.get(pk=mine.pk).minutes == 1
    assert "Checked out: 1 minute on duty." in page and "1 minutes" not in page


@pytest.mark.django_db
def test_the_picker_says_who_is_also_on_duty_at_this_point(walk: dict, grid: Grid) -> None:
    # Two "闫**" of one building are told apart by the one a volunteer has met at the bins (issue 14): a
    # colleague of this point, named in full.
    shift_signup(
        actor=None,
        shift=Shift.objects.get(point=walk["point"], day=walk["today"], start=EVENING[0]),
        person=walk["people"]["闫邻居"],
    )
    page = client_for(walk["me"]).get("/supervision/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    floor = grid.h1.room[:-2] + "**"
    assert f">闫邻居 {grid.b1.name} {floor} · also on duty at this point</option>" in page
    zh = client_for(walk["me"]).get("/supervision/").content.decode()
    assert "· 也在本点值守</option>" in zh


@pytest.mark.django_db
def test_the_owner_withdraws_a_pending_offer_from_the_roster(walk: dict) -> None:
    client = client_for(walk["me"])
    offer = ShiftOffer.objects.create(
        subdistrict_id=walk["mine"].subdistrict_id, signup=walk["mine"], to_person=walk["people"]["闫邻居"]
    )
    page = client.get("/supervision/").content.decode()
    assert f'action="/supervision/offers/{offer.code}/"' in page and 'value="withdraw"' in page
    # The receiver cannot "withdraw" someone else's offer (they decline it); nothing changes.
    receiver = client_for(walk["people"]["闫邻居"].user)
    assert receiver.post(f"/supervision/offers/{offer.code}/", {"action": "withdraw"}).status_code == 404
    page = client.post(
        f"/supervision/offers/{offer.code}/", {"action": "withdraw"}, follow=True
    ).content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN and "已撤回换班请求，班次仍由您值守。" in page
    assert ShiftSignup.objects.get(pk=walk["mine"].pk).status == SignupStatus.SIGNED_UP
    assert 'value="withdraw"' not in page  # nothing left to withdraw; the picker is back


@pytest.mark.django_db
def test_a_shift_offered_to_me_is_not_also_open_to_sign_up_for(walk: dict) -> None:
    receiver = client_for(walk["people"]["闫邻居"].user)
    shift = walk["mine"].shift
    Shift.objects.filter(pk=shift.pk).update(needed=2)  # room for one more: not full
    page = receiver.get("/supervision/").content.decode()
    assert f"/supervision/shifts/{shift.code}/signup/" in page  # open to anyone before the offer
    offer = ShiftOffer.objects.create(
        subdistrict_id=walk["mine"].subdistrict_id, signup=walk["mine"], to_person=walk["people"]["闫邻居"]
    )
    page = receiver.get("/supervision/").content.decode()
    assert f"/supervision/shifts/{shift.code}/signup/" not in page
    assert f'href="/supervision/offers/{offer.code}/"' in page  # answered as an offer instead
    # The point page lists today's shifts: one offered to me today links to the offer, not to "sign up".
    today = Shift.objects.get(point=walk["point"], day=walk["today"], start=EVENING[0])
    todays = ShiftOffer.objects.create(
        subdistrict_id=today.subdistrict_id,
        signup=shift_signup(actor=None, shift=today, person=walk["people"]["蒋志愿"]),
        to_person=walk["people"]["闫邻居"],
    )
    point = receiver.get(f"/supervision/p/{walk['point'].code}/").content.decode()
    assert f"/supervision/shifts/{today.code}/signup/" not in point
    assert f'class="button primary offered-to-me" href="/supervision/offers/{todays.code}/"' in point


@pytest.mark.django_db
def test_the_purity_message_names_each_stored_bin_and_its_level_in_both_languages(walk: dict) -> None:
    """Not "saved for 1 bin": which bin, at which level, in the app's names for both."""
    client = client_for(walk["me"])
    url = f"/supervision/p/{walk['point'].code}/purity/"
    client.post(url, {"form_id": str(uuid.uuid4()), "level_dry": "clean", "level_wet": "clean"}, follow=True)
    form = {"form_id": str(uuid.uuid4()), "level_dry": "serious", "level_wet": "clean"}
    page = client.post(url, form, follow=True).content.decode()
    assert re.findall(r'<div class="msg success">(.*?)</div>', page) == ["已保存：干垃圾（其他） 严重混杂。"]
    form = {"form_id": str(uuid.uuid4()), "level_dry": "slight", "level_wet": "clean"}
    page = client.post(url, form, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.findall(r'<div class="msg success">(.*?)</div>', page) == [
        "Saved: Dry (residual) waste – slight mixing."
    ]


@pytest.mark.django_db
def test_the_hand_over_form_says_what_is_missing_or_wrong_and_stores_nothing(walk: dict) -> None:
    """Nothing picked and no phone typed is not "nobody has this number": the one check of the form
    (handover.taker_for) says what is missing, or what is wrong with the number, with a 400."""
    client = client_for(walk["me"])
    url = f"/supervision/signups/{walk['mine'].code}/swap/"
    missing = "请选择接班人或输入对方手机号。"
    for form, message in (
        ({}, missing),
        ({"to": "", "phone": ""}, missing),
        ({"to": "  ", "phone": " \t　"}, missing),  # spaces, a tab, a full-width space
        ({"to": "", "phone": "12345"}, "电话号码格式不对：“12345”。"),
        ({"phone": "1360000000x"}, "电话号码格式不对：“1360000000x”。"),
        ({"phone": "136000000021"}, "电话号码格式不对"),  # a digit too many
        ({"phone": "13699999999"}, "本居民区没有这个手机号的人员。"),
        ({"phone": walk["people"]["外区人"].phone}, "本居民区没有这个手机号的人员。"),
    ):
        response = client.post(url, form)
        page = response.content.decode()
        assert response.status_code == 400 and message in page, form
        assert "已向" not in page
    assert "Pick who takes the shift or type their phone number." in (
        client.post(url, {"phone": " "}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert not ShiftOffer.objects.exists()
    # Typed as people type it (+86, hyphens, full-width digits): found as the import stored it.
    for typed in ("+86 136-0000-0002", "１３６０００００００２"):
        ShiftOffer.objects.all().delete()
        assert client.post(url, {"phone": typed}).status_code == 302
        assert ShiftOffer.objects.get().to_person == walk["people"]["闫邻居"]


@pytest.mark.django_db
def test_a_full_shift_refuses_a_volunteer_but_staff_may_add_someone_extra(walk: dict, grid: Grid) -> None:
    people = walk["people"]
    evening = Shift.objects.get(point=walk["point"], day=walk["today"], start=EVENING[0])
    assert evening.needed == 1
    shift_signup(actor=None, shift=evening, person=people["闫邻居"])
    with pytest.raises(ValidationError, match="该班次已满（已报 1 / 需 1），不能再报名。"):
        shift_signup(actor=walk["me"], shift=evening, person=people["蒋志愿"])
    assert not ShiftSignup.objects.filter(shift=evening, person=people["蒋志愿"]).exists()
    # One already signed up stays so (signing up again is no new place taken).
    shift_signup(actor=people["闫邻居"].user, shift=evening, person=people["闫邻居"])
    # A cancelled sign-up frees the place.
    ShiftSignup.objects.filter(shift=evening).update(status=SignupStatus.CANCELLED)
    shift_signup(actor=walk["me"], shift=evening, person=people["蒋志愿"])
    # Staff arranging the roster may overfill a window on purpose.
    secretary = make_user("sec_full", Role.COMMUNITY_SECRETARY, grid.c1)
    shift_signup(actor=secretary, shift=evening, person=people["党员忙"], assigned=True)
    assert ShiftSignup.objects.filter(shift=evening, status__in=ACTIVE).count() == 2


@pytest.mark.django_db
def test_shift_lists_show_signed_up_over_needed_and_offer_no_sign_up_when_full(
    walk: dict, grid: Grid
) -> None:
    people = walk["people"]
    evening = Shift.objects.get(point=walk["point"], day=walk["today"], start=EVENING[0])
    tomorrow = walk["today"] + datetime.timedelta(days=1)
    late = Shift.objects.get(point=walk["point"], day=tomorrow, start=LATE_MORNING[0])  # 党员忙's
    Shift.objects.filter(pk=late.pk).update(needed=2)
    for name in ("闫邻居", "无账号", "居民丁"):  # three on a window that needs one
        shift_signup(actor=None, shift=evening, person=people[name])
    client = client_for(walk["me"])

    def card(page: str, attr: str, code: str) -> str:
        return page.split(f'{attr}="{code}"', 1)[1].split("</li>", 1)[0]

    home = client.get("/supervision/").content.decode()
    full = card(home, "data-shift", evening.code)
    assert "已报 3 / 需 1" in full and "已满" in full and "报名" not in full.replace("已报", "")
    room = card(home, "data-shift", late.code)
    assert (
        "已报 1 / 需 2" in room and "已满" not in room and f"/supervision/shifts/{late.code}/signup/" in room
    )
    en = client.get("/supervision/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 signed up / 1 needed" in card(en, "data-shift", evening.code)
    # The point page (today's windows) says the same and offers no sign-up on the full one.
    point = client.get(f"/supervision/p/{walk['point'].code}/").content.decode()
    full = card(point, "data-shift", evening.code)
    assert "已报 3 / 需 1" in full and "已满" in full and "/signup/" not in full
    # The roster's other windows of the point too.
    secretary = make_user("sec_lists", Role.COMMUNITY_SECRETARY, grid.c1)
    roster = client_for(secretary).get(f"/supervision/shifts/{late.code}/roster/").content.decode()
    assert "已报 3 / 需 1" in card(roster, "href", f"/supervision/shifts/{evening.code}/roster/")
