"""Bin-side records: idempotent ingest, per-record rejection, scope, tokens, rollups equal to raw records."""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client
from django.utils import timezone

from lib.clock import local_day
from supervision.ingest import rollups_reconcile
from supervision.models import HouseholdDay, Observation, PointDay
from supervision.services import point_create
from tests.conftest import Grid, client_for
from wastegrid.tokens import token_create


@pytest.fixture
def points(grid: Grid) -> dict[str, Any]:
    p1 = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    p2 = point_create(actor=None, community=grid.c2, name="乙1号箱房")
    grid.h1.drop_off_point = p1
    grid.h1.save()
    return {"p1": p1, "p2": p2}


def record(point: str, household: str | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "point": point,
        "household": household,
        "observed_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "category": "wet",
        "outcome": "correct",
        "mixed_with": [],
    }
    data.update(extra)
    return data


def post(client: Client, records: Any, **headers: Any) -> Any:
    return client.post(
        "/api/v1/supervision/observations", json.dumps(records), content_type="application/json", **headers
    )


@pytest.mark.django_db
def test_retries_never_duplicate(grid: Grid, points: dict, personas: dict) -> None:
    client = client_for(personas["volunteer"])
    batch = [
        record(points["p1"].code, grid.h1.code),
        record(points["p1"].code, outcome="mixed", mixed_with=["dry"]),
    ]
    first = post(client, batch).json()
    assert (first["created"], first["duplicate"], first["rejected"]) == (2, 0, 0)
    again = post(client, batch).json()
    assert (again["created"], again["duplicate"], again["rejected"]) == (0, 2, 0)
    assert Observation.objects.count() == 2
    assert PointDay.objects.get().total == 2  # the retry did not count twice


