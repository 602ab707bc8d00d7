"""Accuracy of the "which bin?" lookup by query form, the unseen-name hold-out, and calibration.

    .venv/bin/python bench/guide_eval.py

Forms and their queries: bench/guide_queries/*.tsv (made by bench/make_guide_queries.py, plus handwritten.tsv).
"Unseen": a random 10% of the knowledge base is held out of the index and of the model's training, then
looked up. Prints figures; asserts nothing.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guide.engine import CATEGORIES, Index  # noqa: E402
from guide.kb import read_english, read_items, read_synonyms, source_index_data  # noqa: E402

QUERIES = ROOT / "bench" / "guide_queries"
TARGETS = {
    "exact": 0.99,
    "alias": 0.99,
    "traditional": 0.95,
    "pinyin": 0.95,
    "initials": 0.95,
    "typo": 0.95,
    "phrase": 0.95,
    "english": 0.95,
    "unseen": 0.85,
}


def load_forms() -> dict[str, list[tuple[str, str]]]:
    forms: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in sorted(QUERIES.glob("*.tsv")):
        with path.open(encoding="utf-8") as f:
            reader = csv.DictReader(f, delimiter="\t")
            for row in reader:
                form = row.get("form") or path.stem
                forms[form].append((row["query"], row["category"]))
    return forms


def main() -> None:
    items = read_items()
    english, synonyms = read_english(), read_synonyms()
    entries, aliases = source_index_data(items, english=english, synonyms=synonyms)
    index = Index(entries, aliases)

    calibration: list[tuple[float, bool]] = []
    methods: dict[str, Counter[str]] = defaultdict(Counter)
    results: dict[str, tuple[int, int]] = {}

    def score(form: str, queries: list[tuple[str, str]], idx: Index) -> None:
        right = 0
        for query, expected in queries:
            answer = idx.lookup(query)
            ok = answer.category == expected
            right += ok
            calibration.append((answer.confidence, ok))
            methods[form][answer.method] += 1
        results[form] = (right, len(queries))

    score("exact", [(e.name, e.category) for e in entries], index)
    for form, queries in load_forms().items():
        score(form, queries, index)

    rng = random.Random(2019)
    held = set(rng.sample(range(len(entries)), len(entries) // 10))
    kept = [e for i, e in enumerate(entries) if i not in held]
    kept_ids = {e.id for e in kept}
    unseen_index = Index(kept, [a for a in aliases if a[0] in kept_ids])
    unseen = [(entries[i].name, entries[i].category) for i in sorted(held)]
    score("unseen", unseen, unseen_index)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for name, expected in unseen:
        confusion[expected][unseen_index.lookup(name).category or "none"] += 1

    print(
        f"knowledge base: {len(entries)} names, {len(aliases)} synonym aliases, {len(english)} items with English names"
    )
    print(f"{'form':<12} {'right':>6} {'of':>6} {'accuracy':>9} {'target':>7}  methods")
    for form, (right, total) in results.items():
        target = TARGETS.get(form)
        mark = "" if target is None else ("ok" if right / total >= target else "BELOW")
        top = ", ".join(f"{m} {n}" for m, n in methods[form].most_common(4))
        print(f"{form:<12} {right:>6} {total:>6} {right / total:>9.1%} {target or 0:>7.0%} {mark:<5} {top}")
    print("\nunseen confusion matrix (rows: true category, columns: answer)")
    print(f"{'':<11}" + "".join(f"{c:>11}" for c in CATEGORIES))
    for true in CATEGORIES:
        print(f"{true:<11}" + "".join(f"{confusion[true][c]:>11}" for c in CATEGORIES))
    print("\ncalibration over every query above (stated confidence → observed accuracy)")
    bins = [(0.9, 1.01), (0.8, 0.9), (0.7, 0.8), (0.6, 0.7), (0.5, 0.6), (0.0, 0.5)]
    for lo, hi in bins:
        inside = [ok for conf, ok in calibration if lo <= conf < hi]
        if inside:
            print(
                f"  confidence {lo:.1f}–{min(hi, 1):.1f}: {sum(inside) / len(inside):6.1%} right of {len(inside)}"
            )
    high = [ok for conf, ok in calibration if conf >= 0.9]
    print(f"when it says ≥ 0.9 it is right {sum(high) / len(high):.1%} of the time (target ≥ 90%)")


if __name__ == "__main__":
    main()
