"""Implausible records (issue 17): records outside opening hours or too many a day for one household are kept,
flagged, and held out of case evidence until a secretary of that residential area has looked."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEntry
from lib.clock import SHANGHAI, local_today
from supervision.models import FlagKind, FlagVerdict, Observation, ObservationFlag
from supervision.plausibility import RATE_MAX_PER_DAY, flags_recheck, flags_review, unflagged_evidence
from supervision.services import point_create
from tests.conftest import Grid, client_for
from tests.supervision.test_ingest import post, record

# The windows of 洪南山宅居民区, 芷江西路街道 (domain-shanghai.md §1.7): 07:00–09:00 and 18:30–20:30 daily.
WINDOWS = [
    (d, datetime.time(h1, m1), datetime.time(h2, m2))
    for d in range(7)
    for h1, m1, h2, m2 in ((7, 0, 9, 0), (18, 30, 20, 30))
]


@pytest.fixture
def point(grid: Grid) -> Any:
    return point_create(actor=None, community=grid.c1, name="甲1号箱房", windows=WINDOWS)


def _at(day: datetime.date, hour: int, minute: int) -> str:
    return datetime.datetime.combine(day, datetime.time(hour, minute), SHANGHAI).isoformat()


@pytest.mark.django_db
def test_905_night_records_in_30_days_are_flagged_and_not_evidence(
    grid: Grid, point: Any, personas: dict
) -> None:
    """The probe's case: one household, a record every 7 minutes through the night, posted through the API."""
    today = local_today()
    batch = []
    for n in range(905):
        moment = datetime.datetime.combine(
            today - datetime.timedelta(days=30), datetime.time(22, 0), SHANGHAI
        )
        moment += datetime.timedelta(minutes=7 * n)
        if moment >= timezone.now():
            break
        batch.append(
            record(
                point.code, grid.h1.code, observed_at=moment.isoformat(), outcome="mixed", mixed_with=["dry"]
            )
        )
    body = post(client_for(personas["volunteer"]), batch).json()
    assert body["created"] == len(batch) > 800
    records = Observation.objects.filter(household=grid.h1)
    flagged = set(ObservationFlag.objects.values_list("client_id", flat=True))
    assert flagged == set(records.values_list("client_id", flat=True))  # every one is implausible
    assert ObservationFlag.objects.filter(kind=FlagKind.RATE).count() == len(batch)  # 205 a day > 8
    assert unflagged_evidence(records).count() == 0


@pytest.mark.django_db
def test_an_honest_day_is_not_flagged_and_an_odd_one_is(grid: Grid, point: Any, personas: dict) -> None:
    day = local_today() - datetime.timedelta(days=1)
    honest = [
        record(point.code, grid.h1.code, observed_at=_at(day, 7, 30), category=c) for c in ("wet", "dry")
    ]
    honest += [record(point.code, grid.h1.code, observed_at=_at(day, 20, 50))]  # within the grace after 20:30
    late = record(
        point.code, observed_at=_at(day, 23, 40), outcome="mixed"
    )  # no household: judged by time only
    post(client_for(personas["volunteer"]), [*honest, late])
    assert list(ObservationFlag.objects.values_list("client_id", "kind", "detail")) == [
        (uuid.UUID(late["client_id"]), FlagKind.OUTSIDE_WINDOW, {"time": "23:40"})
    ]
    # The rate rule: the ninth record of one household in a day flags all nine.
    more = [
        record(point.code, grid.h1.code, observed_at=_at(day, 8, i)) for i in range(RATE_MAX_PER_DAY - 3 + 1)
    ]
    post(client_for(personas["volunteer"]), more)
    rate = ObservationFlag.objects.filter(kind=FlagKind.RATE)
    assert rate.count() == RATE_MAX_PER_DAY + 1
    assert {f.detail["records_that_day"] for f in rate} == {RATE_MAX_PER_DAY + 1}