@pytest.mark.django_db
def test_a_bad_record_rejects_only_itself(grid: Grid, points: dict, personas: dict) -> None:
    good = record(points["p1"].code, grid.h1.code)
    batch = [
        good,
        "not an object",
        record(points["p1"].code, client_id="not-a-uuid"),
        record(points["p1"].code, observed_at="2026-01-01T08:00:00"),  # no offset
        record(points["p1"].code, observed_at=(timezone.now() + datetime.timedelta(days=400)).isoformat()),
        record(points["p1"].code, category="plutonium"),
        record(points["p1"].code, outcome="exploded"),
        record(points["p1"].code, mixed_with="dry"),
        record(points["p1"].code, household="NOPE-1"),
        record(points["p1"].code, grid.h_other.code),  # household of another residential area
        record("NO-SUCH-POINT"),
        {**record(points["p1"].code), "colour": "red"},
        {**good},  # same client_id twice in one batch
    ]
    body = post(client_for(personas["volunteer"]), batch).json()
    assert (body["created"], body["duplicate"], body["rejected"]) == (1, 0, 12)
    codes = [e["code"] for e in body["errors"]]
    assert codes == [
        "not_object",
        "client_id",
        "observed_at",
        "future",
        "category",
        "outcome",
        "mixed_with",
        "household",
        "household",
        "point",
        "unknown_field",
        "duplicate_in_batch",
    ]
    assert all(e["message"]["zh"] and e["message"]["en"] for e in body["errors"])


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["", "{", '{"client_id": 1}', "null", "42", '"x"'])
def test_malformed_bodies_answer_400(grid: Grid, points: dict, personas: dict, body: str) -> None:
    response = client_for(personas["volunteer"]).post(
        "/api/v1/supervision/observations", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"]["en"]


@pytest.mark.django_db
def test_scope_a_volunteer_cannot_post_to_another_areas_point(
    grid: Grid, points: dict, personas: dict
) -> None:
    body = post(client_for(personas["volunteer"]), [record(points["p2"].code)]).json()
    assert body["rejected"] == 1 and body["errors"][0]["code"] == "point"
    assert post(client_for(personas["resident"]), [record(points["p1"].code)]).json()["rejected"] == 1
    listing = client_for(personas["volunteer"]).get("/api/v1/supervision/points").json()
    assert [p["code"] for p in listing] == [points["p1"].code]
    assert listing[0]["households"] == [grid.h1.code]
    worker = client_for(personas["grid_worker"]).get("/api/v1/supervision/points").json()
    assert [p["code"] for p in worker] == [
        points["p1"].code
    ]  # a micro-grid's worker records at its area's points


@pytest.mark.django_db
def test_device_token_auth(grid: Grid, points: dict, personas: dict) -> None:
    key = token_create(user=personas["volunteer"])
    client = Client()
    ok = post(client, [record(points["p1"].code)], HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200 and ok.json()["created"] == 1
    assert Observation.objects.get().recorded_by == personas["volunteer"]
    bad = post(client, [record(points["p1"].code)], HTTP_AUTHORIZATION="Bearer wg_wrong")
    assert bad.status_code == 401


@pytest.mark.django_db
def test_rollups_equal_the_raw_records(grid: Grid, points: dict, personas: dict) -> None:
    client = client_for(personas["community_secretary"])
    outcomes = ["correct", "mixed", "bag_not_broken", "corrected", "refused"]
    batch = []
    for i in range(60):
        batch.append(
            record(
                points["p1"].code,
                grid.h1.code if i % 3 else None,
                outcome=outcomes[i % 5],
                category=["wet", "dry", "recyclable"][i % 3],
                observed_at=(timezone.now() - datetime.timedelta(hours=i * 7)).isoformat(),
            )
        )
    for start in range(0, 60, 17):
        post(client, batch[start : start + 17])
    post(client, batch[:30])  # retries in the middle of it
    incremental = sorted(
        PointDay.objects.values_list(
            "point_id",
            "day",
            "category",
            "total",
            "correct",
            "mixed",
            "bag_not_broken",
            "corrected",
            "refused",
            "anonymous",
        )
    )
    households = sorted(
        HouseholdDay.objects.values_list("household_id", "day", "total", "correct", "mistakes", "refused")
    )
    assert sum(r[3] for r in incremental) == Observation.objects.count() == 60
    days = Observation.objects.values_list("day", flat=True)
    # Rollups kept up incrementally already equal a count from the raw records: the check writes nothing.
    assert rollups_reconcile(subdistrict=grid.sd, start=min(days), end=max(days)).total == 0
    # Damage them three ways; the check finds and repairs exactly that.
    first = PointDay.objects.order_by("day", "point_id", "category").first()
    assert first is not None
    PointDay.objects.filter(pk=first.pk).update(total=first.total + 5)
    gone = HouseholdDay.objects.order_by("day").first()
    assert gone is not None
    gone.delete()
    HouseholdDay.objects.create(
        subdistrict_id=grid.sd.pk,
        household=grid.h_other,
        day=max(days),
        total=9,
        correct=0,
        mistakes=9,
        refused=0,
    )
    repaired = rollups_reconcile(subdistrict=grid.sd, start=min(days), end=max(days))
    assert (repaired.added, repaired.changed, repaired.removed) == (1, 1, 1)
    assert (
        sorted(
            PointDay.objects.values_list(
                "point_id",
                "day",
                "category",
                "total",
                "correct",
                "mixed",
                "bag_not_broken",
                "corrected",
                "refused",
                "anonymous",
            )
        )
        == incremental
    )
    assert (
        sorted(
            HouseholdDay.objects.values_list("household_id", "day", "total", "correct", "mistakes", "refused")
        )
        == households
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_once(grid: Grid, points: dict, personas: dict) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises writers)")
    batch = [record(points["p1"].code, grid.h1.code) for _ in range(50)]
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        client = client_for(personas["volunteer"])
        barrier.wait()
        results.append(post(client, batch).json())
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["created"] for r in results) == 50
    assert sum(r["duplicate"] for r in results) == 150
    assert Observation.objects.count() == 50
    assert PointDay.objects.get().total == 50


def bulk_rows(
    grid: Grid, points: dict, n: int, *, minutes: int, outcomes: list[str], anonymous_every: int
) -> list[Any]:
    """n records for the bulk path at the first point, one every `minutes` back from now, outcomes in turn;
    every `anonymous_every`-th record anonymous, the rest from household h1."""
    from supervision.ingest import Row

    now = timezone.now()
    out = []
    for i in range(n):
        at = now - datetime.timedelta(minutes=minutes * i)
        out.append(
            Row(
                uuid.uuid4(),
                grid.sd.pk,
                grid.c1.pk,
                points["p1"].pk,
                grid.h1.pk if i % anonymous_every else None,
                at,
                local_day(at),
                ["wet", "dry"][i % 2],
                outcomes[i % len(outcomes)],
                "",
            )
        )
    return out


@pytest.mark.django_db
def test_bulk_path_dedupes_and_keeps_rollups_exact(grid: Grid, points: dict) -> None:
    from supervision.ingest import bulk_write

    rows = bulk_rows(grid, points, 300, minutes=60, outcomes=["correct", "refused"], anonymous_every=2)
    assert bulk_write(rows + rows[:30]) == 300  # duplicates inside the batch
    assert bulk_write(rows[100:150]) == 0  # and against the table
    assert Observation.objects.count() == 300
    incremental = sorted(PointDay.objects.values_list("day", "total", "correct", "refused", "anonymous"))
    days = [r.day for r in rows]
    rollups_reconcile(subdistrict=grid.sd, start=min(days), end=max(days))
    assert (
        sorted(PointDay.objects.values_list("day", "total", "correct", "refused", "anonymous")) == incremental
    )
    assert HouseholdDay.objects.aggregate(n=models.Sum("refused"))["n"] == 150


@pytest.mark.django_db(transaction=True)
def test_parallel_bulk_load_counts_each_record_once(grid: Grid, points: dict) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite writes one batch after another)")
    from supervision.ingest import bulk_load

    # One household in every batch: the batches share its rollup rows.
    rows = bulk_rows(
        grid, points, 4000, minutes=7, outcomes=["correct", "mixed", "refused"], anonymous_every=3
    )
    # Eight batches, the last three repeating earlier records (a retried upload) while others are written.
    batches = [rows[j : j + 800] for j in range(0, 4000, 800)] + [rows[100:900], rows[2500:2600], rows[:50]]
    seen: list[int] = []
    assert bulk_load(batches, workers=2, done=seen.append) == 4000
    # Every batch reported; which of two overlapping batches wrote a shared record depends on timing.
    assert len(seen) == 8 and sum(seen) == 4000
    assert Observation.objects.count() == 4000
    assert PointDay.objects.aggregate(n=models.Sum("total"))["n"] == 4000
    days = [r.day for r in rows]
    assert rollups_reconcile(subdistrict=grid.sd, start=min(days), end=max(days)).total == 0


