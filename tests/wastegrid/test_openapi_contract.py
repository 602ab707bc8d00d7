"""The API answers what its own OpenAPI document says, for every operation, with schemathesis' full set of
checks (status codes, content types, response schemas, auth enforcement, rejection of invalid input, …),
in-process through the WSGI app, once as a device (bearer token) and once as a staff session."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import ignored_auth

from accounts.models import DeviceToken as DeviceTokenRow
from accounts.models import Role, User
from accounts.tokens import token_hash
from guide import counting
from tests.conftest import Grid
from wastegrid.api import api
from wastegrid.wsgi import application

# Small on purpose: every operation is tried with both identities on 2 shared cores in well under a minute;
# the coverage phase (boundaries and each invalid kind) runs in full regardless. Derandomized, so `make test`
# gives the same answer each run; after changing the API, explore: WASTEGRID_CONTRACT_EXPLORE=1, a few runs.
EXAMPLES = 15
CONTRACT = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("WASTEGRID_CONTRACT_EXPLORE") != "1",
    suppress_health_check=list(HealthCheck),
)


# The document the app serves at /api/v1/openapi.json, made by the same call; requests go in-process to the
# WSGI app. (Loaded here rather than from a fixture: schemathesis' lazy fixture loader fails under pytest 9.)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = application


@pytest.fixture(autouse=True)
def _in_test_transaction(grid: Grid) -> Iterator[None]:
    # Requests run through the real WSGI handler, which closes "old" connections when a request starts and
    # ends: that would close the test's transaction. Django's test client turns the same hook off.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
        counting.flush()  # the lookups' batched counts, written now rather than at exit
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Fixed credentials: schemathesis asks the providers below for them already when it collects the tests
# (explicit auth, so it also checks that requests without it, or with a wrong one, are refused); the
# fixtures store them in each test's database.
TOKEN = "wg_contract-test-device-token-0000000000000000"
SESSION = "contracttestsession0000000000000"
CSRF = "contract" * 4  # any 32 letters make a CSRF token


class DeviceToken:
    def get(self, case: Any, context: Any) -> str:
        return TOKEN

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


class StaffSession:
    def get(self, case: Any, context: Any) -> str:
        return SESSION

    def set(self, case: Any, data: str, context: Any) -> None:
        # As a browser holds it: the session and CSRF cookies, and the CSRF token in a header for writes.
        cookies = {django_settings.SESSION_COOKIE_NAME: data, django_settings.CSRF_COOKIE_NAME: CSRF}
        case.cookies = {**(case.cookies or {}), **cookies}
        case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF}


@pytest.fixture
def device(personas: dict[str, User]) -> str:
    # A phone at the bins in the first residential area: the row `wastegrid token create --user NAME` makes,
    # with a known key instead of a random one.
    DeviceTokenRow.objects.create(
        user=personas[Role.GRID_WORKER], name="contract", prefix=TOKEN[:8], key_hash=token_hash(TOKEN)
    )
    return TOKEN


@pytest.fixture
def staff(personas: dict[str, User]) -> str:
    # The sub-district admin logged in (Client.force_login stores the session in the database: the default
    # engine), then given the known key.
    client = Client()
    client.force_login(personas[Role.SUBDISTRICT_ADMIN])
    Session.objects.filter(session_key=client.session.session_key).update(session_key=SESSION)
    return SESSION


@pytest.fixture
def known(grid: Grid) -> dict[str, Any]:
    return {"codes": [grid.sd.code, grid.c1.code, grid.m1.code, grid.h1.code], "community": grid.c1.code}


def _name_known_objects(case: Any, known: dict[str, Any]) -> None:
    """Random codes only ever find nothing (404, which the negative cases reach anyway). Positive cases name
    a real node or household instead, and weighings a real residential area, so the 200 answers are checked
    against their schemas too."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    codes = known["codes"]
    if isinstance((case.path_parameters or {}).get("code"), str):
        pick = zlib.crc32(case.path_parameters["code"].encode("utf-8", "replace")) % len(codes)
        case.path_parameters["code"] = codes[pick]
    if case.operation.path == "/api/v1/tonnage/records" and isinstance(case.body, list):
        for weighing in case.body:
            weighing["community"] = known["community"]


@schema.auth(DeviceToken, refresh_interval=None)
@schema.parametrize()
@CONTRACT
def test_api_as_device(case: Any, device: str, known: dict[str, Any]) -> None:
    _name_known_objects(case, known)
    case.call_and_validate()


@schema.auth(StaffSession, refresh_interval=None)
@schema.parametrize()
@CONTRACT
def test_api_as_staff(case: Any, staff: str, known: dict[str, Any]) -> None:
    _name_known_objects(case, known)
    case.call_and_validate()


