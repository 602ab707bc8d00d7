"""Issue 14: the household QR opens that household's own page through a per-household secret, re-issued when
a sheet is lost; the old printed links (/guide/?h=<code>) open no household."""

from __future__ import annotations

import datetime
import json
import re
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.services import activity_create
from audit.models import AuditEntry
from grid.models import Household, HouseholdKey
from grid.services import household_keys
from grid.services.household_keys import (
    TOKEN_LEN,
    household_by_token,
    household_key_reissue,
    household_keys_ensure,
)
from lib.clock import local_today
from lib.distribution import unscoped
from points.models import Reward
from points.services import points_credit_once, points_redeem
from tests.conftest import Grid, client_for, drop_offs
from tests.personas import all_day_point

pytestmark = pytest.mark.django_db


def _households(grid: Grid) -> list[Household]:
    return list(
        Household.objects.filter(subdistrict=grid.sd).select_related("building__microgrid", "community")
    )


def _token(household: Household) -> str:
    return household_keys_ensure(actor=None, households=[_loaded(household)])[household.pk]


def _loaded(household: Household) -> Household:
    return Household.objects.select_related("building__microgrid", "community").get(pk=household.pk)


def _history(grid: Grid, secretary: Any) -> dict[str, Any]:
    """h1's points (an activity credit and a redemption), drop-offs (correct, corrected, mixed), an activity
    ahead; and the other household's own rows, which h1's page must not show."""
    h1, other = grid.h1, grid.h_other
    points_credit_once(actor=None, household=h1, amount=320, key="t:h1", reason="垃圾分类讲座")
    points_credit_once(actor=None, household=other, amount=9990, key="t:other", reason="别家的活动")
    reward = Reward.objects.create(subdistrict=grid.sd, name="环保购物袋", cost=100, stock=5)
    points_redeem(actor=secretary, household=h1, reward=reward, request_key=uuid.uuid4().hex)
    point = all_day_point(grid)
    day = local_today() - datetime.timedelta(days=2)
    drop_offs(point, h1, day, ["correct", "correct", "corrected", "mixed"])
    starts = timezone.now() + datetime.timedelta(days=3)
    activity = activity_create(
        actor=None,
        node=grid.c1,
        kind="lecture",
        title="厨余垃圾分类讲座",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="居委会活动室",
        capacity=30,
        points=20,
        publish=True,
    )
    activity_create(
        actor=None,
        node=grid.c2,
        kind="walk",
        title="乙居民区健走",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        publish=True,
    )
    return {"reward": reward, "activity": activity, "day": day}


def test_tokens_are_long_random_unique_and_kept_when_printed_again(grid: Grid) -> None:
    households = _households(grid)
    tokens = household_keys_ensure(actor=None, households=households)
    assert set(tokens) == {h.pk for h in households}
    values = list(tokens.values())
    assert len(set(values)) == len(values)
    assert all(re.fullmatch(rf"[A-Za-z0-9_-]{{{TOKEN_LEN}}}", t) for t in values)
    # Nothing of the household's code, room or id is in the token: it is drawn, not derived.
    for h in households:
        assert h.code not in tokens[h.pk] and str(h.pk) != tokens[h.pk]
    assert len({t[: household_keys.SELECTOR_LEN] for t in values}) == len(values)
    # Printing again keeps every code already handed out, and issues nothing new.
    keys_before = AuditEntry.objects.filter(model="grid.HouseholdKey").count()
    assert household_keys_ensure(actor=None, households=households) == tokens
    assert AuditEntry.objects.filter(model="grid.HouseholdKey").count() == keys_before == len(households)