@pytest.mark.django_db
def test_photo_is_downscaled_and_stripped_of_exif(
    grid: Grid, points: dict, personas: dict, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    client = client_for(personas["volunteer"])
    rec = record(points["p1"].code, grid.h1.code)
    post(client, [rec])
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "brown").save(buffer, "JPEG", exif=exif)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "bin.jpg"
    day = local_day(datetime.datetime.fromisoformat(rec["observed_at"])).isoformat()
    body = client.post(
        "/api/v1/supervision/photos", {"client_id": rec["client_id"], "day": day, "image": upload}
    ).json()
    assert body["created"] is True and max(body["width"], body["height"]) == 1600
    from supervision.models import ObservationPhoto

    stored = ObservationPhoto.objects.get()
    with Image.open(stored.image.path) as img:
        assert not img.getexif() and img.size == (1600, 1200)
    upload.seek(0)
    again = client.post(
        "/api/v1/supervision/photos", {"client_id": rec["client_id"], "day": day, "image": upload}
    ).json()
    assert again["created"] is False and ObservationPhoto.objects.count() == 1
    junk = io.BytesIO(b"not an image")
    junk.name = "x.jpg"
    other = record(points["p1"].code)
    post(client, [other])
    bad = client.post(
        "/api/v1/supervision/photos", {"client_id": other["client_id"], "day": day, "image": junk}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_photo"


@pytest.mark.django_db
def test_records_table_is_partitioned_by_month_on_postgresql(
    grid: Grid, points: dict, personas: dict
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("partitions are a PostgreSQL feature")
    from supervision.partitions import partitions_ensure

    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'supervision_observation'")
        assert cursor.fetchone()[0] == "p"
    far = datetime.date(2031, 3, 5)
    assert partitions_ensure(connection, start=far, end=far) == ["supervision_observation_2031_03"]
    assert partitions_ensure(connection, start=far, end=far) == []
    sent = record(points["p1"].code, grid.h1.code)
    post(client_for(personas["volunteer"]), [sent])
    # The month of the record's own local day (an hour ago: last month's partition just after midnight on the 1st).
    month = local_day(datetime.datetime.fromisoformat(sent["observed_at"])).strftime("%Y_%m")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM supervision_observation_{month}")
        assert cursor.fetchone()[0] == 1  # the record landed in its month's partition
