"""One shape for a lookup answer, shared by the page, the API and the CLI."""

from __future__ import annotations

from typing import Any

from guide.engine import Answer
from guide.search import categories, item_tip, scheme_code


def answer_dict(answer: Answer) -> dict[str, Any]:
    cats = categories()
    cat = cats.get(answer.category or "")
    return {
        "query": answer.query,
        "category": answer.category,
        "category_name": cat.name if cat else None,
        "category_name_en": cat.name_en if cat else None,
        "colour": cat.colour if cat else None,
        "scheme": scheme_code(),
        "matched": answer.matched,
        "method": answer.method,
        "confidence": answer.confidence,
        "predicted": answer.predicted,
        "tip": item_tip(answer) or (cat.tip if cat else ""),
        "nearest": [{"name": e.name, "category": e.category} for e, _score in answer.alternatives[:3]],
    }
