"""Malformed input gets a 4xx with a zh/en message (or a per-record error), never a 500, and nothing
half-written (issue 13). One test per kind, with the issue's inputs and more of the same kind."""

from __future__ import annotations

import datetime
import io
import json
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from activities.models import Activity
from grid.services.records import household_create, household_update
from lib.clock import local_today
from lib.periods import Period, query_days
from supervision.models import Observation, PurityCheck
from supervision.services import point_create
from tests.conftest import Grid, client_for
from tonnage.models import TonnageRecord
from units.services import meeting_create

pytestmark = pytest.mark.django_db
OBSERVATIONS = "/api/v1/supervision/observations"
WEIGHINGS = "/api/v1/tonnage/records"


@pytest.fixture
def point(grid: Grid) -> Any:
    return point_create(actor=None, community=grid.c1, name="甲1号箱房", windows=[])


@pytest.fixture
def secretary(personas: dict) -> Client:
    return client_for(personas["community_secretary"])


@pytest.fixture
def admin(personas: dict) -> Client:
    return client_for(personas["subdistrict_admin"])


def _record(point: Any, **fields: Any) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "point": point.code,
        "observed_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "category": "wet",
        "outcome": "correct",
        **fields,
    }


def _post_json(client: Client, url: str, body: str) -> Any:
    return client.post(url, body, content_type="application/json")


def _bilingual(response: Any, code: str) -> None:
    body = response.json()
    assert body["code"] == code
    assert body["message"]["zh"] and body["message"]["en"] and body["message"]["zh"] != body["message"]["en"]


# 1. Observations: every field parsed from the body is a per-record error, the good records are stored.


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("observed_at", "2026-02-30T10:00:00+08:00", "observed_at"),  # the three
        ("observed_at", "2026-03-01T25:00:00+08:00", "observed_at"),
        ("observed_at", "2026-03-01T10:00:00+25:00", "observed_at"),
        ("observed_at", "2026-13-01T10:00:00+08:00", "observed_at"),  # and more of the kind
        ("observed_at", "9999-12-31T23:59:59-23:59", "future"),
        ("observed_at", "0001-01-01T00:00:00+08:00", "too_old"),
        ("observed_at", 1764460800, "observed_at"),
        ("category", ["wet"], "category"),  # unhashable: `in` a set raised TypeError
        ("outcome", {"a": 1}, "outcome"),
        ("mixed_with", [["dry"]], "mixed_with"),
        ("client_id", "not-a-uuid", "client_id"),
    ],
)
def test_it_refuses_a_bad_field_per_record(
    secretary: Client, point: Any, field: str, value: Any, code: str
) -> None:
    good = _record(point)
    response = _post_json(secretary, OBSERVATIONS, json.dumps([_record(point, **{field: value}), good]))
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["rejected"]) == (1, 1)
    assert [e["code"] for e in body["errors"]] == [code] and body["errors"][0]["index"] == 0
    assert body["errors"][0]["message"]["zh"] and body["errors"][0]["message"]["en"]
    assert list(Observation.objects.values_list("client_id", flat=True)) == [uuid.UUID(good["client_id"])]


# 2. Bodies: one bounded parser for every API operation and for views that read the body themselves.


@pytest.mark.parametrize("url", [OBSERVATIONS, WEIGHINGS])
@pytest.mark.parametrize(
    "body, code",
    [
        ("[" * 10_000, "too_deep"),  # the example (RecursionError)
        ("[" * 100_000 + "]" * 100_000, "too_deep"),
        ("[" * 40 + "]" * 40, "too_deep"),  # parsed fine, still deeper than any operation takes
        ('[{"kg": NaN}]', "invalid_json"),  # not JSON, though Python's json accepts it
        ("[{", "invalid_json"),
        (b"\xff\xfe[]", "invalid_json"),
    ],
)
def test_it_refuses_a_malformed_body_with_400(secretary: Client, url: str, body: Any, code: str) -> None:
    response = _post_json(secretary, url, body)
    assert response.status_code == 400
    _bilingual(response, code)


