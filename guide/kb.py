"""The knowledge base's source data: the published Shanghai list plus our own English names and synonyms.

One reader for every consumer (the loader command, the migration-free tests, the evaluation), so the index
a benchmark measures is the one the product serves.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from guide.engine import Entry, keep_chars, to_pinyin

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class SourceItem:
    name: str
    category: str
    sources_agree: bool
    sources: str


def _rows(path: Path) -> list[dict[str, str]]:
    """A source file's rows with a name, every value stripped."""
    with path.open(encoding="utf-8") as f:
        rows = [{key: (value or "").strip() for key, value in r.items()} for r in csv.DictReader(f)]
    return [r for r in rows if r["name"]]


def read_items(path: Path = DATA / "items_shanghai.csv") -> list[SourceItem]:
    return [
        SourceItem(r["name"], r["category"], r["sources_agree"] != "no", r["sources"]) for r in _rows(path)
    ]


@dataclass(frozen=True)
class SpecialItem:
    """An item answered other than by one bin (data/special.csv): bulky waste, an appliance, in parts, or by its
    kind (`depends`: the parts are the kinds, each with its bin — a battery)."""

    name: str
    kind: str
    category: str
    parts: tuple[tuple[str, str, str], ...]  # (name, English name, destination)
    sources: str


def read_special(path: Path = DATA / "special.csv") -> list[SpecialItem]:
    return [
        SpecialItem(
            r["name"],
            r["kind"],
            r["category"],
            tuple(
                (zh, en, dest) for zh, en, dest in (p.split(":") for p in r["parts"].split("|") if p.strip())
            ),
            r["source"],
        )
        for r in _rows(path)
    ]


def read_english(path: Path = DATA / "english.csv") -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return {r["name"]: r["english"] for r in csv.DictReader(f)}


def read_synonyms(path: Path = DATA / "synonyms.csv") -> dict[str, list[str]]:
    with path.open(encoding="utf-8") as f:
        return {r["word"]: r["synonyms"].split("|") for r in csv.DictReader(f)}


def synonym_aliases(names: list[str], synonyms: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(item name, alias): 土豆皮 also answers to 马铃薯皮 — unless that is an item of its own."""
    known = set(names)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in names:
        for word, alternatives in synonyms.items():
            if word in name:
                for alt in alternatives:
                    alias = name.replace(word, alt)
                    if alias not in known and alias not in seen:
                        seen.add(alias)
                        out.append((name, alias))
    return out


def pinyin_of(text: str) -> tuple[str, str]:
    syllables = to_pinyin(text)
    return " ".join(syllables), "".join(s[0] for s in syllables if s)


def initials_of(text: str) -> str:
    from pypinyin import Style, lazy_pinyin  # (see guide.engine.to_pinyin)

    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors=keep_chars))


def source_index_data(
    items: list[SourceItem],
    *,
    english: dict[str, str],
    synonyms: dict[str, list[str]],
    special: list[SpecialItem] | None = None,
) -> tuple[list[Entry], list[tuple[int, str, str]]]:
    """Index entries and aliases straight from the source files, numbered as the loader numbers them.
    `special` (default: data/special.csv) sets the answer kind and parts of listed names and adds the rest."""
    specials = {s.name: s for s in (read_special() if special is None else special)}
    listed = {item.name for item in items}
    entries = []
    for number, item in enumerate(items, start=1):
        pinyin, initials = pinyin_of(item.name)
        extra = specials.get(item.name)
        entries.append(
            Entry(
                number,
                item.name,
                item.category,
                english.get(item.name, ""),
                pinyin,
                initials,
                float(len(item.sources.split(";"))),
                item.sources_agree,
                extra.kind if extra else "item",
                extra.parts if extra else (),
            )
        )
    for sp in specials.values():
        if sp.name not in listed:
            pinyin, initials = pinyin_of(sp.name)
            entries.append(
                Entry(
                    len(entries) + 1,
                    sp.name,
                    sp.category,
                    english.get(sp.name, ""),
                    pinyin,
                    initials,
                    1.0,
                    True,
                    sp.kind,
                    sp.parts,
                )
            )
    ids = {e.name: e.id for e in entries}
    aliases = [
        (ids[name], alias, "synonym") for name, alias in synonym_aliases([e.name for e in entries], synonyms)
    ]
    return entries, aliases
