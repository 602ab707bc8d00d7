"""The process-wide search index over the knowledge base, rebuilt when the knowledge base changes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.utils.translation import get_language

from guide.engine import Answer, Entry, Index
from guide.models import Alias, Category, Item, ItemPart
from guide.schemes import ITEM_TIPS
from lib.bilingual import Msg

# How often a process asks the database whether the knowledge base changed.
CHECK_EVERY = 5.0

_lock = threading.Lock()
_state: dict[str, Any] = {"index": None, "version": None, "checked": 0.0}


def _version() -> tuple[Any, ...]:
    items = Item.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    aliases = Alias.objects.aggregate(n=Count("id"), top=Max("id"))
    parts = ItemPart.objects.aggregate(n=Count("id"), top=Max("id"))
    return (items["n"], items["at"], aliases["n"], aliases["top"], parts["n"], parts["top"])


def build_index() -> Index:
    parts: dict[int, list[tuple[str, str, str]]] = {}
    for item_id, name, name_en, destination in ItemPart.objects.filter(item__active=True).values_list(
        "item_id", "name", "name_en", "destination"
    ):
        parts.setdefault(item_id, []).append((name, name_en, destination))
    entries = [
        Entry(
            pk,
            name,
            category,
            name_en,
            pinyin,
            initials,
            float(len(sources.split(";"))) if sources else 1.0,
            agree and not flagged,
            kind,
            tuple(parts.get(pk, ())),
        )
        for pk, name, category, name_en, pinyin, initials, sources, agree, flagged, kind in Item.objects.filter(
            active=True
        ).values_list(
            "id",
            "name",
            "category",
            "name_en",
            "pinyin",
            "initials",
            "sources",
            "sources_agree",
            "flagged",
            "kind",
        )
    ]
    aliases = list(Alias.objects.filter(item__active=True).values_list("item_id", "text", "kind", "pinyin"))
    return Index(entries, aliases)


def get_index() -> Index:
    now = time.monotonic()
    index = _state["index"]
    if index is not None and now - _state["checked"] < CHECK_EVERY:
        return index
    with _lock:
        version = _version()
        if _state["index"] is None or version != _state["version"]:
            _state["index"], _state["version"] = build_index(), version
        _state["checked"] = now
        return _state["index"]


def reset_index() -> None:
    _state.update(index=None, version=None, checked=0.0)


@dataclass
class CategoryView:
    key: str
    name: str
    name_en: str
    colour: str
    colour_name: str
    tip: str

    @property
    def label(self) -> str:
        """The category as a reader of the active language names it: "Hazardous waste (有害垃圾)" on English
        pages (the bins carry the Chinese name), the Chinese name otherwise."""
        english = (get_language() or "").startswith("en")
        return f"{self.name_en} ({self.name})" if english and self.name_en else self.name


_categories: dict[tuple[str, bool], Any] = {}


def scheme_code() -> str:
    return settings.WASTEGRID_GUIDE_SCHEME


def categories() -> dict[str, CategoryView]:
    code = scheme_code()
    english = (get_language() or "").startswith("en")
    cached = _categories.get((code, english))
    if cached is None:
        cached = {
            c.key: CategoryView(
                c.key, c.name, c.name_en, c.colour, c.colour_name, c.tip_en if english else c.tip
            )
            for c in Category.objects.filter(scheme__code=code)
        }
        if cached:
            _categories[(code, english)] = cached
    return cached


def item_tip(answer: Answer) -> str:
    """The hint for the kind of item matched (guide.schemes.ITEM_TIPS); "" when no item was matched by name (a
    prediction has no item to give a hint for)."""
    if answer.item is None or answer.category is None or answer.predicted:
        return ""
    english = (get_language() or "").startswith("en")
    for hint in ITEM_TIPS:
        if hint.fits(answer.category, answer.item.name):
            return hint.tip_en if english else hint.tip
    return ""


def lookup(query: str) -> Answer:
    return get_index().lookup(query)


MAX_LENGTH = 50
_FORBIDDEN = set("<>;'\"=\\{}$`|&")


class QueryError(ValueError):
    def __init__(self, code: str, msg: Msg):
        super().__init__(msg.en)
        self.code, self.msg = code, msg


def validate_query(raw: str | None) -> str:
    """What a lookup accepts: a short item name or phrase. Everything else is a clear 400, never a 500."""
    # Length and characters are checked on the query as sent (before trimming), as the API document states
    # them: a tab or an over-long run of spaces is refused, not silently trimmed into a valid query.
    raw = raw or ""
    q = raw.strip()
    if not q:
        raise QueryError("empty_query", Msg("请输入要查询的物品名称。", "Type the name of an item."))
    if len(raw) > MAX_LENGTH:
        raise QueryError(
            "query_too_long",
            Msg("查询太长（最多 {n} 个字符）。", "The query is too long (at most {n} characters).").format(
                n=MAX_LENGTH
            ),
        )
    if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF or c == "\ufffd" for c in raw):
        raise QueryError(
            "binary_query", Msg("查询含有无法识别的字符。", "The query contains unreadable characters.")
        )
    if any(c in _FORBIDDEN for c in q):
        raise QueryError(
            "bad_characters",
            Msg("物品名称中不应含有 < > ; = 等符号。", "Item names do not contain symbols such as < > ; =."),
        )
    return q