def test_a_body_over_the_size_limit_answers_413(secretary: Client) -> None:
    response = _post_json(secretary, OBSERVATIONS, json.dumps(["x" * 1024] * 9 * 1024))
    assert response.status_code == 413
    _bilingual(response, "too_large")
    assert not Observation.objects.exists()


# 3. Periods and years: one parser with bounds; pages fall back to their default period.


def test_period_parser_bounds_years() -> None:
    this_year = local_today().year
    assert Period.parse(f"{this_year + 1}-12").key == f"{this_year + 1}-12"
    for bad in ("9999-12", "0001-01", "1999-12", f"{this_year + 2}-01", "10000", "9999-Q4", "2026-00"):
        with pytest.raises(ValueError):
            Period.parse(bad)


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "١٢٣٤-٠١", "2026-1"])
def test_pages_fall_back_to_their_default_month_on_a_bad_month(grid: Grid, admin: Client, month: str) -> None:
    from lib.periods import last_whole_period

    whole_month = last_whole_period("month").key  # tonnage counts whole days: its default month
    for url in (f"/activities/n/{grid.c1.code}/", f"/tonnage/n/{grid.c1.code}/"):
        response = admin.get(url, {"month": month})
        assert response.status_code == 200, url
    export = admin.get(f"/tonnage/n/{grid.c1.code}/", {"month": month, "export": "xlsx"})
    assert f"{whole_month}.xlsx" in export["Content-Disposition"]
    records = admin.get(
        f"/assessment/n/{grid.c1.code}/i/purity/records/", {"month": month, "period": "9999-Q4"}
    )
    assert records.status_code == 404  # a drill-down to a month that cannot exist: not found


@pytest.mark.parametrize("year", ["10000", "0001", "99999999999999999999", "-1", "2026.5"])
def test_year_pages_fall_back_to_this_year(admin: Client, year: str) -> None:
    this_year = str(local_today().year)
    frame = admin.get("/party/frame/", {"year": year})
    assert frame.status_code == 200 and this_year in frame.content.decode()
    assert admin.get("/units/", {"year": year}).status_code == 200


def test_days_options_fall_back_to_the_default() -> None:
    from django.test import RequestFactory

    rf = RequestFactory()
    assert query_days(rf.get("/", {"days": "90"}), (7, 30, 90), 30) == 90
    for bad in ("91", "99999999999999999999", "-7", "七", "²", ""):
        assert query_days(rf.get("/", {"days": bad}), (7, 30, 90), 30) == 30


# 4. Numbers and dates: ranges from the model's fields and constraints, checked in the services.


@pytest.mark.parametrize(
    "field, value",
    [
        ("capacity", "-5"),  # the four
        ("points", "-1000"),
        ("credit_minutes", "-600"),
        ("capacity", str(10**20)),
        ("capacity", str(2**31)),  # more than PostgreSQL's integer holds, though SQLite would take it
        ("points", "1e3"),
        ("day", "0001-01-01"),
        ("day", "9999-12-31"),
    ],
)
def test_activity_form_refuses_out_of_range_numbers_and_dates(
    grid: Grid, secretary: Client, field: str, value: str
) -> None:
    form = {"kind": "training", "title": "分类培训", "day": local_today().isoformat(), field: value}
    response = secretary.post(f"/activities/n/{grid.c1.code}/", form)
    assert response.status_code == 400
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [("kg", "NaN"), ("kg", "sNaN"), ("kg", "-Infinity"), ("day", "0001-01-01"), ("day", "1999-12-31")],
)
def test_tonnage_form_refuses_bad_weights_and_days(grid: Grid, admin: Client, field: str, value: str) -> None:
    form = {
        "community": grid.c1.code,
        "day": local_today().isoformat(),
        "category": "wet",
        "kg": "12.5",
    }
    response = admin.post(f"/tonnage/n/{grid.c1.code}/record/", {**form, field: value})
    assert response.status_code == 400
    assert not TonnageRecord.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_weighing_api_refuses_implausible_days(grid: Grid, admin: Client, day: str) -> None:
    record = {"ref": "T-1", "community": grid.c1.code, "day": day, "category": "wet", "kg": 12.5}
    response = _post_json(admin, WEIGHINGS, json.dumps([record]))
    assert response.status_code == 400
    assert response.json()["message"]["en"]
    assert not TonnageRecord.objects.exists()