# Every operation once with objects that exist, as the staff session, through the same checks: the fuzzing
# above rarely reaches them (a random code finds nothing). ignored_auth is left out here only: these calls
# carry the session themselves, and the fuzzing tests check that each operation refuses a missing or wrong one.
KNOWN_CALLS = [
    ("GET", "/api/v1/me", {}, {}, None),
    ("GET", "/api/v1/grid/nodes/{code}", {"code": "sd"}, {}, None),
    ("GET", "/api/v1/grid/nodes/{code}/coverage", {"code": "c1"}, {}, None),
    ("POST", "/api/v1/grid/nodes/{code}/assign", {"code": "c1"}, {}, None),
    ("GET", "/api/v1/grid/households", {}, {"node": "m1", "page_size": 5}, None),
    ("GET", "/api/v1/grid/households/{code}", {"code": "h1"}, {}, None),
    ("GET", "/api/v1/assessment/{code}", {"code": "sd"}, {"period": "2026"}, None),
    ("GET", "/api/v1/supervision/points", {}, {}, None),
    (
        "POST",
        "/api/v1/tonnage/records",
        {},
        {},
        [{"ref": "K-1", "community": "c1", "day": "2026-01-05", "category": "wet", "kg": 12.5}],
    ),
]


@pytest.mark.parametrize(("method", "path", "path_parameters", "query", "body"), KNOWN_CALLS)
def test_known_objects_answer_as_documented(
    grid: Grid, staff: str, method: str, path: str, path_parameters: dict, query: dict, body: Any
) -> None:
    codes = {"sd": grid.sd.code, "c1": grid.c1.code, "m1": grid.m1.code, "h1": grid.h1.code}
    named = lambda d: {k: codes.get(v, v) if isinstance(v, str) else v for k, v in d.items()}  # noqa: E731
    kwargs: dict[str, Any] = {"path_parameters": named(path_parameters), "query": named(query)}
    if body is not None:
        kwargs["body"] = [named(item) for item in body]
    case = schema[path][method].Case(**kwargs)
    response = case.call_and_validate(
        cookies={django_settings.SESSION_COOKIE_NAME: staff, django_settings.CSRF_COOKIE_NAME: CSRF},
        headers={"X-CSRFToken": CSRF},
        excluded_checks=[ignored_auth],
    )
    assert response.status_code == 200, response.text


def test_a_record_and_its_photo_answer_as_documented(grid: Grid, staff: str) -> None:
    import io
    import uuid

    from django.utils import timezone
    from PIL import Image

    from supervision.services import point_create

    point = point_create(actor=None, community=grid.c1, name="契约点", bins={"wet": 1})
    client_id, now = str(uuid.uuid4()), timezone.localtime()
    record = {"client_id": client_id, "point": point.code, "observed_at": now.isoformat()}
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(jpeg, "JPEG")
    session: dict[str, Any] = {
        "cookies": {django_settings.SESSION_COOKIE_NAME: staff, django_settings.CSRF_COOKIE_NAME: CSRF},
        "headers": {"X-CSRFToken": CSRF},
        "excluded_checks": [ignored_auth],  # as in test_known_objects_answer_as_documented
    }
    stored = schema["/api/v1/supervision/observations"]["POST"].Case(
        body=[{**record, "category": "wet", "outcome": "correct"}]
    )
    assert stored.call_and_validate(**session).json()["created"] == 1
    form: dict[str, Any] = {"client_id": client_id, "day": now.date().isoformat(), "image": jpeg.getvalue()}
    photo = schema["/api/v1/supervision/photos"]["POST"].Case(body=form, media_type="multipart/form-data")
    answer = photo.call_and_validate(**session)
    assert answer.status_code == 200 and answer.json()["width"] == 40


@pytest.mark.django_db
def test_the_served_document_is_the_one_tested_and_names_every_answer() -> None:
    served = Client().get("/api/v1/openapi.json").json()
    assert served["paths"] == schema.raw_schema["paths"]
    assert set(served["components"]["securitySchemes"]) == {"SessionAuth", "DeviceTokenAuth"}
    photo = served["paths"]["/api/v1/supervision/photos"]["post"]
    assert list(photo["requestBody"]["content"]) == ["multipart/form-data"]
    for path, operations in served["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            takes_input = "requestBody" in operation or any(
                p["in"] == "query" for p in operation.get("parameters", [])
            )
            assert "200" in statuses and ("400" in statuses or not takes_input), (method, path)
            if operation.get("security"):
                assert {"401", "503"} <= statuses, (method, path)
            for status in statuses - {"200"}:
                body = operation["responses"][status]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)


@pytest.mark.django_db
def test_a_photo_for_no_record_is_404_and_a_session_write_without_csrf_is_a_bilingual_403(
    personas: dict[str, User], device: str
) -> None:
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"client_id": str(uuid.uuid4()), "day": "2026-11-01", "image": SimpleUploadedFile("a.jpg", b"x")}
    missing = Client().post("/api/v1/supervision/photos", form, HTTP_AUTHORIZATION=f"Bearer {device}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas[Role.SUBDISTRICT_ADMIN])
    for path in ("/api/v1/supervision/observations", "/api/v1/tonnage/records"):
        refused = browser.post(path, "[]", content_type="application/json")
        assert refused.status_code == 403, path
        body = refused.json()
        assert body["code"] == "csrf_failed" and body["message"]["zh"] and body["message"]["en"]
