"""Idempotent writes refuse an empty key instead of sharing it (lib.idempotency): a keyless request must not
answer with an earlier keyless request's result. The redemption counter's own tests are in test_points.py."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from lib.clock import local_today
from lib.idempotency import idempotency_key, idempotency_uuid
from lib.validation import InvalidInput
from supervision.ingest import observations_ingest
from supervision.models import PurityCheck
from supervision.services import point_create
from tests.conftest import Grid, at_once, client_for
from tonnage.models import TonnageRecord
from tonnage.services import tonnage_record

NIL = uuid.UUID(int=0)


@pytest.mark.parametrize("raw", ["", "   ", None, 42, "a\x00b", "k" * 65])
def test_a_key_that_is_empty_or_unusable_is_refused_in_both_languages(raw: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        idempotency_key(raw)
    assert refused.value.msg.zh and refused.value.msg.en


@pytest.mark.parametrize("raw", [NIL, str(NIL), "", "not-a-uuid", None])
def test_a_uuid_key_refuses_the_nil_uuid_and_malformed_text(raw: object) -> None:
    with pytest.raises(InvalidInput):
        idempotency_uuid(raw)


def test_good_keys_pass_unchanged_apart_from_spaces() -> None:
    key = uuid.uuid4()
    assert idempotency_key(f"  {key.hex} ") == key.hex and idempotency_uuid(str(key)) == key


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["", "  ", "T" * 61])
def test_a_weighing_without_a_usable_ticket_is_refused_not_merged(grid: Grid, ref: str) -> None:
    today = local_today()
    tonnage_record(actor=None, community=grid.c1, day=today, category="wet", kg=10, ref="T-1")
    for _ in range(2):
        with pytest.raises(InvalidInput):
            tonnage_record(actor=None, community=grid.c1, day=today, category="dry", kg=20, ref=ref)
    assert list(TonnageRecord.objects.values_list("ref", flat=True)) == ["T-1"]


@pytest.mark.django_db
def test_visits_and_inspections_refuse_the_nil_uuid(grid: Grid) -> None:
    from assessment.services import inspection_record
    from party.services import visit_record

    with pytest.raises(InvalidInput):
        visit_record(actor=None, household=grid.h1, day=local_today(), outcome="x", client_id=NIL)
    with pytest.raises(InvalidInput):
        inspection_record(
            actor=None,
            community=grid.c1,
            indicator_code="x",
            day=local_today(),
            score="90",
            inspector="x",
            client_id=NIL,
        )


@pytest.mark.django_db
def test_an_observation_with_the_nil_client_id_rejects_only_itself(grid: Grid, personas: dict) -> None:
    point = point_create(actor=None, community=grid.c1, name="一号点", bins={"wet": 1})
    record = {
        "point": point.code,
        "observed_at": timezone.now().isoformat(),
        "category": "wet",
        "outcome": "correct",
    }
    result = observations_ingest(
        user=personas["volunteer"],
        records=[{**record, "client_id": str(NIL)}, {**record, "client_id": str(uuid.uuid4())}],
    )
    assert (result.created, result.rejected) == (1, 1)
    assert result.errors[0].code == "client_id"


@pytest.mark.django_db
def test_a_purity_check_without_its_form_key_is_refused(grid: Grid, personas: dict) -> None:
    point = point_create(actor=None, community=grid.c1, name="一号点", bins={"wet": 1})
    client = client_for(personas["volunteer"])
    for _ in range(2):
        page = client.post(f"/supervision/p/{point.code}/purity/", {"level_wet": "clean"}, follow=True)
        assert "请求缺少编号" in page.content.decode()
    client.post(f"/supervision/p/{point.code}/purity/", {"level_wet": "clean", "form_id": str(NIL)})
    assert not PurityCheck.objects.exists()
    client.post(f"/supervision/p/{point.code}/purity/", {"level_wet": "clean", "form_id": str(uuid.uuid4())})
    assert PurityCheck.objects.count() == 1


@pytest.mark.django_db
def test_a_weighing_form_without_a_ticket_number_records_once_per_rendered_form(
    grid: Grid, personas: dict
) -> None:
    import re

    client = client_for(personas["subdistrict_admin"])
    url = f"/tonnage/n/{grid.c1.code}/record/"
    keys = [
        re.search(r'name="request_key" value="([^"]+)"', client.get(url).content.decode()) for _ in range(2)
    ]
    assert keys[0] and keys[1] and keys[0][1] != keys[1][1]
    form = {"community": grid.c1.code, "day": local_today().isoformat(), "category": "wet", "kg": "5"}
    assert client.post(url, form).status_code == 400  # neither a ticket number nor the form's key
    client.post(url, {**form, "request_key": keys[0][1]})
    client.post(url, {**form, "request_key": keys[0][1]})  # a double click
    client.post(url, {**form, "request_key": keys[1][1]})
    assert TonnageRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_at_the_same_moment_is_stored_once_without_an_error(grid: Grid) -> None:
    # Look for the key, else create: without the key held (lib.idempotency.hold_key) two identical
    # submissions both miss the row on PostgreSQL and the second insert fails on the unique key (a 500).
    from party.models import Visit
    from party.services import visit_record

    today = local_today()
    visit_key = uuid.uuid4()
    weighing = [
        lambda: tonnage_record(actor=None, community=grid.c1, day=today, category="wet", kg=12, ref="T-RACE")
        for _ in range(4)
    ]
    visits = [
        lambda: visit_record(actor=None, household=grid.h1, day=today, outcome="talked", client_id=visit_key)
        for _ in range(4)
    ]
    results = at_once(weighing + visits)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [created for _, created in results[:4]].count(True) == 1
    assert [created for _, created in results[4:]].count(True) == 1
    assert TonnageRecord.objects.filter(ref="T-RACE").count() == 1
    assert Visit.objects.filter(client_id=visit_key).count() == 1
