"""The guide's page, API, CLI, review queue, scheme switching, category pages and QR sheets."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from audit.models import AuditEntry
from guide import counting, search
from guide.models import Alias, Item, LookupQuery, QueryStatus
from tests.conftest import Grid, client_for

pytestmark = pytest.mark.usefixtures("kb")


def test_api_answers_with_category_method_and_confidence() -> None:
    body = Client().get("/api/v1/guide/lookup", {"q": "xiangjiaopi"}).json()
    assert body["query"] == "xiangjiaopi"
    assert (body["category"], body["matched"], body["method"]) == ("wet", "香蕉皮", "pinyin")
    assert body["category_name"] == "湿垃圾" and body["colour"] == "#7b4b2a" and body["confidence"] > 0.9


@pytest.mark.parametrize(
    ("q", "code"),
    [
        ("", "empty_query"),
        ("   ", "empty_query"),
        ("垃" * 10_000, "query_too_long"),
        ("a\x00b", "control_chars"),  # refused at the edge for every query string (lib.middleware)
        ("\x01\x02\x03", "control_chars"),
        ("'; DROP TABLE guide_item; --", "bad_characters"),
        ("<script>alert(1)</script>", "bad_characters"),
        ("1=1", "bad_characters"),
    ],
)
def test_api_rejects_bad_queries_with_a_clear_400(q: str, code: str) -> None:
    response = Client().get("/api/v1/guide/lookup", {"q": q})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and body["message"]["zh"] and body["message"]["en"]
    assert Item.objects.filter(name="香蕉皮").exists()


def test_api_rejects_invalid_utf8_and_over_long_raw_query() -> None:
    assert Client().get("/api/v1/guide/lookup?q=%ff%fe%00").status_code == 400
    assert Client().get("/api/v1/guide/lookup?q=" + "a" * 20_000).status_code == 400


def test_queries_are_counted_and_predictions_open_a_review_entry() -> None:
    client = Client()
    for _ in range(3):
        client.get("/api/v1/guide/lookup", {"q": "氪金键帽"})
    client.get("/api/v1/guide/lookup", {"q": "香蕉皮"})
    counting.flush()
    asked = LookupQuery.objects.get(text="氪金键帽")
    assert asked.count == 3
    known = LookupQuery.objects.get(text="香蕉皮")
    assert known.count == 1 and known.status == ""
    if asked.method == "predicted":
        assert asked.status == QueryStatus.OPEN


def test_review_queue_confirm_and_correct(grid: Grid, personas: dict) -> None:
    LookupQuery.objects.create(
        text="氪金键帽", count=7, method="predicted", category="dry", confidence=0.5, status="open"
    )
    LookupQuery.objects.create(
        text="萌宠尿垫", count=2, method="predicted", category="wet", confidence=0.4, status="open"
    )
    secretary = client_for(personas["community_secretary"])
    page = secretary.get("/guide/review/").content.decode()
    assert page.index("氪金键帽") < page.index("萌宠尿垫")  # most asked first
    q1 = LookupQuery.objects.get(text="氪金键帽")
    secretary.post(
        f"/guide/review/{q1.pk}/", {"action": "resolve", "category": "recyclable", "reason": "塑料键帽"}
    )
    q1.refresh_from_db()
    assert q1.resolved_item is not None
    assert q1.status == QueryStatus.CORRECTED and q1.resolved_item.category == "recyclable"
    assert AuditEntry.objects.filter(
        model="guide.Item", object_id=str(q1.resolved_item.pk), reason="塑料键帽"
    ).exists()
    # The learning loop: the next resident gets the staff's answer.
    search.reset_index()
    body = Client().get("/api/v1/guide/lookup", {"q": "氪金键帽"}).json()
    assert (body["category"], body["method"]) == ("recyclable", "exact")

    q2 = LookupQuery.objects.get(text="萌宠尿垫")
    secretary.post(f"/guide/review/{q2.pk}/", {"action": "resolve", "category": "dry", "item_name": "尿不湿"})
    assert Alias.objects.filter(text="萌宠尿垫", item__name="尿不湿").exists()
    assert client_for(personas["volunteer"]).get("/guide/review/").status_code == 403


def test_scheme_switch_renames_categories(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WASTEGRID_GUIDE_SCHEME = "gb19095"
    body = Client().get("/api/v1/guide/lookup", {"q": "香蕉皮"}).json()
    assert (body["category"], body["category_name"], body["colour"], body["scheme"]) == (
        "wet",
        "厨余垃圾",
        "#00a04a",
        "gb19095",
    )
    dry = Client().get("/api/v1/guide/lookup", {"q": "纸巾"}).json()
    assert dry["category_name"] == "其他垃圾"


def test_public_page_shows_colour_and_name_without_login() -> None:
    html = Client().get("/guide/", {"q": "香蕉皮"}).content.decode()
    assert 'data-category="wet"' in html and "#7b4b2a" in html and "湿垃圾" in html
    fragment = Client().get("/guide/", {"q": "ylg"}, HTTP_HX_REQUEST="true").content.decode()
    assert "可回收物" in fragment and "<html" not in fragment
    error = Client().get("/guide/", {"q": "<b>"}).content.decode()
    assert "物品名称中不应含有" in error


def test_category_page_lists_examples_and_common_mistakes() -> None:
    html = Client().get("/guide/c/dry/").content.decode()
    assert "干垃圾" in html and ("大骨头" in html or "纸巾" in html)
    assert "Common mistakes" in html or "常见错误" in html
    assert Client().get("/guide/c/plutonium/").status_code == 404


def test_cli_reads_stdin_and_prints_json_lines_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("ylg\nused battery\n\n"))
    out = io.StringIO()
    call_command("lookup", "香蕉皮", "-", "xiangjiaopi", json=True, stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["query"] for r in rows] == ["香蕉皮", "ylg", "used battery", "", "xiangjiaopi"]
    assert [r.get("category") for r in rows] == ["wet", "recyclable", "hazardous", None, "wet"]
    assert rows[3]["error"] == "empty_query"


def test_qr_sheet_is_a_real_pdf_with_chinese_names(grid: Grid, personas: dict) -> None:
    response = client_for(personas["community_secretary"]).get(f"/guide/qr/{grid.c1.code}/households.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2  # 36 households, 20 a page
    text = reader.pages[0].extract_text()
    assert "1号楼 101" in text and grid.h1.code in text and "甲居民区" in text
    assert (
        client_for(personas["community_secretary"])
        .get(f"/guide/qr/{grid.c2.code}/households.pdf")
        .status_code
        == 404
    )
