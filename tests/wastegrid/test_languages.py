"""Switch the UI to English and back: the main pages of the reports part show no text of the other language.

zh: no run of two or more English words outside a small allow-list; en: no Han character outside user data
(names of places, people, points, categories, which stay as entered). Data values are removed before the
check, as are <script>/<style> and tag attributes (only what a person reads counts)."""

from __future__ import annotations

import datetime
import html
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from assessment.models import Indicator
from audit.services import audit_created
from enforcement.models import CaseSource, Subject
from enforcement.services import case_open
from grid.models import Building, GridNode, Household, Person
from grid.presenters import household_view
from guide.models import Category, Item, LookupQuery
from guide.services import consistency_flag, item_create
from lib.masking import mask_name
from supervision.models import DropOffPoint, HouseholdDay
from supervision.services import point_create
from tests.conftest import Grid, client_for, purity_check

# Words English may keep on a Chinese page: file formats, units, brand and standard names, codes.
ALLOWED_EN = {"pdf", "xlsx", "csv", "kg", "api", "qr", "english", "g", "d", "id"}
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ \t]+[A-Za-z][A-Za-z'’-]+)+")
# The language switch names the other language in its own script, on purpose.
SWITCH = ("English", "中文")
HAN = re.compile(r"[\u4e00-\u9fff]+")


def _visible(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"<[^>]+>", " ", page)  # tags and their attributes
    return html.unescape(page)


def _data_values() -> list[str]:
    """Text stored by people (shown as entered in either language), longest first."""
    values: list[str] = []
    values += GridNode.objects.values_list("name", flat=True)
    values += Person.objects.values_list("name", flat=True)
    values += DropOffPoint.objects.values_list("name", flat=True)
    values += Building.objects.values_list("name", flat=True)
    values += Building.objects.values_list("address", flat=True)  # the officer's case page shows it
    values += Household.objects.values_list("stairwell", flat=True)
    contacts = list(Household.objects.values_list("contact_name", flat=True))
    values += contacts + [mask_name(c) for c in contacts]
    values += Category.objects.values_list("name", flat=True)
    values += Category.objects.values_list("colour_name", flat=True)
    values += LookupQuery.objects.values_list("text", flat=True)
    values += Item.objects.values_list("name", flat=True)
    values += Indicator.objects.values_list("name", flat=True)
    values += User.objects.values_list("username", flat=True)
    values += SWITCH
    return sorted({v for v in values if v}, key=len, reverse=True)


def _english_runs(text: str) -> list[str]:
    return [m for m in WORDS.findall(text) if not set(w.lower() for w in m.split()) <= ALLOWED_EN]


def _pages(grid: Grid) -> dict[str, list[str]]:
    period = f"{datetime.date.today():%Y-%m}"
    return {
        "subdistrict_admin": [
            f"/reports/dashboard/{grid.sd.code}/",
            f"/reports/n/{grid.sd.code}/",
            f"/assessment/n/{grid.sd.code}/?period={period}",
            "/audit/",
            "/guide/review/",
            "/guide/c/recyclable/",
        ],
        "area_lead": [f"/reports/dashboard/{grid.area.code}/", f"/assessment/n/{grid.area.code}/"],
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("kb")
def test_main_pages_speak_one_language(grid: Grid, personas: dict) -> None:
    LookupQuery.objects.create(
        text="奇怪的东西", count=2, category="dry", method="fuzzy", confidence=0.4, status="open"
    )
    audit_created(actor=None, obj=grid.c1)
    problems: list[str] = []
    for role, urls in _pages(grid).items():
        client: Client = client_for(personas[role])
        for lang in ("en", "zh-hans", "en"):  # to English and back
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                text = _visible(response.content.decode())
                for value in _data_values():
                    text = text.replace(value, " ")
                if lang == "en":
                    problems += [f"{role} en {url}: {h}" for h in HAN.findall(text)]
                else:
                    problems += [f"{role} zh {url}: {r}" for r in _english_runs(text)]
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.django_db
@pytest.mark.usefixtures("kb")
def test_the_three_reported_strings_are_gone(grid: Grid, personas: dict) -> None:
    """'Recyclable · 蓝' on the category page, 'enforcement.Case' (any app.Model) in the audit log,
    'fuzzy' in the review queue: single English words the run check above lets through."""
    LookupQuery.objects.create(
        text="奇怪的东西", count=2, category="dry", method="fuzzy", confidence=0.4, status="open"
    )
    audit_created(actor=None, obj=grid.c1)
    admin = client_for(personas["subdistrict_admin"])
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "Recyclable" not in _visible(admin.get("/guide/c/recyclable/").content.decode())
    audit = _visible(admin.get("/audit/").content.decode())
    assert "grid.GridNode" not in audit and "网格节点" in audit
    review = _visible(admin.get("/guide/review/").content.decode())
    assert "fuzzy" not in review and "请核对" in review and "把握 40%" in review and "0.40" not in review
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Recyclable" in _visible(admin.get("/guide/c/recyclable/").content.decode())


def _walk_data(grid: Grid) -> Any:
    """What a newcomer's walk met: a knowledge-base item the consistency check flags (a near-synonym in
    another bin), purity checks, a household with mistakes on three days, a case under Art. 57(2)."""
    today = datetime.date.today()
    item_create(actor=None, name="可降解测试袋", category="dry", reason="test")
    item_create(actor=None, name="玉米测试袋", category="wet", reason="test")
    consistency_flag(actor=None)
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    for category, level in (("dry", "slight"), ("hazardous", "clean")):
        # Yesterday: "the last N days" are whole days up to yesterday (supervision.selectors.last_days).
        purity_check(point, today - datetime.timedelta(days=1), level, category)
    for back in (1, 2, 3):
        HouseholdDay.objects.create(
            subdistrict_id=grid.h1.subdistrict_id,
            household=grid.h1,
            day=today - datetime.timedelta(days=back),
            total=2,
            correct=0,
            mistakes=2,
        )
    return case_open(
        actor=None,
        community=grid.c1,
        subject=Subject.INDIVIDUAL,
        source=CaseSource.MANUAL,
        violation_day=today,
        article_code="57(2)",
        household=grid.h1,
    )


def _read(client: Client, url: str, lang: str) -> tuple[str, str]:
    """(the page's HTML, what a person reads of it, data values taken out)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = response.content.decode()
    text = _visible(page)
    for value in _data_values():
        text = text.replace(value, " ")
    return page, text


@pytest.mark.django_db
@pytest.mark.usefixtures("kb")
def test_the_walk_findings_speak_the_page_language(grid: Grid, personas: dict) -> None:
    """Review-queue reasons and score, the numbers page's purity, trend headers and households, the
    dashboard's weakest points and chart legend, the case's article: each in the page's language."""
    case = _walk_data(grid)
    queued = LookupQuery.objects.get(text="可降解测试袋")
    assert queued.method == "flagged" and queued.count == 0
    assert json.loads(queued.note)[0] == {
        "kind": "synonym",
        "category": "dry",
        "sources": "staff",
        "other": "玉米测试袋",
        "other_category": "wet",
        "other_sources": "staff",
    }
    admin = client_for(personas["subdistrict_admin"])
    secretary = client_for(personas["community_secretary"])
    numbers = f"/supervision/numbers/{grid.c1.code}/"
    pages = [
        (admin, "/guide/review/"),
        (secretary, numbers),
        (admin, f"/reports/dashboard/{grid.sd.code}/"),
        (secretary, f"/cases/c/{case.code}/"),
    ]
    problems: list[str] = []
    for client, url in pages:
        _, en = _read(client, url, "en")
        problems += [f"en {url}: {h}" for h in HAN.findall(en)]
        _, zh = _read(client, url, "zh-hans")
        problems += [f"zh {url}: {r}" for r in _english_runs(zh)]
    assert not problems, "\n".join(sorted(set(problems)))

    page, zh = _read(admin, "/guide/review/", "zh-hans")
    assert "近义词“玉米测试袋”列为湿垃圾" in _visible(page) and "尚无居民查询" in zh
    assert "consistency check" not in zh and "0.00" not in zh
    page, en = _read(admin, "/guide/review/", "en")
    assert "but the near-synonym “玉米测试袋” is listed as Wet (food) waste (staff)" in _visible(page)

    page, zh = _read(secretary, numbers, "zh-hans")
    purity = _visible(page)
    assert "干垃圾（其他）: 轻微混杂 1" in purity and "有害垃圾: 纯净 1" in purity and ">周</th>" in page
    assert "slight" not in zh and "clean" not in zh
    view = household_view(Household.objects.get(pk=grid.h1.pk), personas["community_secretary"])
    assert (
        f'<span class="household" title="{view.code}"><a href="{view.url}">{view.building} {view.room}</a></span>'
        in page
    )
    page, en = _read(secretary, numbers, "en")
    assert "Dry (residual) waste: slight mixing 1" in en and ">Week</th>" in page

    page, _ = _read(admin, f"/reports/dashboard/{grid.sd.code}/", "zh-hans")
    weakest = page.split('id="weakest"')[1].split("</table>")[0]
    assert "<th>投放点</th><th>正确率</th>" in weakest.replace(" ", "")
    assert 'data-rate-label="正确率"' in page and 'data-count-label="投放记录数"' in page
    page, _ = _read(admin, f"/reports/dashboard/{grid.sd.code}/", "en")
    assert 'data-rate-label="Correct rate"' in page

    _, zh = _read(secretary, f"/cases/c/{case.code}/", "zh-hans")
    assert "第57(2)条 · 个人混合投放" in zh
    _, en = _read(secretary, f"/cases/c/{case.code}/", "en")
    assert "Art. 57(2) · Individual mixes waste categories" in en and "第57(2)条" not in en