@pytest.mark.django_db
def test_review_accepts_into_evidence_within_scope_only_and_is_audited(
    grid: Grid, point: Any, personas: dict
) -> None:
    day = local_today() - datetime.timedelta(days=2)
    late = [record(point.code, grid.h1.code, observed_at=_at(day, 3, m), outcome="mixed") for m in (1, 2)]
    post(client_for(personas["volunteer"]), late)
    ids = [uuid.UUID(r["client_id"]) for r in late]
    qs = Observation.objects.filter(household=grid.h1)
    assert unflagged_evidence(qs).count() == 0
    with pytest.raises(PermissionDenied):
        flags_review(actor=personas["outsider"], client_ids=ids, verdict=FlagVerdict.ACCEPTED)
    assert not ObservationFlag.objects.exclude(verdict=FlagVerdict.PENDING).exists()
    # The secretary finds them from the home page, and reviews them there: accept one, reject the other.
    page = client_for(personas["community_secretary"])
    home = page.get("/").content.decode()
    assert 'href="/supervision/flagged/"' in home and "2 条存疑记录待核查" in home
    listed = page.get("/supervision/flagged/")
    assert listed.status_code == 200 and str(ids[0]) in listed.content.decode()
    # What the reviewer reads: the point, the household's building and room, why in words.
    body = listed.content.decode()
    assert point.name in body and grid.h1.building.name in body and "不在投放点开放时段内" in body
    assert f"{grid.h1.code}</td>" not in body  # no bare code in place of the household
    assert str(ids[0]) not in client_for(personas["outsider"]).get("/supervision/flagged/").content.decode()
    # A verdict needs a reason (issue 17): without one, 400 with the message, nothing changes.
    refused = page.post("/supervision/flagged/", {"record": [str(ids[0])], "verdict": "accepted"})
    assert refused.status_code == 400 and "请说明采纳或不采纳这些记录的理由" in refused.content.decode()
    assert not ObservationFlag.objects.exclude(verdict=FlagVerdict.PENDING).exists()
    page.post(
        "/supervision/flagged/", {"record": [str(ids[0])], "verdict": "accepted", "reason": "志愿者核实"}
    )
    page.post(
        "/supervision/flagged/", {"record": [str(ids[1])], "verdict": "rejected", "reason": "夜间无人值守"}
    )
    assert list(unflagged_evidence(qs).values_list("client_id", flat=True)) == [ids[0]]
    entries = AuditEntry.objects.filter(model="supervision.ObservationFlag")
    assert {(tuple(e.changes["verdict"]), e.reason) for e in entries} == {
        (("pending", "accepted"), "志愿者核实"),
        (("pending", "rejected"), "夜间无人值守"),
    }
    assert (
        page.post("/supervision/flagged/", {"record": ["not-a-uuid"], "verdict": "accepted"}).status_code
        == 400
    )
    assert client_for(personas["volunteer"]).get("/supervision/flagged/").status_code == 403


@pytest.mark.django_db
def test_recheck_flags_past_days_once_and_keeps_verdicts(grid: Grid, point: Any) -> None:
    from supervision.ingest import Row, write_rows

    day = local_today() - datetime.timedelta(days=3)
    moment = datetime.datetime.combine(day, datetime.time(2, 0), SHANGHAI)
    row = Row(uuid.uuid4(), grid.sd.pk, grid.c1.pk, point.pk, grid.h1.pk, moment, day, "wet", "mixed", "")
    write_rows([row], recorded_by=None)  # the bulk path (city generator, imports) flags nothing itself
    assert not ObservationFlag.objects.exists()
    assert flags_recheck(subdistrict_id=grid.sd.pk, day=day) == 1
    ObservationFlag.objects.update(verdict=FlagVerdict.ACCEPTED)
    assert flags_recheck(subdistrict_id=grid.sd.pk, day=day) == 0
    assert ObservationFlag.objects.get().verdict == FlagVerdict.ACCEPTED


@pytest.mark.django_db
def test_rate_flags_cost_the_same_queries_for_one_household_over_or_many(
    grid: Grid, point: Any, personas: dict
) -> None:
    """The ingest hot path: one query finds the records of every household-day over the limit, not one each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    codes = list(grid.c1.households.order_by("code").values_list("code", flat=True)[:4])
    client = client_for(personas["volunteer"])

    def batch(day: datetime.date, per_household: list[int]) -> list[dict[str, Any]]:
        return [
            record(point.code, code, observed_at=_at(day, 7, 10 + i))
            for code, n in zip(codes, per_household, strict=False)
            for i in range(n)
        ]

    today = local_today()
    with CaptureQueriesContext(connection) as one:  # 27 records, one household over
        assert post(client, batch(today - datetime.timedelta(days=1), [9, 6, 6, 6])).json()["created"] == 27
    with CaptureQueriesContext(connection) as three:  # 27 records, three households over
        assert post(client, batch(today - datetime.timedelta(days=2), [9, 9, 9])).json()["created"] == 27
    assert ObservationFlag.objects.filter(kind=FlagKind.RATE).count() == 9 + 27
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]
