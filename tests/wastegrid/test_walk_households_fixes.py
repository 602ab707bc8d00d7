"""A fresh user's walk of the office pages: names people know instead of codes, the dashboard's grade tile
and ranking table say what they show, the home page's week counts cases as their own steps say."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Role, User
from enforcement.models import CaseStatus, CaseStep
from enforcement.selectors import case_counts
from enforcement.services import case_open
from lib.clock import SHANGHAI, local_today
from supervision.services import point_create
from tests.conftest import Grid, client_for, drop_offs


@pytest.mark.django_db
def test_my_households_names_the_worker_and_the_dashboard_names_households(
    grid: Grid, personas: dict[str, User]
) -> None:
    page = client_for(personas[Role.GRID_WORKER]).get("/grid/my/").content.decode()
    header = re.search(r'<p class="muted" id="my-worker">(.*?)</p>', page, re.S).group(1)  # type: ignore[union-attr]
    visible = re.sub(r'title="[^"]*"', "", header)
    assert grid.w1.person.name in visible and grid.m1.name in visible and grid.w1.code not in visible

    today = local_today()
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    for d in (1, 2, 3):
        drop_offs(point, grid.h1, today - datetime.timedelta(days=d), ["mixed", "refused"])
    page = (
        client_for(personas[Role.COMMUNITY_SECRETARY])
        .get(f"/reports/dashboard/{grid.c1.code}/")
        .content.decode()
    )
    table = page[page.index('id="visits"') :]
    table = table[: table.index("</table>")]
    text = re.sub(r"<[^>]+>", " ", table)  # what the reader sees: no code beside the address
    assert f"{grid.h1.building.name} {grid.h1.room}" in text and grid.h1.code not in text


@pytest.mark.django_db
def test_the_grade_tile_names_its_month_and_every_ranking_column_has_a_header(
    grid: Grid, personas: dict[str, User]
) -> None:
    from assessment.scoring import assess
    from lib.periods import Period

    today = local_today()
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    drop_offs(point, grid.h1, today - datetime.timedelta(days=1), ["correct"] * 3)
    page = (
        client_for(personas[Role.SUBDISTRICT_ADMIN])
        .get(f"/reports/dashboard/{grid.area.code}/")
        .content.decode()
    )
    period = Period.containing("month", today - datetime.timedelta(days=1))
    assert assess(grid.area, period, today=today) is not None
    label = f"{period.start.year}年{period.start.month}月"
    assert f"{label}等级" in page and "本月等级" not in page
    assert f"{label}排名" in page
    head = re.search(r'id="ranking"><thead>(.*?)</thead>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "<th></th>" not in head and head.count("<th>") == 4


@pytest.mark.django_db
def test_the_weeks_cases_opened_and_closed_follow_the_case_steps(
    grid: Grid, personas: dict[str, User]
) -> None:
    """A case whose steps carry their real times (the demo's, a backlog typed in later) was opened when its
    "proposed" step says, not when its row was written; a voided closing is no closing."""
    today = local_today()
    case = case_open(
        actor=None,
        community=grid.c1,
        subject="individual",
        source="bin_record",
        violation_day=today - datetime.timedelta(days=10),
        article_code="57(2)",
        household=grid.h1,
    )
    ten_days_ago = datetime.datetime.combine(
        today - datetime.timedelta(days=10), datetime.time(9), tzinfo=SHANGHAI
    )
    three_days_ago = datetime.datetime.combine(
        today - datetime.timedelta(days=3), datetime.time(9), tzinfo=SHANGHAI
    )
    CaseStep.objects.filter(case=case, status=CaseStatus.PROPOSED).update(at=three_days_ago)
    admin = personas[Role.SUBDISTRICT_ADMIN]
    week = (today - datetime.timedelta(days=7), today)

    def moment(d: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(d, datetime.time.min, tzinfo=timezone.get_current_timezone())

    assert case_counts(admin, moment(week[0]), moment(week[1])) == (1, 0)
    home = client_for(admin).get("/").content.decode()
    assert "<b>1 / 0</b><span>新立 / 结案" in home  # the week card (accounts/partials/week.html)
    CaseStep.objects.filter(case=case, status=CaseStatus.PROPOSED).update(at=ten_days_ago)
    assert case_counts(admin, moment(week[0]), moment(week[1])) == (0, 0)
    # A "closed" step counts; voided, it does not.
    closing = CaseStep.objects.create(case=case, status=CaseStatus.CLOSED)
    CaseStep.objects.filter(pk=closing.pk).update(at=three_days_ago)
    assert case_counts(admin, moment(week[0]), moment(week[1])) == (0, 1)
    void = CaseStep.objects.create(case=case, status=CaseStatus.PROPOSED, data={"voids": closing.pk})
    CaseStep.objects.filter(pk=closing.pk).update(voided_by=void)
    CaseStep.objects.filter(pk=void.pk).update(at=ten_days_ago)
    assert case_counts(admin, moment(week[0]), moment(week[1])) == (0, 0)


def test_one_format_for_shares_and_hours() -> None:
    """lib.numbers: every share with one decimal (the grid's coverage, a micro-grid's visit coverage, a party
    member's correct rate alike), hours whole without decimals, others to one decimal."""
    from grid.selectors import NodeStats
    from lib.numbers import hours
    from party.selectors import Coverage

    assert str(Coverage(None, 10, 1, None).pct) == "10.0%"  # type: ignore[arg-type]
    stats = NodeStats(None, households=10, assigned=10)  # type: ignore[arg-type]
    assert str(stats.coverage_pct) == "100.0%"
    assert [str(hours(m)) for m in (0, 60, 90, 125)] == ["0", "1", "1.5", "2.1"]
