"""One shape for a lookup answer, shared by the page, the API and the CLI."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from guide.engine import Answer, simplified
from guide.search import categories, item_tip, scheme_code

# How the answer was found, in the words a resident reads (the API keeps the code in `method` as well).
# The context keeps these apart from other uses of the same English words in the catalogue.
METHOD_TEXT: dict[str, Promise] = {
    "exact": pgettext_lazy("lookup method", "Found by its name"),
    "alias": pgettext_lazy("lookup method", "Found by another name for it"),
    "phrase": pgettext_lazy("lookup method", "Found the item's name in what you typed"),
    "pinyin": pgettext_lazy("lookup method", "Found by pinyin"),
    "english": pgettext_lazy("lookup method", "Found by its English name"),
    "homophone": pgettext_lazy("lookup method", "Guessed from a word that sounds the same"),
    "initials": pgettext_lazy("lookup method", "Guessed from pinyin initials"),
    "fuzzy": pgettext_lazy("lookup method", "Guessed from a name written alike — please check"),
    "predicted": pgettext_lazy("lookup method", "Estimated from similar items — for reference only"),
}


def method_text(method: str) -> str:
    """The method code (see LookupOut.method) in the active language; "" for a code without words."""
    text = METHOD_TEXT.get(method)
    return str(text) if text is not None else ""


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
        # Simplified even where the published name is traditional (煎鍋): the item is the same, and a
        # query in either script finds it (the index keys are simplified).
        "matched": simplified(answer.matched) if answer.matched else None,
        "method": answer.method,
        "method_text": method_text(answer.method),
        "confidence": answer.confidence,
        "predicted": answer.predicted,
        "tip": item_tip(answer) or (cat.tip if cat else ""),
        "nearest": [
            {"name": simplified(e.name), "category": e.category} for e, _score in answer.alternatives[:3]
        ],
    }
