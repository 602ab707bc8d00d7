"""Case lists read whom each case concerns with the cases: a fixed number of queries, whatever the rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from enforcement.models import CaseSource, Subject
from enforcement.selectors import CaseFilters, case_page, cases_awaiting_step
from enforcement.services import case_open
from grid.models import Household
from tests.conftest import Grid, client_for

TODAY = datetime.date(2026, 11, 20)


def _open(grid: Grid, n: int, skip: int = 0) -> None:
    for h in Household.objects.filter(community=grid.c1).order_by("pk")[skip : skip + n]:
        case_open(
            actor=None,
            community=grid.c1,
            subject=Subject.INDIVIDUAL,
            source=CaseSource.REPEAT_RULE,
            violation_day=TODAY,
            article_code="57(2)",
            household=h,
        )


def _queries(user: User) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as awaiting:
        _n, rows = cases_awaiting_step(user, today=TODAY)
    with CaptureQueriesContext(connection) as listed:
        case_page(user, CaseFilters(), None, today=TODAY)
    return len(rows), len(awaiting), len(listed)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["community_secretary", "subdistrict_admin"])
def test_case_lists_do_not_query_per_row(grid: Grid, personas: dict[str, User], role: str) -> None:
    user = personas[role]
    _open(grid, 1)
    one = _queries(user)
    _open(grid, 5, skip=1)
    six = _queries(user)
    assert (one[0], six[0]) == (1, 6)
    assert six[1:] == one[1:], (one, six)  # the home page's "today" read 2 + 2 a row before
    assert six[1] == 2  # the docstring's "two queries"


@pytest.mark.django_db
def test_the_case_list_page_does_not_query_per_row(grid: Grid, personas: dict[str, User]) -> None:
    client = client_for(personas["community_secretary"])
    counts = []
    for n, skip in ((1, 0), (5, 1)):
        _open(grid, n, skip)
        with CaptureQueriesContext(connection) as q:
            page = client.get("/cases/")
        assert page.status_code == 200
        counts.append(len(q))
    assert page.content.decode().count("/cases/c/") >= 6
    assert counts[0] == counts[1], counts
