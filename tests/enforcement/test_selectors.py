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


@pytest.mark.django_db
def test_the_officer_sees_room_and_name_only_on_cases_they_act_on(grid: Grid, personas: dict) -> None:
    """The party of a referred or decided case in full for the officer (to find and serve them); once closed,
    the name alone; other roles without personal data keep the masked room."""
    from enforcement.models import Case, CaseStatus
    from enforcement.selectors import case_party, party_view

    _open(grid, 1)
    case = Case.objects.get()
    h = case.household
    assert h is not None
    officer, lead = personas["enforcement_officer"], personas["area_lead"]
    served = {
        status: case_party(Case(household=h, status=status, community=grid.c1), officer)
        for status in (CaseStatus.REFERRED, CaseStatus.DECIDED, CaseStatus.CLOSED)
    }
    assert served[CaseStatus.REFERRED] == f"{h.building.name} {h.room} {h.contact_name}"
    assert served[CaseStatus.DECIDED] == served[CaseStatus.REFERRED]
    assert served[CaseStatus.CLOSED] == f"{h.building.name} *** {h.contact_name}"
    referred = Case(household=h, status=CaseStatus.REFERRED, community=grid.c1)
    view = party_view(referred, officer)
    assert (
        view is not None and view.address == h.building.address and h.contact_phone not in view.contact_phone
    )
    assert case_party(referred, lead) == f"{h.building.name} ***"  # the area lead: as before


@pytest.mark.django_db
def test_the_case_list_names_the_article_not_only_its_number(grid: Grid, personas: dict) -> None:
    _open(grid, 1)
    client = client_for(personas["community_secretary"])
    zh = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode().split("<main>", 1)[1]
    assert '<td data-label="条款">第57(2)条 · ' in zh and "57(2)</td>" not in zh
