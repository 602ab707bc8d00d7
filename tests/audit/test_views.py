"""The audit log page: filters by person, kind of record, dates and record, kept in the address and paged."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditEntry
from tests.conftest import Grid, client_for


def _entry(
    grid: Grid, *, by: User | None, model: str, repr_: str, days_ago: int = 0, sd: int | None = 0
) -> None:
    e = AuditEntry.objects.create(
        actor=by,
        actor_name=by.username if by else "system",
        action="update",
        model=model,
        object_id="1",
        object_repr=repr_,
        subdistrict_id=grid.sd.pk if sd == 0 else sd,
    )
    AuditEntry.objects.filter(pk=e.pk).update(at=timezone.now() - datetime.timedelta(days=days_ago))


@pytest.fixture
def log(grid: Grid, personas: dict[str, User]) -> None:
    AuditEntry.objects.all().delete()  # the test grid's own creation, pages of it
    _entry(grid, by=personas[Role.GRID_WORKER], model="party.Visit", repr_="甲一走访", days_ago=1)
    _entry(grid, by=None, model="enforcement.Case", repr_="TSD-01-C001", days_ago=10)
    _entry(grid, by=personas[Role.SUBDISTRICT_ADMIN], model="points.Reward", repr_="环保袋", days_ago=3)
    _entry(grid, by=None, model="points.Reward", repr_="别的街道的奖品", sd=grid.sd.pk + 999)


def _get(user: User, query: str = "") -> tuple[int, str]:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(f"/audit/{query}")
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_it_filters_by_person_kind_dates_and_record(log: None, personas: dict[str, User]) -> None:
    admin = personas[Role.SUBDISTRICT_ADMIN]
    status, html = _get(admin)
    assert status == 200 and 'id="audit-filters"' in html
    assert "甲一走访" in html and "环保袋" in html and "别的街道的奖品" not in html  # scoped as before
    _, html = _get(admin, f"?actor={personas[Role.GRID_WORKER].username}")
    assert "甲一走访" in html and "环保袋" not in html
    _, html = _get(admin, "?actor=system")
    assert "TSD-01-C001" in html and "甲一走访" not in html and "系统" in html
    _, html = _get(admin, "?kind=points.Reward")
    assert "环保袋" in html and "甲一走访" not in html and "别的街道的奖品" not in html
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=5)).isoformat()
    end = (today - datetime.timedelta(days=2)).isoformat()
    _, html = _get(admin, f"?start={start}&end={end}")
    assert "环保袋" in html and "甲一走访" not in html and "TSD-01-C001" not in html
    _, html = _get(admin, "?q=tsd-01-c001")
    assert "TSD-01-C001" in html and "环保袋" not in html
    # The filters stay in the export's and the pager's addresses.
    assert "?q=tsd-01-c001&export=xlsx" in html
    # The older address still works.
    _, html = _get(admin, "?model=party.Visit")
    assert "甲一走访" in html and "环保袋" not in html


@pytest.mark.django_db
def test_malformed_filters_answer_400_with_a_message(log: None, personas: dict[str, User]) -> None:
    admin = personas[Role.SUBDISTRICT_ADMIN]
    status, html = _get(admin, "?start=2026-13-45")
    assert status == 400 and "有效的日期" in html
    status, html = _get(admin, "?start=2026-12-05&end=2026-12-01")
    assert status == 400 and "起始日期晚于截止日期" in html
    status, _html = _get(admin, "?kind=nope.Nothing")
    assert status == 400


@pytest.mark.django_db
def test_it_stays_closed_to_other_roles(log: None, personas: dict[str, User]) -> None:
    assert _get(personas[Role.GRID_WORKER])[0] == 403
