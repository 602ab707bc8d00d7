"""Writes the variant queries that bench/guide_eval.py scores (deterministic; the TSVs are kept in the repo).

    .venv/bin/python bench/make_guide_queries.py

Each row: query, expected category, the item it was made from. Hand-written queries live in
bench/guide_queries/handwritten.tsv and are never overwritten.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402
from pypinyin import lazy_pinyin  # noqa: E402

from guide.kb import initials_of, read_english, read_items, read_synonyms, synonym_aliases  # noqa: E402

OUT = ROOT / "bench" / "guide_queries"
PHRASES = [
    "用过的{}",
    "吃剩的{}",
    "一个{}",
    "喝完的{}",
    "坏掉的{}",
    "{}怎么扔",
    "{}是什么垃圾",
    "不要的{}",
    "过期的{}",
    "{}属于什么垃圾",
    "一袋{}",
    "家里的{}",
    "废弃的{}",
    "请问{}扔哪里",
]
EN_PHRASES = ["used {}", "old {}", "a {}", "empty {}", "broken {}", "{}", "some {}", "the {}"]


def han(name: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in name)


def main() -> None:
    rng = random.Random(19095)
    items = read_items()
    by_name = {i.name: i for i in items}
    names = [i.name for i in items if han(i.name)]
    rows: dict[str, list[tuple[str, str, str]]] = defaultdict(list)

    for name, alias in synonym_aliases([i.name for i in items], read_synonyms()):
        rows["alias"].append((alias, by_name[name].category, name))
    s2t = opencc.OpenCC("s2t")
    for name in rng.sample(names, 300):
        trad = s2t.convert(name)
        if trad != name:
            rows["traditional"].append((trad, by_name[name].category, name))

    for name in rng.sample(names, 400):
        rows["pinyin"].append(("".join(lazy_pinyin(name)), by_name[name].category, name))
        rows["initials"].append((initials_of(name), by_name[name].category, name))

    # Same-sounding characters: every character of the knowledge base, grouped by its (toneless) pinyin.
    sounds: dict[str, set[str]] = defaultdict(set)
    for name in names:
        for ch in name:
            if "\u4e00" <= ch <= "\u9fff":
                sounds[lazy_pinyin(ch)[0]].add(ch)
    for name in rng.sample([n for n in names if len(n) >= 3], 600):
        positions = [i for i, ch in enumerate(name) if len(sounds[lazy_pinyin(ch)[0]] - {ch}) > 0]
        if not positions:
            continue
        i = rng.choice(positions)
        other = rng.choice(sorted(sounds[lazy_pinyin(name[i])[0]] - {name[i]}))
        typo = name[:i] + other + name[i + 1 :]
        if typo not in by_name:
            rows["typo"].append((typo, by_name[name].category, name))
        if len(rows["typo"]) >= 400:
            break

    for name in rng.sample(names, 400):
        rows["phrase"].append((rng.choice(PHRASES).format(name), by_name[name].category, name))

    for name, english in read_english().items():
        for en in english.split("|"):
            rows["english"].append((rng.choice(EN_PHRASES).format(en), by_name[name].category, name))

    for form, form_rows in rows.items():
        with (OUT / f"{form}.tsv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter="\t")
            writer.writerow(["query", "category", "source"])
            writer.writerows(form_rows)
        print(f"{form}: {len(form_rows)}")


if __name__ == "__main__":
    main()
