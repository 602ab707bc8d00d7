"""Nothing lost, everything audited (issue 13): a busy database answers 503 + Retry-After, a retry is stored
once whatever its day, evidence is never cascade-deleted, every delete and every disputable change is audited.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import OperationalError, models
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.utils import timezone

from activities.models import Activity, Registration
from activities.services import activity_create, activity_publish, activity_register
from audit.admin import AuditedDeleteMixin
from audit.models import AuditEntry
from audit.services import records_delete
from enforcement.models import CaseStep
from grid.models import Household
from grid.services.importing import grid_import
from grid.services.records import person_create
from lib.clock import SHANGHAI, local_day
from lib.dbbusy import DatabaseBusyMiddleware, is_db_busy
from points.models import PointsAccount, Redemption, Reward
from points.services import points_credit_once, points_redeem, points_void
from supervision.ingest import Row, bulk_write
from supervision.models import Observation, ObservationKey, PointDay, ShiftSignup
from supervision.services import point_create
from tests.conftest import Grid, at_once, client_for
from units.models import Attendance, Commitment, Liaison, UnitCheck
from units.services import commitment_add, unit_create
from wastegrid.tokens import token_create

NOW = timezone.now()


@pytest.fixture
def point(grid: Grid) -> Any:
    p = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    grid.h1.drop_off_point = p
    grid.h1.save()
    return p


def record(point: Any, household: str | None, observed_at: datetime.datetime, cid: str | None = None) -> dict:
    return {
        "client_id": cid or str(uuid.uuid4()),
        "point": point.code,
        "household": household,
        "observed_at": observed_at.isoformat(),
        "category": "wet",
        "outcome": "correct",
    }


def post(client: Any, records: Any, **headers: Any) -> Any:
    return client.post(
        "/api/v1/supervision/observations", json.dumps(records), content_type="application/json", **headers
    )


# --- a busy database: 503 + Retry-After, never 500 ---------------------------------------------------------


def _pg_lock_timeout() -> OperationalError:
    exc = OperationalError("canceling statement due to lock timeout")
    exc.__cause__ = psycopg.errors.LockNotAvailable("lock timeout")  # SQLSTATE 55P03, as Django wraps it
    return exc


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error", [lambda: OperationalError("database is locked"), _pg_lock_timeout], ids=["sqlite", "postgresql"]
)
def test_locked_database_answers_503_with_retry_after(
    grid: Grid, point: Any, personas: dict, monkeypatch: pytest.MonkeyPatch, error: Any
) -> None:
    def locked(**kwargs: Any) -> Any:
        raise error()

    monkeypatch.setattr("supervision.api.observations_ingest", locked)
    client = client_for(personas["volunteer"])
    client.raise_request_exception = False
    response = post(client, [record(point, grid.h1.code, NOW)])
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "db_busy" and body["message"]["zh"] and body["message"]["en"]


@pytest.mark.django_db
def test_other_database_errors_stay_500(
    grid: Grid, point: Any, personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise OperationalError("no such table: x")

    monkeypatch.setattr("supervision.api.observations_ingest", broken)
    client = client_for(personas["volunteer"])
    client.raise_request_exception = False
    assert post(client, [record(point, grid.h1.code, NOW)]).status_code == 500


def test_pages_meet_a_locked_database_with_503() -> None:
    """The middleware answers pages too (the API's handler shares its check and its answer)."""
    assert "lib.dbbusy.DatabaseBusyMiddleware" in settings.MIDDLEWARE
    middleware = DatabaseBusyMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().post("/grid/import/")
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response is not None and response.status_code == 503 and response["Retry-After"]
    assert middleware.process_exception(request, OperationalError("disk I/O error")) is None
    assert middleware.process_exception(request, ValueError("database is locked")) is None
    assert is_db_busy(_pg_lock_timeout())


# --- idempotency by client id, whatever the day (SQLite and PostgreSQL) --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_retry_on_another_day_is_stored_once(grid: Grid, point: Any, personas: dict) -> None:
    client = client_for(personas["volunteer"])
    cid = str(uuid.uuid4())
    first = post(client, [record(point, grid.h1.code, NOW - datetime.timedelta(hours=1), cid)]).json()
    assert (first["created"], first["duplicate"]) == (1, 0)
    # The phone's clock moved (or the record was edited): the same client id now says two days earlier.
    retry = post(client, [record(point, grid.h1.code, NOW - datetime.timedelta(days=2), cid)]).json()
    assert (retry["created"], retry["duplicate"]) == (0, 1)
    # And another day again, mixed with a new record: only the new one is stored.
    mixed = post(
        client,
        [
            record(point, grid.h1.code, NOW - datetime.timedelta(days=5), cid),
            record(point, None, NOW - datetime.timedelta(hours=3)),
        ],
    ).json()
    assert (mixed["created"], mixed["duplicate"]) == (1, 1)
    assert Observation.objects.filter(client_id=cid).count() == 1
    assert Observation.objects.count() == ObservationKey.objects.count() == 2
    # Rollups stay exact: two records counted, on the days they were first stored.
    assert sum(PointDay.objects.values_list("total", flat=True)) == 2


@pytest.mark.django_db(transaction=True)
def test_bulk_path_keys_by_client_id_within_the_subdistrict(grid: Grid, point: Any) -> None:
    cid = uuid.uuid4()
    day = NOW.astimezone(SHANGHAI)

    def row(subdistrict_id: int, when: datetime.datetime) -> Row:
        return Row(cid, subdistrict_id, grid.c1.pk, point.pk, None, when, when.date(), "wet", "correct", "")

    assert bulk_write([row(grid.sd.pk, day)]) == 1
    assert bulk_write([row(grid.sd.pk, day - datetime.timedelta(days=40))]) == 0  # another month: same record
    assert bulk_write([row(grid.sd.pk + 1000, day)]) == 1  # another sub-district's client id is its own
    assert Observation.objects.filter(client_id=cid).count() == 2


# --- evidence is protected; every delete is audited ----------------------------------------------------------

EVIDENCE = [
    (Registration, "activity"),
    (Liaison, "unit"),
    (Commitment, "unit"),
    (Attendance, "meeting"),
    (Attendance, "unit"),
    (UnitCheck, "unit"),
    (CaseStep, "case"),
    (Observation, "point"),
    (Observation, "household"),
    (ShiftSignup, "shift"),
    (PointsAccount, "household"),
]


@pytest.mark.parametrize(("model", "field"), EVIDENCE, ids=[f"{m.__name__}.{f}" for m, f in EVIDENCE])
def test_keys_to_evidence_are_protected(model: type[models.Model], field: str) -> None:
    assert model._meta.get_field(field).remote_field.on_delete is models.PROTECT  # type: ignore[union-attr]


def _activity_with_registration(grid: Grid) -> Activity:
    activity = activity_create(
        actor=None,
        node=grid.c1,
        kind="training",
        title="分类培训",
        starts_at=NOW + datetime.timedelta(days=1),
        ends_at=NOW + datetime.timedelta(days=1, hours=2),
        credit_minutes=120,
    )
    activity_publish(actor=None, activity=activity)
    alice = person_create(actor=None, node=grid.c1, name="爱丽丝", phone="13900000001")
    activity_register(actor=None, activity=activity, person=alice)
    return activity


@pytest.mark.django_db
def test_orm_refuses_deleting_evidence(grid: Grid, point: Any) -> None:
    activity = _activity_with_registration(grid)
    with pytest.raises(ProtectedError):
        activity.delete()
    with pytest.raises(ProtectedError):
        records_delete(actor=None, objs=[activity])
    unit = unit_create(actor=None, subdistrict=grid.sd, name="育婴堂路小学", kind="school", community=grid.c1)
    commitment_add(actor=None, unit=unit, year=NOW.year, title="桶边值守")
    with pytest.raises(ProtectedError):
        unit.delete()
    # A household with bin-side records (no database foreign key: the collector checks them).
    bulk_write(
        [Row(uuid.uuid4(), grid.sd.pk, grid.c1.pk, point.pk, grid.h1.pk, NOW, NOW.date(), "wet", "mixed", "")]
    )
    with pytest.raises(ProtectedError):
        Household.objects.get(pk=grid.h1.pk).delete()
    assert Registration.objects.count() == 1 and Commitment.objects.count() == 1
    assert not AuditEntry.objects.filter(action="delete").exists()  # refused: nothing deleted, nothing logged


@pytest.fixture
def superuser_client(personas: dict) -> Any:
    admin_user = personas["subdistrict_admin"]
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.node = None  # the whole back office
    admin_user.save()
    client = client_for(admin_user)
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_admin_refuses_deleting_evidence_with_a_message(grid: Grid, superuser_client: Any) -> None:
    activity = _activity_with_registration(grid)
    page = superuser_client.post(f"/admin/activities/activity/{activity.pk}/delete/", {"post": "yes"})
    assert page.status_code == 200  # Django's page naming the protected registrations, not a 500
    assert Activity.objects.filter(pk=activity.pk).exists()
    bulk = superuser_client.post(
        "/admin/activities/activity/",
        {"action": "delete_selected", "_selected_action": [activity.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302) and Activity.objects.filter(pk=activity.pk).exists()
    # Even when a delete reaches the model past Django's check (an inline row, a race), no 500.
    unit = unit_create(actor=None, subdistrict=grid.sd, name="中铁十五局", kind="enterprise")
    commitment_add(actor=None, unit=unit, year=NOW.year, title="职工培训")
    model_admin = admin.site._registry[type(unit)]
    request = RequestFactory().post("/admin/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    refused = model_admin._refused(request, ProtectedError("x", set(unit.commitments.all())))  # type: ignore[attr-defined]
    assert refused.status_code == 302


@pytest.mark.django_db
def test_admin_deletes_audit_every_row_cascades_included(grid: Grid, superuser_client: Any) -> None:
    unit = unit_create(actor=None, subdistrict=grid.sd, name="空单位", kind="enterprise")
    response = superuser_client.post(f"/admin/units/memberunit/{unit.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="delete", model="units.MemberUnit", object_id=str(unit.pk))
    assert entry.changes["name"] == "空单位" and entry.reason == "admin"
    # A cascade: a reward deleted with nothing hanging off it, then through the bulk action two at once.
    rewards = [
        Reward.objects.create(subdistrict=grid.sd, name=f"礼品{i}", cost=10, stock=3) for i in range(2)
    ]
    superuser_client.post(
        "/admin/points/reward/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in rewards], "post": "yes"},
    )
    assert not Reward.objects.exists()
    assert AuditEntry.objects.filter(action="delete", model="points.Reward").count() == 2


@pytest.mark.django_db
def test_records_delete_audits_cascaded_rows(grid: Grid, point: Any) -> None:
    bins = [str(pk) for pk in point.bins.values_list("pk", flat=True)]
    assert bins  # a point comes with its bins
    point_pk = str(point.pk)
    records_delete(actor=None, objs=[point], reason="test")
    deleted = AuditEntry.objects.filter(action="delete")
    assert {(e.model, e.object_id) for e in deleted} >= {
        ("supervision.DropOffPoint", point_pk),
        *{("supervision.Bin", pk) for pk in bins},
    }


def test_every_admin_that_can_delete_is_audited() -> None:
    """A new ModelAdmin cannot bring back unaudited deletes: each one of the project's either audits
    (AuditedDeleteMixin) or refuses deletes."""
    # The project's own apps (in the checkout, not installed packages), plus auth's Group, which the project
    # re-registers.
    ours = [c for c in apps.get_app_configs() if c.path.startswith(str(settings.BASE_DIR))]
    project = {c.label for c in ours if "site-packages" not in c.path} | {"auth"}
    request = RequestFactory().get("/admin/")
    request.user = SimpleNamespace(is_active=True, is_staff=True, is_superuser=True, has_perm=lambda *a: True)  # type: ignore[assignment]
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in project
        and model_admin.has_delete_permission(request)
        and not isinstance(model_admin, AuditedDeleteMixin)
    ]
    assert unaudited == []
    assert apps.get_model("auth", "Group") in admin.site._registry


# --- disputable changes are attributable ---------------------------------------------------------------------


@pytest.mark.django_db
def test_redemption_and_reward_stock_are_audited(grid: Grid, personas: dict) -> None:
    clerk = personas["community_secretary"]
    points_credit_once(actor=None, household=grid.h1, amount=50, key="gift", reason="test")
    bag = Reward.objects.create(subdistrict=grid.sd, name="环保袋", cost=15, stock=2)
    redemption = points_redeem(actor=clerk, household=grid.h1, reward=bag, request_key="k1")
    created = AuditEntry.objects.get(model="points.Redemption", object_id=str(redemption.pk))
    assert created.actor == clerk and created.action == "create"
    stock = AuditEntry.objects.filter(model="points.Reward", object_id=str(bag.pk), action="update").latest(
        "id"
    )
    assert stock.changes["stock"] == [2, 1] and stock.actor == clerk
    points_void(actor=clerk, entry=redemption.entry, reason="退回")
    back = AuditEntry.objects.filter(model="points.Reward", object_id=str(bag.pk)).latest("id")
    assert back.changes["stock"] == [1, 2] and Reward.objects.get(pk=bag.pk).stock == 2
    assert Redemption.objects.count() == 1  # a void reverses, it does not delete


@pytest.mark.django_db
def test_observation_batches_are_attributed_to_account_and_device(
    grid: Grid, point: Any, personas: dict
) -> None:
    volunteer = personas["volunteer"]
    token = token_create(user=volunteer, name="phone")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    batch = [record(point, grid.h1.code, NOW - datetime.timedelta(minutes=m)) for m in (5, 6, 7)]
    from django.test import Client

    assert post(Client(), batch, **bearer).json()["created"] == 3
    entry = AuditEntry.objects.get(model="supervision.Observation")
    assert entry.actor == volunteer and entry.subdistrict_id == grid.sd.pk
    assert entry.changes["device"] == f"token {token[:8]}" and entry.changes["created"] == 3
    assert sorted(entry.changes["client_ids"]) == sorted(r["client_id"] for r in batch)
    post(Client(), batch, **bearer)  # a retry adds nothing, so it writes no entry
    assert AuditEntry.objects.filter(model="supervision.Observation").count() == 1


@pytest.mark.django_db
def test_import_audits_each_row_against_its_reserved_id(grid: Grid) -> None:
    data = "楼栋编码,室号\n" + "".join(f"{grid.b1.code},{900 + i}\n" for i in range(3))
    assert grid_import(kind="households", filename="h.csv", data=data.encode(), actor=None, root=grid.c1) == 3
    imported = Household.objects.filter(room__in=["900", "901", "902"])
    entries = AuditEntry.objects.filter(model="grid.Household", action="create", reason="import")
    assert sorted(e.object_id for e in entries) == sorted(str(h.pk) for h in imported)
    # Ids were set aside, not guessed: the next ordinary insert gets a fresh one.
    later = Household.objects.create(
        subdistrict=grid.sd, community=grid.c1, building=grid.b1, room="999", code=f"{grid.b1.code}-999"
    )
    assert later.pk > max(h.pk for h in imported)


# --- retries probed (issue 13 follow-up): another point, another sub-district, concurrent, half valid ----------


def _exact(grid: Grid) -> None:
    """Nothing stored twice and the rollups equal the records (a reconcile finds nothing to mend)."""
    from supervision.ingest import rollups_reconcile

    assert Observation.objects.count() == ObservationKey.objects.count()
    assert (
        Observation.objects.values("subdistrict_id", "client_id").distinct().count()
        == Observation.objects.count()
    )
    today = local_day(NOW)
    mended = rollups_reconcile(subdistrict=grid.sd, start=today - datetime.timedelta(days=400), end=today)
    assert mended.total == 0, mended


@pytest.mark.django_db(transaction=True)
def test_retry_at_another_point_or_day_of_the_subdistrict_is_a_duplicate(
    grid: Grid, point: Any, personas: dict
) -> None:
    other = point_create(actor=None, community=grid.c2, name="乙1号箱房")
    admin_client = client_for(personas["subdistrict_admin"])
    cid = str(uuid.uuid4())
    first = post(admin_client, [record(point, grid.h1.code, NOW - datetime.timedelta(hours=2), cid)]).json()
    assert (first["created"], first["duplicate"], first["rejected"]) == (1, 0, 0)
    for retry in (
        record(other, None, NOW - datetime.timedelta(hours=2), cid),  # another point, another community
        record(other, grid.h_other.code, NOW - datetime.timedelta(days=3), cid),  # and another day
        record(point, None, NOW - datetime.timedelta(days=200), cid),  # another month
    ):
        again = post(admin_client, [retry]).json()
        assert (again["created"], again["duplicate"], again["rejected"]) == (0, 1, 0), again
    stored = Observation.objects.get(client_id=cid)
    assert (stored.point_id, stored.household_id) == (point.pk, grid.h1.pk)  # the first version stays
    _exact(grid)


@pytest.mark.django_db(transaction=True)
def test_another_subdistricts_device_cannot_touch_or_duplicate_a_record(grid: Grid, point: Any) -> None:
    """The key is the client id within the sub-district: a device of another sub-district can neither reach
    the first one's point nor make its record count twice; in its own sub-district the id is its own."""
    from grid.services.records import node_create

    sd2 = node_create(actor=None, level="subdistrict", name="第二街道", code="TSD2")
    area2 = node_create(actor=None, level="area", name="第二片区", parent=sd2)
    c21 = node_create(actor=None, level="community", name="丙居民区", parent=area2)
    point2 = point_create(actor=None, community=c21, name="丙1号箱房")
    from django.test import Client

    from tests.conftest import make_user

    phone1 = {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(user=make_user('v1', 'volunteer', grid.c1), name='a')}"
    }
    phone2 = {
        "HTTP_AUTHORIZATION": f"Bearer {token_create(user=make_user('v2', 'volunteer', c21), name='b')}"
    }
    cid = str(uuid.uuid4())
    assert post(Client(), [record(point, grid.h1.code, NOW, cid)], **phone1).json()["created"] == 1
    refused = post(Client(), [record(point, None, NOW, cid)], **phone2).json()
    assert (refused["created"], refused["duplicate"], refused["rejected"]) == (0, 0, 1)
    assert refused["errors"][0]["code"] == "point" and refused["errors"][0]["client_id"] == cid
    for _ in range(2):  # its own point: stored once in its own sub-district, then a duplicate
        post(Client(), [record(point2, None, NOW - datetime.timedelta(days=1), cid)], **phone2)
    assert sorted(
        Observation.objects.filter(client_id=cid).values_list("subdistrict_id", flat=True)
    ) == sorted([grid.sd.pk, sd2.pk])
    assert Observation.objects.get(client_id=cid, subdistrict_id=grid.sd.pk).point_id == point.pk
    _exact(grid)


def _ingest_in_threads(batches: list[list[dict]], user: Any) -> list[Any]:
    """Each batch posted at the same moment from its own thread and database connection."""
    from supervision.ingest import observations_ingest

    def send(batch: list[dict]) -> Callable[[], dict]:
        return lambda: observations_ingest(user=user, records=batch, device="thread").as_dict()

    return at_once([send(batch) for batch in batches])


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_and_overlapping_batches_store_each_record_once(
    grid: Grid, point: Any, personas: dict
) -> None:
    user = personas["volunteer"]
    batch = [
        record(point, grid.h1.code if i % 2 else None, NOW - datetime.timedelta(minutes=i, days=i % 3))
        for i in range(60)
    ]
    overlapping = batch[30:] + [record(point, None, NOW - datetime.timedelta(minutes=7)) for _ in range(10)]
    results = _ingest_in_threads([batch, batch, list(reversed(batch)), overlapping], user)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["created"] for r in results) == 70
    assert [r["created"] + r["duplicate"] for r in results] == [60, 60, 60, 40]
    assert Observation.objects.count() == 70
    assert sum(PointDay.objects.values_list("total", flat=True)) == 70
    _exact(grid)


@pytest.mark.django_db(transaction=True)
def test_half_valid_batch_then_its_retry(grid: Grid, point: Any, personas: dict) -> None:
    client = client_for(personas["volunteer"])
    good = [record(point, grid.h1.code, NOW - datetime.timedelta(hours=h)) for h in (1, 30, 80)]
    bad = [
        {**record(point, None, NOW), "observed_at": "2026-02-30T10:00:00+08:00"},
        {**record(point, None, NOW), "household": grid.h_other.code},  # another community's household
        {**record(point, None, NOW), "outcome": "maybe"},
        {**good[0], "outcome": "refused"},  # the same client id twice in one batch
    ]
    batch = [good[0], bad[0], good[1], bad[1], bad[2], good[2], bad[3]]
    first = post(client, batch).json()
    assert (first["created"], first["duplicate"], first["rejected"]) == (3, 0, 4)
    assert [e["index"] for e in first["errors"]] == [1, 3, 4, 6]
    assert all(e["message"]["zh"] and e["message"]["en"] for e in first["errors"])
    again = post(client, batch).json()  # the phone did not get the answer and sends it all again
    assert (again["created"], again["duplicate"], again["rejected"]) == (0, 3, 4)
    assert Observation.objects.get(client_id=good[0]["client_id"]).outcome == "correct"
    assert Observation.objects.count() == 3
    _exact(grid)


# --- the API documents its 503 (issue 13 follow-up) ----------------------------------------------------------


@pytest.mark.django_db
def test_every_operation_that_meets_a_locked_database_answers_its_documented_503(
    grid: Grid, personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each operation of the document, sent while every statement meets "database is locked": the answer is
    a 503 its document lists, with the Retry-After header the document describes."""
    import re

    from django.db.backends import utils

    from wastegrid.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1/")
    client = client_for(personas["subdistrict_admin"])
    client.raise_request_exception = False

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    checked = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            url = path.replace("{code}", grid.c1.code)
            with monkeypatch.context() as m:
                m.setattr(utils.CursorWrapper, "execute", locked)
                m.setattr(utils.CursorWrapper, "executemany", locked)
                if method == "get":
                    answer = client.get(url, {"q": "x"})
                else:
                    answer = client.generic(method.upper(), url, "[]", content_type="application/json")
            busy = operation["responses"].get(503) or operation["responses"].get("503")
            assert answer.status_code == 503 and busy is not None, (method, path, answer.status_code)
            header = busy["headers"]["Retry-After"]
            assert header["required"] and re.fullmatch(header["schema"]["pattern"], answer["Retry-After"])
            assert answer.json()["code"] == "db_busy"
            checked.append(method)
    assert checked.count("post") == 4 and len(checked) >= 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["point_closed", "household_moved", "year_passed"])
def test_retry_of_a_stored_record_that_would_now_be_refused_is_a_duplicate(
    grid: Grid, point: Any, personas: dict, change: str
) -> None:
    """The answer to the first post was lost; by the retry the record would be refused (its point closed, its
    household moved to another residential area, more than a year gone by). It is stored: the retry says
    "duplicate", not "rejected", so the phone does not show a stored drop-off as refused."""
    client = client_for(personas["subdistrict_admin"])
    sent = record(point, grid.h1.code, NOW - datetime.timedelta(hours=1))
    assert post(client, [sent]).json()["created"] == 1
    if change == "point_closed":
        point.active = False
        point.save()
    elif change == "household_moved":
        sent = {**sent, "household": grid.h_other.code}
    else:
        sent = {**sent, "observed_at": (NOW - datetime.timedelta(days=400)).isoformat()}
    fresh_bad = {**sent, "client_id": str(uuid.uuid4())}  # the same fault on a record never stored
    retry = post(client, [sent, fresh_bad]).json()
    assert (retry["created"], retry["duplicate"], retry["rejected"]) == (0, 1, 1), retry
    assert [e["index"] for e in retry["errors"]] == [1]
    assert Observation.objects.count() == 1
    _exact(grid)
