"""The roster page (issue 18): those who arrange people (READ_PERSONAL_DATA, their own part of the grid) see
the phones of the signed-up and of the candidates in full, to call them (a tap-to-call link); the area lead reads them masked."""

from __future__ import annotations

import datetime

import pytest

from grid.services.records import person_create
from lib.clock import local_today
from supervision.models import Shift
from supervision.services import point_create, shift_signup, shifts_generate
from tests.conftest import EVENING, MORNING, Grid, client_for


@pytest.mark.django_db
def test_the_secretary_sees_phones_to_call_the_area_lead_reads_them_masked(
    grid: Grid, personas: dict
) -> None:
    point = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号箱房",
        windows=[(d, *MORNING) for d in range(7)] + [(d, *EVENING) for d in range(7)],
    )
    tomorrow = local_today() + datetime.timedelta(days=1)
    shifts_generate(points=[point], start=tomorrow, days=1)
    shift = Shift.objects.filter(point=point).order_by("start").first()
    assert shift is not None
    signed = person_create(actor=None, node=grid.c1, name="值守甲", phone="17912345770")
    shift_signup(actor=None, shift=shift, person=signed)
    candidate = person_create(actor=None, node=grid.c1, name="候选乙", phone="13811112222")
    url = f"/supervision/shifts/{shift.code}/roster/"
    mine = client_for(personas["community_secretary"]).get(url, {"q": "候选"}).content.decode()
    assert 'href="tel:17912345770"' in mine and 'href="tel:13811112222"' in mine and candidate.name in mine
    lead = client_for(personas["area_lead"]).get(url).content.decode()
    # A masked number dials nothing: no link.
    assert "17912345770" not in lead and "179****5770" in lead and "tel:" not in lead
