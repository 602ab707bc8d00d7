"""The phone's clock (issue 18, item 11): a phone that runs fast or slow sends its own time with the batch
(`X-Client-Time`) and the server moves the records by the difference; a record still in the future is kept
and flagged, not refused; only a time more than a year off is refused (supervision.plausibility)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from supervision.models import FlagKind, Observation, ObservationFlag
from supervision.services import point_create
from tests.conftest import Grid, client_for
from tests.supervision.test_ingest import post, record


@pytest.fixture
def point(grid: Grid) -> Any:
    return point_create(actor=None, community=grid.c1, name="甲1号箱房")  # no windows: not judged by time


def _stored(client_id: str) -> Observation:
    return Observation.objects.get(client_id=uuid.UUID(client_id))


@pytest.mark.django_db
def test_a_phone_15_minutes_fast_is_corrected_not_refused(grid: Grid, point: Any, personas: dict) -> None:
    now = timezone.now()
    fast = datetime.timedelta(minutes=15)
    tapped = now - datetime.timedelta(minutes=2)  # really tapped two minutes ago…
    rec = record(point.code, grid.h1.code, observed_at=(tapped + fast).isoformat())  # …by the phone's clock
    body = post(client_for(personas["volunteer"]), [rec], HTTP_X_CLIENT_TIME=(now + fast).isoformat()).json()
    assert (body["created"], body["rejected"]) == (1, 0)
    stored = _stored(rec["client_id"]).observed_at
    assert abs(stored - tapped) < datetime.timedelta(seconds=5)  # moved back by the phone's 15 minutes
    assert not ObservationFlag.objects.exists()
    entry = AuditEntry.objects.get(reason="ingest")
    assert abs(entry.changes["clock_offset_s"] + 900) <= 5  # the phone's own times can be read back


@pytest.mark.django_db
def test_a_slow_phone_is_moved_forward_and_a_small_drift_is_left_alone(
    grid: Grid, point: Any, personas: dict
) -> None:
    now = timezone.now()
    slow = record(point.code, observed_at=(now - datetime.timedelta(hours=3, minutes=1)).isoformat())
    post(
        client_for(personas["volunteer"]),
        [slow],
        HTTP_X_CLIENT_TIME=(now - datetime.timedelta(hours=3)).isoformat(),
    )
    assert abs(
        _stored(slow["client_id"]).observed_at - (now - datetime.timedelta(minutes=1))
    ) < datetime.timedelta(seconds=5)
    drift = record(point.code, observed_at=(now - datetime.timedelta(minutes=30)).isoformat())
    post(
        client_for(personas["volunteer"]),
        [drift],
        HTTP_X_CLIENT_TIME=(now - datetime.timedelta(seconds=20)).isoformat(),
    )
    assert _stored(drift["client_id"]).observed_at == datetime.datetime.fromisoformat(drift["observed_at"])


@pytest.mark.django_db
def test_a_phone_days_off_is_kept_and_flagged_and_a_year_off_is_refused(
    grid: Grid, point: Any, personas: dict
) -> None:
    now = timezone.now()
    days_off = record(point.code, grid.h1.code, observed_at=(now + datetime.timedelta(days=3)).isoformat())
    no_header = record(point.code, observed_at=(now + datetime.timedelta(minutes=40)).isoformat())
    year_off = record(point.code, observed_at=(now + datetime.timedelta(days=400)).isoformat())
    body = post(
        client_for(personas["volunteer"]),
        [days_off, year_off],
        HTTP_X_CLIENT_TIME=(now + datetime.timedelta(days=3)).isoformat(),  # beyond 24 h: not corrected
    ).json()
    assert (body["created"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["code"] == "future" and body["errors"][0]["client_id"] == year_off["client_id"]
    assert post(client_for(personas["volunteer"]), [no_header]).json()["created"] == 1
    for rec in (days_off, no_header):
        stored = _stored(rec["client_id"])
        assert stored.observed_at <= timezone.now()  # kept at the time it was received
        flag = ObservationFlag.objects.get(client_id=stored.client_id)
        assert flag.kind == FlagKind.CLOCK
        assert flag.detail["phone_time"][:16] == rec["observed_at"][:16]


@pytest.mark.django_db
def test_a_resend_is_a_duplicate_whatever_the_clock_says(grid: Grid, point: Any, personas: dict) -> None:
    now = timezone.now()
    rec = record(point.code, observed_at=(now + datetime.timedelta(hours=2)).isoformat())
    client = client_for(personas["volunteer"])
    first = post(client, [rec]).json()  # no header: kept and flagged
    again = post(client, [rec], HTTP_X_CLIENT_TIME=(now + datetime.timedelta(hours=2)).isoformat()).json()
    assert (first["created"], again["created"], again["duplicate"]) == (1, 0, 1)
    assert Observation.objects.count() == 1 and ObservationFlag.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["yesterday", "2026-13-01T08:00:00+08:00", "2026-11-30T08:00:00", "x" * 60]
)
def test_a_malformed_client_time_is_a_400_and_nothing_is_written(
    grid: Grid, point: Any, personas: dict, header: str
) -> None:
    response = post(client_for(personas["volunteer"]), [record(point.code)], HTTP_X_CLIENT_TIME=header)
    assert response.status_code == 400
    assert response.json()["message"]["zh"] and response.json()["message"]["en"]
    assert not Observation.objects.exists()
