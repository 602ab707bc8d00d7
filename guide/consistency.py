"""The knowledge base checked against itself: answers a tip or a rule contradicts, near-synonyms in other bins.

`find_conflicts` is pure (names in, conflicts out); `guide.services.consistency_flag` stores the result and
puts each flagged item in the review queue with the sources of both answers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from guide import rules
from guide.engine import normalize

# Words that name the same thing in an item name (a degradable bag is a degradable bag, whatever it is
# made of; 纽扣/钮扣 are one word in two spellings). Substituting one for another gives a near-synonym.
NEAR_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("可降解", "玉米", "生物降解", "全降解", "玉米淀粉"),
    ("纽扣", "钮扣"),
    ("镍镉", "镉镍"),
    ("塑料袋", "塑胶袋"),
)
# Category names a tip may mention (both schemes), to see whether a tip sends the item elsewhere.
_TIP_CATEGORY = {name: key for name, key in rules.CATEGORY_NAMES.items() if not name.isascii()}


@dataclass(frozen=True)
class KbItem:
    name: str
    category: str
    sources: str = ""
    tip: str = ""


@dataclass(frozen=True)
class Conflict:
    name: str
    kind: str  # "rule" (the battery rule) | "tip" (its own tip) | "synonym" (a near-synonym elsewhere)
    # What disagrees, as codes (category keys, source ids, item names) so a page can say it in its own
    # language (conflict_text): "category"/"sources" of this item, and "ruled" (rule), "named" (tip, comma-
    # separated keys) or "other"/"other_category"/"other_sources" (synonym).
    params: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def note(self) -> str:
        """The same in English, for the audit log and the admin (Item.flag_note)."""
        p = self.params
        if self.kind == "rule":
            return f"{p['category']} ({p['sources']}) ≠ {p['ruled']} (battery rule: 2019 guide / office Q&A)"
        if self.kind == "tip":
            return f"{p['category']} ({p['sources']}) but its tip says {p['named'].split(',')}"
        return (
            f"{p['category']} ({p['sources']}) but near-synonym {p['other']} is "
            f"{p['other_category']} ({p['other_sources']})"
        )


def _own(item: KbItem) -> dict[str, str]:
    return {"category": item.category, "sources": item.sources or "staff"}


def _rule_conflict(item: KbItem) -> Conflict | None:
    # The Shanghai battery rule decides batteries the name describes; a listed answer against it is disputed.
    # A bracketed qualifier is part of the name here (干电池（无汞）).
    ruled = rules.battery_rule(normalize(item.name))
    if ruled and ruled != item.category:
        return Conflict(item.name, "rule", {**_own(item), "ruled": ruled})
    return None


def _tip_conflict(item: KbItem) -> Conflict | None:
    named = {key for name, key in _TIP_CATEGORY.items() if name in item.tip}
    if named and item.category not in named:
        return Conflict(item.name, "tip", {**_own(item), "named": ",".join(sorted(named))})
    return None


def _variants(name: str) -> Iterable[str]:
    for group in NEAR_SYNONYMS:
        for word in group:
            if word in name:
                for other in group:
                    if other != word:
                        yield name.replace(word, other)


def find_conflicts(items: Iterable[KbItem]) -> list[Conflict]:
    """Every item whose answer its tip or the battery rule contradicts, and both items of each pair of
    near-synonyms in different bins. Sorted by name; one conflict per (name, kind)."""
    items = list(items)
    by_name = {i.name: i for i in items}
    by_letters: dict[str, list[KbItem]] = defaultdict(list)
    for i in items:
        by_letters["".join(sorted(i.name))].append(i)
    found: dict[tuple[str, str], Conflict] = {}
    for item in items:
        for conflict in (_rule_conflict(item), _tip_conflict(item)):
            if conflict:
                found[(conflict.name, conflict.kind)] = conflict
        # Near-synonyms: a synonym substituted, or the same characters in another order with the same head
        # noun (the last character; 碱性无汞电池 / 无汞碱性电池, but 盒饭 a boxed meal is not 饭盒 a lunch box).
        others = [by_name[v] for v in _variants(item.name) if v in by_name]
        others += [o for o in by_letters["".join(sorted(item.name))] if o.name[-1] == item.name[-1]]
        for other in others:
            if other.name != item.name and other.category != item.category:
                params = {
                    **_own(item),
                    "other": other.name,
                    "other_category": other.category,
                    "other_sources": other.sources or "staff",
                }
                found.setdefault((item.name, "synonym"), Conflict(item.name, "synonym", params))
    return sorted(found.values(), key=lambda c: (c.name, c.kind))


NOTE_MAX = 300  # LookupQuery.note


def encode_note(conflicts: Iterable[Conflict]) -> str:
    """The conflicts of one item as the review queue stores them: JSON `[{"kind": ..., **params}, ...]`, at
    most NOTE_MAX characters (long source lists shortened, then later conflicts left off)."""
    rows = [{"kind": c.kind, **c.params} for c in conflicts]
    text = json.dumps(rows, ensure_ascii=False)
    if len(text) > NOTE_MAX:
        for row in rows:
            for key in ("sources", "other_sources"):
                if key in row:
                    row[key] = row[key][:30]
        while len(rows) > 1 and len(json.dumps(rows, ensure_ascii=False)) > NOTE_MAX:
            rows.pop()
        text = json.dumps(rows, ensure_ascii=False)
    return text[:NOTE_MAX]


def decode_note(note: str) -> list[dict[str, str]] | None:
    """The rows encode_note stored; None for a note in any other shape (older notes were English text)."""
    if not note.startswith("["):
        return None
    try:
        rows = json.loads(note)
    except ValueError:
        return None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "kind" in r for r in rows):
        return None
    return rows
