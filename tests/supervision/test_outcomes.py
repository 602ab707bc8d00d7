"""The sorting vocabulary and the city's clock, named once (issue 15): the groups cover the outcomes, the
rollups' counters are their columns, the record's schema is what the API document describes, and the clock
follows a frozen `timezone.now`."""

from __future__ import annotations

import datetime

import pytest

from lib.clock import SHANGHAI, local_day, local_now, local_today
from lib.periods import last_days, last_whole_day
from supervision.ingest.validation import FIELDS, ObservationIn, record_summary
from supervision.models import HouseholdDay, Observation, PointDay
from supervision.outcomes import (
    HOUSEHOLD_COUNTER_SQL,
    HOUSEHOLD_COUNTERS,
    MISTAKES,
    NOT_MISTAKES,
    OUTCOMES,
    POINT_COUNTER_SQL,
    POINT_COUNTERS,
    Outcome,
    household_counts,
)


def test_mistakes_and_the_rest_split_the_outcomes() -> None:
    assert set(MISTAKES) | set(NOT_MISTAKES) == set(OUTCOMES) == set(Outcome.values)
    assert not set(MISTAKES) & set(NOT_MISTAKES)
    assert Outcome.CORRECTED in NOT_MISTAKES  # corrected on the spot is not a mistake, anywhere


def test_counters_are_the_rollups_columns() -> None:
    assert {f.name for f in PointDay._meta.fields} >= set(POINT_COUNTERS)
    assert {f.name for f in HouseholdDay._meta.fields} >= set(HOUSEHOLD_COUNTERS)
    assert set(POINT_COUNTER_SQL) == set(POINT_COUNTERS) - {"total"}
    assert set(HOUSEHOLD_COUNTER_SQL) == set(HOUSEHOLD_COUNTERS) - {"total"}
    assert HOUSEHOLD_COUNTER_SQL["mistakes"] == "outcome IN ('mixed', 'bag_not_broken', 'refused')"
    assert [household_counts(o)[1] for o in OUTCOMES] == [o in MISTAKES for o in OUTCOMES]


def test_the_household_mistakes_index_has_the_shape_of_a_mistake() -> None:
    from supervision.outcomes import MISTAKE_Q

    (index,) = [i for i in Observation._meta.indexes if i.name == "obs_household_mistakes_idx"]
    assert index.condition == MISTAKE_Q


def test_the_api_document_describes_the_schema_that_checks_records() -> None:
    from supervision.api import RECORD

    assert set(ObservationIn.model_json_schema()["properties"]) == FIELDS
    assert RECORD["description"].startswith(f"A record: {record_summary()}. ")


def test_the_clock_follows_a_frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    at = datetime.datetime(2026, 3, 31, 17, 30, tzinfo=datetime.UTC)  # 01:30 on 1 April in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: at)
    assert local_today() == datetime.date(2026, 4, 1) == local_day(at) == timezone.localdate()
    assert local_now() == at and local_now().tzinfo == SHANGHAI
    assert last_whole_day() == datetime.date(2026, 3, 31)
    assert last_days(7, local_today()) == (datetime.date(2026, 3, 25), datetime.date(2026, 3, 31))
