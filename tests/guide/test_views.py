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
        f"/guide/review/{q1.code}/", {"action": "resolve", "category": "recyclable", "reason": "塑料键帽"}
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
    secretary.post(
        f"/guide/review/{q2.code}/", {"action": "resolve", "category": "dry", "item_name": "尿不湿"}
    )
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


# Issue 14: the answer names the item in simplified characters and says how it was found in the page's words.
SIMPLIFIED_CASES = [
    # (query, simplified item, zh method words, en method words)
    ("電池", "电池", "按名称直接找到", "Found by its name"),  # the list holds both 電池 and 电池
    ("廢紙", "废纸", "按名称直接找到", "Found by its name"),
    ("鋁箔", "铝箔", "按名称直接找到", "Found by its name"),  # another twin in both scripts
    ("煎鍋", "煎锅", "按名称直接找到", "Found by its name"),  # published in traditional only
    ("香焦皮", "香蕉皮", "按同音字猜测", "Guessed from a word that sounds the same"),
    ("易拉灌", "易拉罐", "按同音字猜测", "Guessed from a word that sounds the same"),
]


@pytest.mark.parametrize(("q", "name", "zh", "en"), SIMPLIFIED_CASES)
def test_page_shows_simplified_name_and_method_in_words(q: str, name: str, zh: str, en: str) -> None:
    for lang, words, absent in (("zh-hans", zh, en), ("en", en, zh)):
        html = Client().get("/guide/", {"q": q}, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        how = html.split('<p class="how">', 1)[1].split("</p>", 1)[0]
        assert name in how and words in how and absent not in how, (lang, how)
        assert q not in how or q == name  # the traditional spelling is not what the answer names


def test_api_and_cli_keep_the_method_code_and_add_words() -> None:
    body = Client().get("/api/v1/guide/lookup", {"q": "電池"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["matched"], body["method"], body["method_text"]) == ("电池", "exact", "Found by its name")
    body = Client().get("/api/v1/guide/lookup", {"q": "香焦皮"}).json()
    assert (body["matched"], body["method"], body["method_text"]) == ("香蕉皮", "homophone", "按同音字猜测")
    out = io.StringIO()
    call_command("lookup", "廢紙", "dianchi", json=True, stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["matched"], r["method"], r["method_text"]) for r in rows] == [
        ("废纸", "exact", "按名称直接找到"),
        ("电池", "pinyin", "按拼音找到"),
    ]


def test_every_method_code_has_words_in_both_languages() -> None:
    from django.utils import translation

    from guide.engine import CONFIDENCE
    from guide.presenters import method_text

    for code in [*CONFIDENCE, "predicted"]:
        with translation.override("en"):
            en = method_text(code)
        with translation.override("zh-hans"):
            zh = method_text(code)
        assert en and zh and en != zh, code


def test_index_answers_the_simplified_twin_whatever_the_order() -> None:
    from guide.engine import Entry, Index

    twins = [Entry(1, "電池", "hazardous"), Entry(2, "电池", "hazardous")]
    for entries in (twins, twins[::-1]):
        index = Index(entries)
        assert index.lookup("電池").matched == "电池" and index.lookup("电池").matched == "电池"


@pytest.mark.django_db
def test_review_queue_names_the_public_lists_not_their_ids(grid: Grid, personas: dict) -> None:
    """A flagged item's note said "(official-lookup-crawl-2019;miniprogram-list-2019b)" (issue 17)."""
    from django.conf import settings
    from django.utils import translation

    from guide.consistency import Conflict, encode_note

    note = encode_note(
        [
            Conflict(
                "干电池",
                "rule",
                {
                    "category": "hazardous",
                    "sources": "official-lookup-crawl-2019;miniprogram-list-2019b",
                    "ruled": "dry",
                },
            )
        ]
    )
    LookupQuery.objects.create(
        text="测试用干电池", count=0, method="flagged", category="hazardous", status="open", note=note
    )
    client = client_for(personas["subdistrict_admin"])
    with translation.override(settings.LANGUAGE_CODE):
        zh = client.get("/guide/review/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        en = client.get("/guide/review/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2019年上海官方在线查询、2019年查询小程序清单乙" in zh
    assert "2019 Shanghai official online lookup, 2019 lookup mini-program list B" in en
    assert "official-lookup-crawl-2019" not in zh + en and "miniprogram-list" not in zh + en


@pytest.mark.parametrize("q", ["电池", "干电池", "普通电池", "battery", "dry cell"])
def test_page_answers_a_battery_with_the_shanghai_split_in_both_languages(q: str) -> None:
    zh = Client().get("/guide/", {"q": q}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-kind="depends"' in zh and "视种类而定" in zh
    assert "充电电池、纽扣电池、蓄电池" in zh and "普通干电池（无汞" in zh
    assert '<li data-destination="hazardous">' in zh and '<li data-destination="dry">' in zh
    assert "有争议" not in zh and "Public sources disagree" not in zh
    en = Client().get("/guide/", {"q": q}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Depends on the kind" in en and "rechargeable, button and lead-acid" in en
    assert "ordinary mercury-free dry cells" in en and "Hazardous waste (有害垃圾)" in en


@pytest.mark.parametrize(
    ("q", "certainty", "zh", "en"),
    [
        ("香蕉皮", "sure", "答案确定", "Certain"),
        ("香焦皮", "likely", "答案可能正确，请核对", "Probably right — please check"),
        ("可降解塑料袋", "disputed", "答案有争议", "Disputed"),
        (
            "氪金键帽",
            "uncertain",
            "答案不确定，仅供参考",
            "Uncertain — for reference only",
        ),  # predicted (no listed name): a guess, whatever the model's figure
        (
            "塑料小鸭子",
            "uncertain",
            "答案不确定，仅供参考",
            "Uncertain — for reference only",
        ),  # a modifier only
    ],
)
def test_page_says_how_sure_in_words_not_a_figure(q: str, certainty: str, zh: str, en: str) -> None:
    for lang, words in (("zh-hans", zh), ("en", en)):
        html = Client().get("/guide/", {"q": q}, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        answer = html.split('class="answer', 1)[1].split("</article>", 1)[0]
        assert f'data-certainty="{certainty}">{words}<' in answer, (lang, answer)
        assert "置信度" not in answer and "confidence" not in answer.lower() and "0.9" not in answer
    body = Client().get("/api/v1/guide/lookup", {"q": q}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["certainty"], body["certainty_text"]) == (certainty, en)
    assert isinstance(body["confidence"], float)  # the API keeps the figure


def test_unrecognised_text_shows_no_figure() -> None:
    html = Client().get("/guide/", {"q": "qwerty"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    answer = html.split('class="answer', 1)[1].split("</article>", 1)[0]
    assert "0.1" not in answer and "置信度" not in answer


def test_live_lookup_marks_a_stale_answer_and_keeps_only_the_newest() -> None:
    """Walk report: 1.2 s after typing 充电宝坏了 the box still showed 杯子 → 干垃圾, with no sign of loading.
    A newer query aborts the one in flight (hx-sync replace), and while a request is out the answer box is
    the indicator (dimmed under 查询中…). tests/browser/test_guide_journey.py watches it happen."""
    html = Client().get("/guide/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    form = html.split('<form method="get" action="/guide/" class="guide-search"', 1)[1].split(">", 1)[0]
    assert 'hx-sync="this:replace"' in form and 'hx-indicator="#guide-answer"' in form
    box = html.split('id="guide-answer"', 1)[1].split('id="result"', 1)[0]
    assert 'class="busy htmx-indicator" role="status">查询中…<' in box


def test_the_index_reads_stored_pinyin_so_a_cold_start_needs_no_pypinyin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Building the index from the database works out no pinyin: names and aliases carry theirs from the load
    (pypinyin's import alone took ~200 ms of a ~1.2 s cold start, bench/guide_speed.py). Only a query that
    needs pinyin (a homophone, typed pinyin) converts, then."""
    from guide import engine

    assert Alias.objects.exclude(kind="english").exists()

    def no_pinyin(text: str) -> list[str]:
        raise AssertionError(f"pinyin worked out for {text!r} while building the index")

    monkeypatch.setattr(engine, "to_pinyin", no_pinyin)
    index = search.build_index()
    assert index.lookup("香蕉皮").category == "wet" and index.by_pinyin["xiangjiaopi"]
