"""Issue 14: what a scanned household QR resolves to (grid/scan.py) and what the service worker is told to
keep (accounts/offline.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.models import Role, User
from accounts.offline import OWNER_HEADER, owner_key
from grid.models import Household
from grid.scan import Scanned, parse_scanned, resolve
from grid.services.household_keys import household_key_reissue, household_keys_ensure
from supervision.services import point_create
from tests.conftest import Grid, client_for
from wastegrid.offline_pages import offline_pages

pytestmark = pytest.mark.django_db

RESOLVE = "/grid/households/resolve/"


def _token(grid: Grid, household: Household) -> str:
    household = Household.objects.select_related("community", "building__microgrid").get(pk=household.pk)
    return household_keys_ensure(actor=None, households=[household])[household.pk]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TSD-01-B001-101", Scanned("code", "TSD-01-B001-101")),
        ("  TSD-01-B001-101\n", Scanned("code", "TSD-01-B001-101")),
        ("https://wastegrid.example/guide/?h=TSD-01-B001-101", Scanned("code", "TSD-01-B001-101")),
        ("https://wastegrid.example/h/" + "a" * 33 + "/", Scanned("token", "a" * 33)),
        ("/h/" + "a" * 33 + "/", Scanned("token", "a" * 33)),
        ("https://elsewhere.example/pay?to=123", None),
        ("WIFI:S:net;T:WPA;P:secret;;", None),
        ("https://x.example/guide/?h=A&h=B", None),  # two codes: neither is taken
        ("TSD\x00-01", None),
        ("x" * 600, None),
        ("", None),
        ("http://[bad/", None),
    ],
)
def test_it_reads_the_three_forms_of_a_household_qr_and_nothing_else(text: str, expected: object) -> None:
    assert parse_scanned(text) == expected


def test_a_token_resolves_to_the_household_code_within_the_actors_scope(
    grid: Grid, personas: dict[str, User]
) -> None:
    token = _token(grid, grid.h1)
    url = f"https://wastegrid.example/h/{token}/"
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    answer = secretary.get(RESOLVE, {"q": url})
    assert answer.status_code == 200 and answer.json() == {"code": grid.h1.code}
    assert answer["Cache-Control"] == "no-store"
    # The other residential area's secretary is told "not found", the same as for an unknown token.
    outsider = client_for(personas["outsider"])
    refused = outsider.get(RESOLVE, {"q": url})
    unknown = outsider.get(RESOLVE, {"q": "https://wastegrid.example/h/" + "b" * 33 + "/"})
    assert refused.status_code == unknown.status_code == 404
    assert refused.json()["message"] == unknown.json()["message"]
    assert "zh" in refused.json()["message"] and "en" in refused.json()["message"]


def test_a_reissued_sheet_no_longer_resolves(grid: Grid, personas: dict[str, User]) -> None:
    old = _token(grid, grid.h1)
    household = Household.objects.select_related("community", "building__microgrid").get(pk=grid.h1.pk)
    household_key_reissue(actor=personas[Role.COMMUNITY_SECRETARY], household=household)
    client = client_for(personas[Role.COMMUNITY_SECRETARY])
    assert client.get(RESOLVE, {"q": f"/h/{old}/"}).status_code == 404


def test_a_grid_worker_on_bin_duty_resolves_households_of_that_point(
    grid: Grid, personas: dict[str, User]
) -> None:
    worker = personas[Role.GRID_WORKER]  # node: micro-grid m1
    beyond = Household.objects.filter(building=grid.b2).first()  # micro-grid m2, same residential area
    assert beyond is not None
    assert resolve(worker, Scanned("code", beyond.code)) is None
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    beyond.drop_off_point = point
    beyond.save()
    assert resolve(worker, Scanned("code", beyond.code)) == beyond.code
    assert resolve(worker, Scanned("code", grid.h_other.code)) is None  # another residential area


def test_it_answers_malformed_and_anonymous_requests_with_json_not_500(
    grid: Grid, personas: dict[str, User], client: Client
) -> None:
    assert client.get(RESOLVE, {"q": grid.h1.code}).status_code == 401
    volunteer = client_for(personas[Role.VOLUNTEER])
    for q in ["", "WIFI:S:x;;", "https://x.example/other/"]:
        answer = volunteer.get(RESOLVE, {"q": q})
        assert answer.status_code == 400 and answer.json()["message"]["en"]
    assert volunteer.get(RESOLVE, {"q": "a\x01b"}).status_code == 400  # control characters stop at the edge
    assert volunteer.post(RESOLVE, {"q": grid.h1.code}).status_code == 405
    assert volunteer.get(RESOLVE, {"q": grid.h1.code}).json() == {"code": grid.h1.code}
    resident = client_for(personas[Role.RESIDENT])  # their sheet opens their own page; no scanning
    assert resident.get(RESOLVE, {"q": grid.h1.code}).status_code == 403


def test_every_page_names_its_owner_and_owners_differ(
    grid: Grid, personas: dict[str, User], client: Client
) -> None:
    volunteer, secretary = personas[Role.VOLUNTEER], personas[Role.COMMUNITY_SECRETARY]
    assert client.get("/accounts/login/")[OWNER_HEADER] == ""
    page = client_for(volunteer).get("/supervision/")
    assert page[OWNER_HEADER] == owner_key(volunteer) != owner_key(secretary)
    assert len(owner_key(volunteer)) == 20  # a keyed hash: the id cannot be read back from it
    assert f'data-owner="{owner_key(volunteer)}"' in page.content.decode()
    assert OWNER_HEADER not in client_for(volunteer).get(RESOLVE, {"q": grid.h1.code})  # JSON: not a page


def test_field_roles_get_their_recorder_and_visit_forms_kept_office_roles_nothing(
    grid: Grid, personas: dict[str, User]
) -> None:
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    point_create(actor=None, community=grid.c2, name="乙1号箱房")  # another residential area: not theirs
    volunteer = client_for(personas[Role.VOLUNTEER]).get("/offline/pages.json")
    assert volunteer["Cache-Control"] == "no-store"
    urls = [p["url"] for p in volunteer.json()["pages"]]
    assert urls == ["/supervision/", f"/supervision/p/{point.code}/record/"]
    assert volunteer.json()["owner"] == owner_key(personas[Role.VOLUNTEER])

    worker_urls = [p["url"] for p in offline_pages(personas[Role.GRID_WORKER])]
    mine = Household.objects.filter(grid_worker=grid.w1).order_by("code")
    assert f"/grid/households/{mine[0].code}/" in worker_urls and "/grid/my/" in worker_urls
    assert len(worker_urls) == 3 + mine.count()
    assert offline_pages(personas[Role.COMMUNITY_SECRETARY]) == []
    assert offline_pages(personas[Role.RESIDENT]) == []


def test_the_worker_is_served_from_the_root_and_keeps_no_user_in_its_offline_page(
    grid: Grid, personas: dict[str, User], client: Client
) -> None:
    sw = client.get("/sw.js")
    assert sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/" and sw["Cache-Control"] == "no-cache"
    body = sw.content.decode()
    modules = json.loads(body.split("importScripts(...", 1)[1].split(");", 1)[0])
    assert modules[0] == "/static/vendor/workbox/workbox-core.prod.js"  # Workbox comes from this app, no CDN
    assert all(m.startswith("/static/vendor/workbox/") for m in modules)
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    precached = [entry["url"] for entry in config["precache"]]
    assert "/static/lib/scan.js" in precached and "/static/supervision/recorder.js" in precached
    assert "/offline/" in precached and "/api/" in config["never"]
    legacy = client.get("/supervision/sw.js")  # phones that registered the recorder's worker get this one
    assert legacy["Service-Worker-Allowed"] == "/supervision/" and "const CONFIG" in legacy.content.decode()

    user = personas[Role.VOLUNTEER]
    page = client_for(user).get("/offline/").content.decode()
    assert user.username not in page and "csrfmiddlewaretoken" not in page
    assert "当前没有网络" in page and "You are offline" in page