def test_services_refuse_values_the_database_cannot_hold(grid: Grid) -> None:
    with pytest.raises(ValidationError):
        household_create(actor=None, building=grid.b1, room="999", size=40_000)  # a smallint on PostgreSQL
    with pytest.raises(ValidationError):
        household_update(actor=None, household=grid.h1, size=-1)
    with pytest.raises(ValidationError):
        meeting_create(actor=None, subdistrict=grid.sd, title="联席会议", day=datetime.date(1, 1, 1))


# 5. Text: control characters are refused at the edge, for forms, query strings and API bodies.


@pytest.mark.parametrize("text", ["分类\x00培训", "bell\x07", "del\x7f", "c1\x85", "\x1b[31m"])
def test_control_characters_in_a_form_are_refused(grid: Grid, secretary: Client, text: str) -> None:
    form = {"kind": "training", "title": text, "day": local_today().isoformat()}
    response = secretary.post(f"/activities/n/{grid.c1.code}/", form)
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()  # the layout's page, in the user's language (zh)
    assert not Activity.objects.exists()


def test_tabs_and_newlines_are_text(grid: Grid, secretary: Client) -> None:
    form = {
        "kind": "training",
        "title": "分类\t培训",
        "programme": "一\r\n二",
        "day": local_today().isoformat(),
    }
    assert secretary.post(f"/activities/n/{grid.c1.code}/", form).status_code == 302
    assert Activity.objects.get().programme == "一\r\n二"


def test_control_characters_in_a_query_string_are_refused(grid: Grid, secretary: Client) -> None:
    assert secretary.get("/guide/", {"q": "电池\x00"}).status_code == 400
    assert secretary.get("/guide/", {"q\x01": "电池"}).status_code == 400
    api = secretary.get("/api/v1/guide/lookup", {"q": "电池\x00"})
    assert api.status_code == 400
    _bilingual(api, "control_chars")


@pytest.mark.parametrize("text", ["A\x00", "A\x1f", "A\u0085"])
def test_control_characters_in_an_api_body_are_refused(secretary: Client, point: Any, text: str) -> None:
    response = _post_json(secretary, OBSERVATIONS, json.dumps([{**_record(point), "point": text}]))
    assert response.status_code == 400
    _bilingual(response, "control_chars")
    keyed = _post_json(secretary, OBSERVATIONS, json.dumps([{**_record(point), text: 1}]))
    assert keyed.status_code == 400
    assert not Observation.objects.exists()


# 6. The numbers pages, with data in every table they show, for every span offered.


@pytest.mark.parametrize("days", ["1", "7", "30", "90", "365", "0", "abc"])
def test_numbers_and_dashboard_pages_answer_for_every_span(
    grid: Grid, point: Any, personas: dict, days: str
) -> None:
    """The numbers page answered 500 whenever a purity check fell in the span (the template read `.items`
    of a defaultdict); the suite had no purity checks there, so no test ever rendered that loop."""
    yesterday = local_today() - datetime.timedelta(days=1)
    PurityCheck.objects.create(
        client_id=uuid.uuid4(),
        subdistrict_id=point.subdistrict_id,
        point=point,
        category="wet",
        level="slight",
        checked_at=timezone.now() - datetime.timedelta(days=1),
        day=yesterday,
    )
    _post_json(client_for(personas["community_secretary"]), OBSERVATIONS, json.dumps([_record(point)]))
    for role, node in (
        ("subdistrict_admin", grid.sd),
        ("area_lead", grid.area),
        ("community_secretary", grid.c1),
    ):
        client = client_for(personas[role])
        numbers = client.get(f"/supervision/numbers/{node.code}/", {"days": days})
        assert numbers.status_code == 200, (role, days)
        if days != "1":  # the check was yesterday: in every span that reaches back a day (bad ones: 30)
            assert "轻微混杂 1" in numbers.content.decode()  # the level in the page's language
        assert client.get(f"/reports/dashboard/{node.code}/", {"days": days}).status_code == 200


