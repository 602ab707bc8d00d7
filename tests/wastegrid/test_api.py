"""The JSON API: OpenAPI document, bilingual errors, malformed input answered 400 never 500."""

from __future__ import annotations

import pytest

from tests.conftest import Grid, client_for


@pytest.mark.django_db
def test_openapi_document_lists_the_grid_endpoints(client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["version"] == "1"
    for path in [
        "/api/v1/me",
        "/api/v1/grid/households",
        "/api/v1/grid/households/{code}",
        "/api/v1/grid/nodes/{code}/coverage",
    ]:
        assert path in doc["paths"], path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=0", "page_size=100000", "unassigned=maybe", "q=" + "x" * 10_000, "node=" + "%00" * 40],
)
def test_malformed_queries_answer_400_with_both_languages(grid: Grid, personas: dict, query: str) -> None:
    response = client_for(personas["community_secretary"]).get(f"/api/v1/grid/households?{query}")
    assert response.status_code == 400
    body = response.json()
    # NUL is refused at the edge for every query string (lib.middleware), before the schema sees it.
    assert (
        body["code"] in {"invalid_input", "control_chars"} and body["message"]["zh"] and body["message"]["en"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code", ["NOPE", "'; DROP TABLE grid_household; --", "%E4%BD%A0%E5%A5%BD", "a" * 300]
)
def test_unknown_or_odd_codes_answer_404_json(grid: Grid, personas: dict, code: str) -> None:
    response = client_for(personas["community_secretary"]).get(f"/api/v1/grid/households/{code}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_household_filter_and_paging(grid: Grid, personas: dict) -> None:
    client = client_for(personas["community_secretary"])
    page = client.get(f"/api/v1/grid/households?node={grid.m1.code}&page_size=5&page=2").json()
    assert page["count"] == 18 and page["pages"] == 4 and len(page["results"]) == 5
    assert all(r["microgrid"] == grid.m1.name for r in page["results"])


@pytest.mark.django_db
def test_coverage_and_assign_via_api(grid: Grid, personas: dict) -> None:
    from grid.services.records import household_create

    household_create(actor=None, building=grid.b2, room="999")
    client = client_for(personas["community_secretary"])
    before = client.get(f"/api/v1/grid/nodes/{grid.c1.code}/coverage").json()
    assert before["unassigned"] == 1 and before["households_rule"] == [15, 20]
    result = client.post(f"/api/v1/grid/nodes/{grid.c1.code}/assign").json()
    assert result["changed"] == 1
    assert client.get(f"/api/v1/grid/nodes/{grid.c1.code}/coverage").json()["unassigned"] == 0


@pytest.mark.django_db
def test_assign_on_a_micro_grid_is_a_clear_409(grid: Grid, personas: dict) -> None:
    # A well-formed request for a node whose level does not take assignment: a conflict, not malformed input.
    response = client_for(personas["community_secretary"]).post(f"/api/v1/grid/nodes/{grid.m1.code}/assign")
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_level" and "微网格" in response.json()["message"]["zh"]
