"""The question bank: generated from the sorting knowledge base (which bin for an item; which of four items
belongs in a bin; items people often get wrong) plus the hand-written regulation questions in data/."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from django.db import transaction

from contests.models import Question, QuestionKind
from guide.models import Item, ItemKind
from guide.search import categories, get_index

DATA = Path(__file__).resolve().parent / "data"
ORDER = ["recyclable", "hazardous", "wet", "dry"]


def _plain(name: str) -> bool:
    return 2 <= len(name) <= 10 and name.isalnum() and not name.isascii()


@transaction.atomic
def bank_generate(*, per_kind: int = 120, seed: int = 2019) -> int:
    """Adds questions the bank does not have yet (by text); returns how many were added. Only names public
    sources agree on are asked about."""
    rng = random.Random(seed)
    cats = categories()
    names = {key: cats[key].name if key in cats else key for key in ORDER}
    items = [
        (name, category)
        # Never a flagged item (guide.consistency): a contest must not teach a disputed answer as "right".
        for name, category in Item.objects.filter(
            active=True, sources_agree=True, flagged=False, kind=ItemKind.ITEM
        ).values_list("name", "category")
        if _plain(name)
    ]
    items.sort()
    by_cat: dict[str, list[str]] = {key: [n for n, c in items if c == key] for key in ORDER}
    new: list[Question] = []
    for name, category in rng.sample(items, min(per_kind, len(items))):
        new.append(
            Question(
                kind=QuestionKind.WHICH_BIN,
                text=f"“{name}”应投入哪一类？",
                choices=[names[k] for k in ORDER],
                answer=ORDER.index(category),
                explanation=f"“{name}”属于{names[category]}。",
                source="上海市生活垃圾分类查询（知识库）",
            )
        )
    for _ in range(per_kind):
        target = rng.choice(ORDER)
        if not by_cat[target]:
            continue
        right = rng.choice(by_cat[target])
        wrong = [
            rng.choice(by_cat[k]) for k in rng.sample([k for k in ORDER if k != target and by_cat[k]], 3)
        ]
        choices = [right, *wrong]
        rng.shuffle(choices)
        new.append(
            Question(
                kind=QuestionKind.WHICH_IS,
                text=f"下列哪一项属于{names[target]}？（{'、'.join(choices)}）",
                choices=choices,
                answer=choices.index(right),
                explanation=f"“{right}”属于{names[target]}。",
                source="上海市生活垃圾分类查询（知识库）",
            )
        )
    index = get_index()
    for key in ORDER:
        for entry, wrongly in index.surprising(key, limit=per_kind // 4):
            if wrongly is None or not _plain(entry.name):
                continue
            new.append(
                Question(
                    kind=QuestionKind.MISTAKE,
                    text=f"很多人把“{entry.name}”投入{names[wrongly]}，它其实属于哪一类？",
                    choices=[names[k] for k in ORDER],
                    answer=ORDER.index(key),
                    explanation=f"“{entry.name}”属于{names[key]}，不是{names[wrongly]}。",
                    source="上海市生活垃圾分类查询（常见错误）",
                )
            )
    with open(DATA / "regulation.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            new.append(
                Question(
                    kind=QuestionKind.REGULATION,
                    text=row["question"],
                    choices=row["choices"].split("|"),
                    answer=int(row["answer"]),
                    explanation=row["explanation"],
                    source=row["source"],
                )
            )
    known = set(Question.objects.values_list("kind", "text"))
    fresh = {(q.kind, q.text): q for q in new if (q.kind, q.text) not in known}
    Question.objects.bulk_create(fresh.values())
    return len(fresh)