def test_the_qr_opens_the_households_page_without_login_and_nothing_of_others(
    grid: Grid, personas: dict
) -> None:
    data = _history(grid, personas["community_secretary"])
    response = Client().get(f"/h/{_token(grid.h1)}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert re.search(r'id="balance">220<', html)  # 320 credited, 100 redeemed
    assert "垃圾分类讲座" in html and "环保购物袋" in html  # the ledger and the redemption
    assert re.search(r'id="drops-total">4<', html) and "50.0%" in html  # 2 of 4 correct
    assert "混投" in html  # the wrong one, by its outcome's name (the page was asked for in Chinese)
    assert "厨余垃圾分类讲座" in html  # the residential area's activity ahead
    assert "乙居民区健走" not in html  # another residential area's
    assert "别家的活动" not in html and "9990" not in html  # another household's ledger
    assert "张三" not in html and "1380000" not in html  # no names, no phones
    assert grid.h1.room in html
    assert data["reward"].name in html


def test_a_wrong_or_malformed_token_is_a_friendly_404(grid: Grid) -> None:
    token = _token(grid.h1)
    wrong_verifier = token[: household_keys.SELECTOR_LEN] + ("A" * (TOKEN_LEN - household_keys.SELECTOR_LEN))
    client = Client()
    for candidate in [wrong_verifier, "A" * TOKEN_LEN, "abc", token + "x", grid.h1.code, "%E4%B8%AD" * 5]:
        response = client.get(f"/h/{candidate}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, candidate
        assert "no longer opens a household page" in response.content.decode()
    assert household_by_token(wrong_verifier) is None and household_by_token(token) == grid.h1


def test_the_verifier_is_compared_in_constant_time_even_on_a_miss(
    grid: Grid, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = household_keys.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(household_keys.hmac, "compare_digest", spy)
    token = _token(grid.h1)
    assert household_by_token("Z" * TOKEN_LEN) is None  # no row has that selector
    assert household_by_token(token) == grid.h1
    assert len(calls) == 2


def test_reissue_voids_the_old_sheet_at_once_and_is_audited(grid: Grid, personas: dict) -> None:
    secretary = personas["community_secretary"]
    client = client_for(secretary)
    # Never issued: the page offers printing (which issues it), not re-issuing a sheet nobody has.
    unissued = client.get(f"/grid/households/{grid.h1.code}/").content.decode()
    assert 'id="hh-qr"' in unissued and 'id="qr-reissue"' not in unissued
    old = _token(grid.h1)
    assert 'id="qr-reissue"' in client.get(f"/grid/households/{grid.h1.code}/").content.decode()
    response = client.post(f"/h/k/{grid.h1.code}/reissue/", {"reason": "sheet lost"})
    assert response.status_code == 302 and response["Location"] == f"/grid/households/{grid.h1.code}/"
    key = HouseholdKey.objects.get(household=grid.h1)
    assert key.generation == 2 and key.issued_by == secretary and key.token != old
    anonymous = Client()
    assert anonymous.get(f"/h/{old}/").status_code == 404
    assert anonymous.get(f"/h/{key.token}/").status_code == 200
    entry = AuditEntry.objects.get(model="grid.HouseholdKey", action="update", object_id=str(grid.h1.pk))
    assert entry.actor == secretary and entry.reason == "sheet lost"
    assert entry.changes["generation"] == [1, 2]
    # The secret never reaches the log, neither the old nor the new one.
    log = json.dumps(list(AuditEntry.objects.values("changes", "object_repr", "reason")), ensure_ascii=False)
    assert old[household_keys.SELECTOR_LEN :] not in log and key.verifier not in log
    # The household page tells staff the sheet's version.
    page = client.get(f"/grid/households/{grid.h1.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Version 2" in page


def test_only_the_areas_own_staff_reissue(grid: Grid, personas: dict) -> None:
    household = _loaded(grid.h1)
    before = _token(grid.h1)
    for role in ["outsider", "grid_worker", "area_lead", "volunteer", "resident"]:
        with pytest.raises(PermissionDenied):
            household_key_reissue(actor=personas[role], household=household)
    assert HouseholdKey.objects.get(household=grid.h1).token == before
    # Through the page: the other area's secretary does not even see the household; others are refused.
    assert client_for(personas["outsider"]).post(f"/h/k/{grid.h1.code}/reissue/").status_code == 404
    assert client_for(personas["grid_worker"]).post(f"/h/k/{grid.h1.code}/reissue/").status_code == 403
    assert Client().post(f"/h/k/{grid.h1.code}/reissue/").status_code == 302  # to the login page
    assert HouseholdKey.objects.get(household=grid.h1).token == before
    assert household_key_reissue(actor=personas["subdistrict_admin"], household=household).generation == 2


def test_keys_are_issued_only_in_scope(grid: Grid, personas: dict) -> None:
    with pytest.raises(PermissionDenied):
        household_keys_ensure(actor=personas["outsider"], households=[_loaded(grid.h1)])
    assert not HouseholdKey.objects.exists()


def test_printed_sheets_carry_the_new_address(grid: Grid, personas: dict, monkeypatch: Any) -> None:
    from grid import resident_views  # the node's sheets are grid's page, mounted at /guide/qr/…

    printed: list[Any] = []
    real = resident_views.qr_sheet_pdf

    def capture(labels: Any, *, title: str) -> bytes:
        printed.extend(labels)
        return real(labels, title=title)

    monkeypatch.setattr(resident_views, "qr_sheet_pdf", capture)
    client = client_for(personas["community_secretary"])
    response = client.get(f"/guide/qr/{grid.c1.code}/households.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    keys = {k.household_id: k.token for k in HouseholdKey.objects.all()}
    assert len(keys) == Household.objects.filter(community=grid.c1).count() == len(printed)
    by_code = {h.code: h.pk for h in Household.objects.filter(community=grid.c1)}
    for url, _name, code in printed:
        assert "?h=" not in url and url.endswith(f"/h/{keys[by_code[code]]}/")
    # One household's sheet (after a re-issue) prints its current key.
    one = client.get(f"/h/k/{grid.h1.code}/sheet.pdf")
    assert one.status_code == 200 and one["Content-Type"] == "application/pdf"


def test_old_sheets_open_the_lookup_with_a_note_not_the_household(grid: Grid) -> None:
    response = Client().get(f"/guide/?h={grid.h1.code}", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="old-sheet"' in html
    assert 'id="balance"' not in html and grid.h1.building.name not in html
    assert 'id="old-sheet"' not in Client().get("/guide/").content.decode()


def test_a_residents_home_leads_to_the_same_page(grid: Grid, personas: dict) -> None:
    client = client_for(personas["resident"])
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/h/"' in home
    page = client.get("/h/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'id="balance"' in page.content.decode()
    assert 'id="sheet-note"' not in page.content.decode()
    assert client_for(personas["volunteer"]).get("/h/").status_code == 403


def test_the_page_names_the_sub_district_in_every_query(grid: Grid, personas: dict) -> None:
    _history(grid, personas["community_secretary"])
    token = _token(grid.h1)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(f"/h/{token}/").status_code == 200
    found = [t for q in queries.captured_queries for t in unscoped(q["sql"])]
    assert found == []
    assert len(queries.captured_queries) <= 12


def test_the_counter_takes_a_scanned_sheet(grid: Grid, personas: dict) -> None:
    token = _token(grid.h1)
    client = client_for(personas["community_secretary"])
    html = client.get("/points/counter/", {"h": f"http://testserver/h/{token}/"}).content.decode()
    assert grid.h1.code in html and 'id="balance"' in html
    other = _token(grid.h_other)
    html = client.get("/points/counter/", {"h": f"http://testserver/h/{other}/"}).content.decode()
    assert 'id="balance"' not in html  # another residential area's household is not this counter's


def test_todays_correct_drop_offs_are_said_to_be_credited_tomorrow(grid: Grid, personas: dict) -> None:
    """Points are booked by the nightly job (issue 16): today's correct drop-offs show as coming tomorrow,
    not as nothing (issue 14)."""
    point = all_day_point(grid)
    client = client_for(personas["resident"])
    page = client.get("/h/").content.decode()
    assert 'id="credit-note"' in page and "次日计入" in page and 'id="points-tomorrow"' not in page
    drop_offs(point, grid.h1, local_today(), ["correct", "correct", "mixed"], hour=0)
    page = client.get("/h/").content.decode()
    assert 'id="points-tomorrow"' in page and "今天正确投放 2 次，积分将于明天计入。" in page
    en = client.get("/h/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Today: 2 correct drop-offs; their points are credited tomorrow." in en


def test_every_link_of_a_resident_leads_to_their_own_page(grid: Grid, personas: dict) -> None:
    """The home page's household link opened the staff household page; the points statement had no way back;
    every resident page carries "My household" in its menu."""
    client = client_for(personas["resident"])
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"/grid/households/{grid.h1.code}/" not in home and home.count('href="/h/"') >= 2
    statement = client.get(f"/points/h/{grid.h1.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<a class="button" id="back-home" href="/h/">返回我家</a>' in statement
    assert 'href="/h/" id="menu-my-household"' in statement  # in the menu of every page (base.html)
    staff = client_for(personas["community_secretary"]).get(f"/points/h/{grid.h1.code}/").content.decode()
    assert 'id="back-home"' not in staff and 'id="menu-my-household"' not in staff


def test_the_residents_own_page_shows_the_households_qr(grid: Grid, personas: dict) -> None:
    """A walk found the page saying "staff scan this household's QR" with no QR on it, and no sheet printed
    yet: the resident's page issues the household's secret (through the service, audited) and shows the
    sheet's own code; the sheet printed later carries the same one."""
    import segno

    client = client_for(personas["resident"])
    assert not HouseholdKey.objects.filter(household=grid.h1).exists()
    page = client.get("/h/").content.decode()
    key = HouseholdKey.objects.get(household=grid.h1)
    assert AuditEntry.objects.filter(model="grid.HouseholdKey", object_id=str(key.pk)).exists()
    expected = segno.make(f"http://testserver/h/{key.token}/", error="m", micro=False).svg_inline(scale=5)
    qr = page.split('id="household-qr"')[1].split("</figure>")[0]
    assert expected in qr and grid.h1.code in qr
    # Asked again: the same key (never a new one that would void a printed sheet).
    client.get("/h/")
    assert HouseholdKey.objects.get(household=grid.h1).token == key.token
    # Opened from the sheet, the page shows that sheet's code too.
    assert expected in Client().get(f"/h/{key.token}/").content.decode()