@pytest.mark.parametrize("raw", ["abc", "99999999999999999999", "-1", "١", "1.0", ""])
def test_a_chosen_record_that_cannot_be_an_id_is_not_found(grid: Grid, personas: dict, raw: str) -> None:
    """Ids from form selects: "abc" raised ValueError and a 20-digit id OverflowError on SQLite (500s)."""
    client = client_for(personas["community_secretary"])
    void = client.post(f"/points/h/{grid.h1.code}/", {"entry": raw, "reason": "x"})
    assert void.status_code == 302  # nothing to reverse: back to the statement
    admin = client_for(personas["subdistrict_admin"])
    assert (
        admin.post("/party/exemplars/", {"kind": "household", "target": raw, "name": "x"}).status_code == 400
    )


HOSTILE_QUERIES = [
    {
        "month": "9999-12",
        "year": "10000",
        "period": "9999-Q4",
        "days": "99999999999999999999",
        "page": "1e400",
    },
    {
        "month": "0001-01",
        "year": "0001",
        "period": "0001",
        "days": "-1",
        "day": "0001-01-01",
        "by": "x" * 300,
    },
    {"month": "2026-02-30", "year": "２０２６", "period": "2026-Q9", "days": "٣٠", "from": "9999-12-31"},
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_every_page_answers_hostile_query_values_without_a_5xx(
    grid: Grid, personas: dict, query: dict
) -> None:
    """Each GET of the permission matrix, as the sub-district admin (who may read nearly all of them)."""
    from tests.accounts.test_permissions import MATRIX, _url

    client = client_for(personas["subdistrict_admin"])
    failures = []
    for method, template, _expected in MATRIX:
        if method != "get":
            continue
        url = _url(template, grid)
        response = client.get(url, query) if "?" not in url else client.get(f"{url}&month={query['month']}")
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_photo_api_refuses_implausible_days(secretary: Client, day: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = secretary.post(
        "/api/v1/supervision/photos", {"client_id": str(uuid.uuid4()), "day": day, "image": image}
    )
    assert response.status_code == 400
    _bilingual(response, "day")


# 7. Found by probing the running demo after issue 13 (one test per kind, the found input and more).


@pytest.mark.parametrize(
    "key", ["", "2026-02-30", "２０２６", "x" * 300, "00000000-0000-0000-0000-00000000000g"]
)
def test_a_record_key_in_a_query_that_cannot_be_one_finds_nothing(
    grid: Grid, admin: Client, key: str
) -> None:
    """`?key=` of an inspection drill-down is a form's UUID: "" or a date raised a ValidationError inside the
    ORM (500). Like form_pk for ids, lib.validation.form_uuid makes it "no such record"."""
    url = f"/assessment/n/{grid.c1.code}/i/facilities/records/"
    response = admin.get(url, {"key": key})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert admin.get(url, {"key": str(uuid.uuid4())}).status_code == 200


def test_refusals_before_any_api_operation_answer_the_api_error_shape(
    secretary: Client, settings: Any
) -> None:
    """Requests Django refuses before ninja runs (a multipart body without a boundary, a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, an unknown path, a Content-Length that is no number)
    answered HTML pages, or a 500, under /api/; a phone reads only the JSON error shape."""
    photos = "/api/v1/supervision/photos"
    no_boundary = secretary.generic("POST", photos, b"junk", content_type="multipart/form-data")
    assert no_boundary.status_code == 400
    _bilingual(no_boundary, "bad_form")
    cut = secretary.generic(
        "POST", photos, b"--xx\r\nContent-Disposition: form-data", content_type="multipart"
    )
    assert cut.status_code == 400 and cut.json()["message"]["zh"]
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = secretary.post(photos, {f"f{i}": "1" for i in range(10)})
    assert fields.status_code == 400
    _bilingual(fields, "bad_request")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    too_big = _post_json(secretary, OBSERVATIONS, json.dumps(["x" * 200]))
    assert too_big.status_code in (400, 413) and too_big.json()["message"]["en"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
    length = secretary.generic(
        "POST", OBSERVATIONS, b"[]", content_type="application/json", CONTENT_LENGTH="abc"
    )
    assert length.status_code == 400
    _bilingual(length, "bad_form")
    missing = secretary.get("/api/v1/no/such/operation")
    assert missing.status_code == 404
    _bilingual(missing, "not_found")
    page = secretary.get("/no/such/page/")  # pages keep the site's layout
    assert page.status_code == 404 and "<html" in page.content.decode()
    assert not Observation.objects.exists()


@pytest.mark.parametrize("key", ["２０２６", "٢٠٢٦-١١", "２０２６-Q1", "2026-１１"])
def test_periods_are_typed_in_ascii_digits(admin: Client, grid: Grid, key: str) -> None:
    """`\\d` also matched full-width and Arabic-Indic digits: the API took "２０２６" although its documented
    pattern refuses it."""
    with pytest.raises(ValueError):
        Period.parse(key)
    response = admin.get(f"/api/v1/assessment/{grid.sd.code}", {"period": key})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "name",
    [
        '<img src="static/icons/favicon-32.png"/>',  # embedded a file of the server in the report
        '<img src="/no/such/file.png"/>',  # failed the report job
        '<a href="javascript:alert(1)">甲</a>',
        "甲 & 乙 <1号>",
        "<para><font size=200>大</font>",
    ],
)
def test_report_pdf_shows_user_text_as_text(name: str) -> None:
    """reportlab reads Paragraph text as markup; a drop-off point's or node's name is user text."""
    from reportlab.platypus import SimpleDocTemplate

    from reports.build import BODY, _table, _text

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([_text(name, BODY), _table(["投放点"], [(name,)])])
    pdf = buffer.getvalue()
    assert b"/Subtype /Image" not in pdf and b"javascript" not in pdf.lower()
    assert b"/URI" not in pdf


@pytest.mark.parametrize("kg", [True, "1e2", "12.5", [12.5], {"kg": 1}])
def test_weighing_api_takes_a_number_not_something_coerced_to_one(grid: Grid, admin: Client, kg: Any) -> None:
    """`"kg": true` was stored as a weighing of 1 kg and `"1e2"` as 100 kg."""
    record = {
        "ref": "T-1",
        "community": grid.c1.code,
        "day": local_today().isoformat(),
        "category": "wet",
    }
    response = _post_json(admin, WEIGHINGS, json.dumps([{**record, "kg": kg}]))
    assert response.status_code == 400
    assert not TonnageRecord.objects.exists()
    assert _post_json(admin, WEIGHINGS, json.dumps([{**record, "kg": 12}])).status_code == 200
    assert TonnageRecord.objects.get().kg == 12


def test_a_body_too_large_to_be_an_upload_is_refused_before_it_is_read(grid: Grid, admin: Client) -> None:
    """Django bounds form fields and request.body but not uploaded files: an anonymous 2 GB multipart POST was
    written to a temporary file before the CSRF check refused it. The declared length is checked first."""
    from lib.middleware import MAX_BODY
    from lib.xlsx import MAX_BYTES as TABLE_BYTES

    assert MAX_BODY > TABLE_BYTES  # the largest real upload (an import table) still fits
    huge = str(MAX_BODY + 1)
    anonymous = Client().generic(
        "POST", "/accounts/login/", b"x", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=huge
    )
    assert anonymous.status_code == 413 and "MB" in anonymous.content.decode()
    api = admin.generic(
        "POST",
        "/api/v1/supervision/photos",
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=huge,
    )
    assert api.status_code == 413
    _bilingual(api, "too_large")
    url = f"/tonnage/n/{grid.c1.code}/record/"
    big = admin.generic(
        "POST", url, b"x", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=huge
    )
    assert big.status_code == 413 and not TonnageRecord.objects.exists()
