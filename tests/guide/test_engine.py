"""Search behaviour per query form, on the real knowledge base."""

from __future__ import annotations

import pytest

from guide.engine import Index, normalize, strip_modifiers
from guide.kb import read_english, read_items, read_synonyms, source_index_data


@pytest.fixture(scope="module")
def index() -> Index:
    entries, aliases = source_index_data(read_items(), english=read_english(), synonyms=read_synonyms())
    return Index(entries, aliases)


@pytest.mark.parametrize(
    ("query", "category", "matched", "method"),
    [
        ("香蕉皮", "wet", "香蕉皮", "exact"),
        ("易拉罐", "recyclable", "易拉罐", "exact"),
        ("马铃薯皮", "wet", "土豆皮", "alias"),  # synonym: 土豆/马铃薯
        ("喝完的矿泉水瓶", "recyclable", "矿泉水瓶", "phrase"),
        ("吃剩的鸡骨头", "wet", "鸡骨头", "phrase"),
        ("用过的纸巾怎么扔", "dry", "纸巾", "phrase"),
        ("xiangjiaopi", "wet", "香蕉皮", "pinyin"),
        ("yilaguan", "recyclable", "易拉罐", "pinyin"),
        ("Xiang Jiao Pi", "wet", "香蕉皮", "pinyin"),
        ("ylg", "recyclable", "易拉罐", "initials"),
        ("香焦皮", "wet", "香蕉皮", "homophone"),
        ("矿泉水平", "recyclable", "矿泉水瓶", "homophone"),
        ("衛生紙", "dry", "卫生纸", "exact"),  # traditional characters
        ("banana peel", "wet", "香蕉皮", "english"),
        ("used batteries", "hazardous", "电池", "english"),
        ("an empty beer bottle", "recyclable", "啤酒瓶", "english"),
    ],
)
def test_query_forms(index: Index, query: str, category: str, matched: str, method: str) -> None:
    answer = index.lookup(query)
    assert (answer.category, answer.method) == (category, method)
    assert normalize(answer.matched or "") == normalize(matched)
    assert 0.8 <= answer.confidence <= 1


def test_unlisted_items_are_predicted_with_neighbours(index: Index) -> None:
    answer = index.lookup("榴莲千层蛋糕渣")
    assert answer.category == "wet"
    unknown = index.lookup("氪金键帽")
    assert unknown.category in {"recyclable", "hazardous", "wet", "dry"}
    assert unknown.method in {"predicted", "phrase", "fuzzy", "homophone"}
    if unknown.method == "predicted":
        assert unknown.item is None and unknown.alternatives and unknown.confidence < 0.9


def test_modifiers_are_stripped_but_names_that_start_like_modifiers_are_kept() -> None:
    assert strip_modifiers("一个用过的口罩") == "口罩"
    assert strip_modifiers("喝完的矿泉水瓶") == "矿泉水瓶"
    assert strip_modifiers("干电池") == "干电池"  # 干 without 的 is part of the name


def test_empty_and_garbage_queries_do_not_crash(index: Index) -> None:
    assert index.lookup("").method == "none"
    assert index.lookup("!!!").category is None
    assert index.lookup("x" * 500).category in {None, "recyclable", "hazardous", "wet", "dry"}


def test_surprising_items_are_the_ones_whose_names_mislead(index: Index) -> None:
    dry = index.surprising("dry", limit=500)
    assert dry and all(entry.category == "dry" for entry, _ in dry)
    assert all(wrong is None or wrong != "dry" for _, wrong in dry)
    assert any(not entry.agreed for entry, wrong in dry if wrong is None)
    assert "dry" in index.__dict__["_surprising"]  # computed once per index, not per page view
