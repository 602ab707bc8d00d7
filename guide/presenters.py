"""One shape for a lookup answer, shared by the page, the API and the CLI."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from guide.consistency import decode_note
from guide.engine import Answer, simplified
from guide.models import CategoryKey
from guide.search import categories, get_index, item_tip, scheme_code

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
    "rule": pgettext_lazy("lookup method", "Decided by the battery rule"),
    "category": pgettext_lazy("lookup method", "This is the name of a category"),
    "unrecognised": pgettext_lazy("lookup method", "Not recognised as an item"),
    "flagged": pgettext_lazy("lookup method", "Flagged by the consistency check"),
}

# What to do with an item that no bin takes (Shanghai regulation 2019, Art. 27: bulky waste is booked for
# collection or taken to the place the management responsible person designates; appliances go to qualified
# recyclers). `kind` in the answer says which.
ACTION_TEXT: dict[str, Promise] = {
    "bulky": pgettext_lazy(
        "lookup action",
        "Bulky waste: book a collection with your property management or residents' committee, or take it to "
        "the place they designate. Do not leave it by the bins.",
    ),
    "appliance": pgettext_lazy(
        "lookup action",
        "Large appliance: hand it to a qualified recycler (trade-in or booked pick-up), or book a bulky-waste "
        "collection. Do not put it in a bin.",
    ),
    "composite": pgettext_lazy("lookup action", "Separate it into its parts; each part goes where shown."),
    "depends": pgettext_lazy(
        "lookup action", "It depends on which kind it is: find yours below; each kind goes where shown."
    ),
}
# How sure the answer is, in words (the API keeps the figure in `confidence`): the ladder's confidence
# (guide.engine.CONFIDENCE, checked against held-out accuracy by bench/guide_eval.py) put in four bands.
CERTAINTY_TEXT: dict[str, Promise] = {
    "sure": pgettext_lazy("lookup certainty", "Certain"),
    "likely": pgettext_lazy("lookup certainty", "Probably right — please check"),
    "uncertain": pgettext_lazy("lookup certainty", "Uncertain — for reference only"),
    "disputed": pgettext_lazy("lookup certainty", "Disputed"),
}
SURE = 0.93  # a name, alias, pinyin, English name, phrase or rule (guide.engine.CONFIDENCE)
LIKELY = 0.8  # a typo or sound corrected, a head noun; below: a modifier. A prediction is always uncertain.
DESTINATION_TEXT: dict[str, Promise] = {
    "drain": pgettext_lazy("lookup part", "Down the drain"),
}


def method_text(method: str) -> str:
    """The method code (see LookupOut.method) in the active language; "" for a code without words."""
    text = METHOD_TEXT.get(method)
    return str(text) if text is not None else ""


def certainty(answer: Answer) -> str:
    """sure | likely | uncertain | disputed (public sources disagree on the matched item) | "" (a category
    name, or text that is no item: nothing to be sure of)."""
    if answer.method in ("category", "unrecognised", "none"):
        return ""
    if answer.item is not None and not answer.item.agreed:
        return "disputed"
    if answer.predicted:
        return "uncertain"  # no listed name matched: a guess, said plainly, whatever the model's figure
    if answer.confidence >= SURE:
        return "sure"
    return "likely" if answer.confidence >= LIKELY else "uncertain"


def answer_dict(answer: Answer) -> dict[str, Any]:
    """The answer as the page, the API (LookupOut) and the CLI show it."""
    cats = categories()
    cat = cats.get(answer.category or "")
    kind = answer_kind(answer)
    english = (get_language() or "").startswith("en")
    sure = certainty(answer)
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
        # The matched item's English name where the knowledge base has one ("battery" matched 电池).
        "matched_en": (answer.item.name_en.split("|")[0].strip() or None) if answer.item else None,
        "category_label": cat.label if cat else None,
        "method": answer.method,
        "method_text": method_text(answer.method),
        "confidence": answer.confidence,
        "certainty": sure,
        "certainty_text": str(CERTAINTY_TEXT[sure]) if sure else "",
        "predicted": answer.predicted,
        # An answer by kind has no one bin's tip: its kinds say where each goes.
        # A hint for the kind of item matched; the category's own tip only when the query named the category.
        "tip": (cat.tip if cat else "")
        if kind == "category"
        else item_tip(answer)
        if kind in ("item", "composite")
        else "",
        "nearest": [
            {"name": simplified(e.name), "category": e.category} for e, _score in answer.alternatives[:3]
        ],
        "kind": kind,
        "action": str(ACTION_TEXT[kind]) if kind in ACTION_TEXT else "",
        "parts": [
            {
                "name": name_en if english and name_en else name,
                "destination": dest,
                "destination_name": _destination_name(dest, cats),
            }
            for name, name_en, dest in (answer.item.parts if answer.item else ())
        ],
        "examples": [simplified(e.name) for e in get_index().examples(answer.category)]
        if kind == "category" and answer.category
        else [],
        "disputed": bool(answer.item and not answer.item.agreed),
    }


def answer_kind(answer: Answer) -> str:
    """item | composite | depends | bulky | appliance (the matched item's kind) | category (the query named a
    category) | unrecognised (not an item)."""
    if answer.method in ("category", "unrecognised"):
        return answer.method
    if answer.method == "none":  # nothing left once spaces and punctuation are gone ("。。")
        return "unrecognised"
    return answer.item.kind if answer.item else "item"


def _destination_name(dest: str, cats: dict[str, Any]) -> str:
    if dest in cats:
        return str(cats[dest].label)
    return str(DESTINATION_TEXT.get(dest, dest))


def _category_label(key: str) -> str:
    return str(CategoryKey(key).label) if key in CategoryKey.values else key


# The public lists behind guide/data/items_shanghai.csv (see guide/data/README.md), by the id its `sources`
# column uses: the review queue names them, never the raw ids ("official-lookup-crawl-2019;miniprogram-…").
SOURCE_LABELS: dict[str, Promise] = {
    "official-lookup-crawl-2019": pgettext_lazy("answer source", "2019 Shanghai official online lookup"),
    "official-guide-examples-2019": pgettext_lazy("answer source", "2019 official sorting guide examples"),
    "miniprogram-list-2019": pgettext_lazy("answer source", "2019 lookup mini-program list A"),
    "miniprogram-list-2019b": pgettext_lazy("answer source", "2019 lookup mini-program list B"),
    "staff": pgettext_lazy("answer source", "staff"),
}


def _sources_label(sources: str) -> str:
    """The `sources` ids ("a;b") as the lists' names in the reader's language; an unknown id stays as it is."""
    names = [str(SOURCE_LABELS.get(s, s)) for s in sources.split(";") if s]
    return str(pgettext_lazy("list separator", ", ")).join(names)


def check_note_text(note: str) -> str:
    """A review-queue note in the active language: the consistency check's codes (guide.consistency
    .encode_note) as sentences joined by "; ", any other note as it was written."""
    rows = decode_note(note)
    if rows is None:
        return note
    out = []
    for r in rows:
        p = {
            "category": _category_label(r.get("category", "")),
            "sources": _sources_label(r.get("sources", "")),
            "ruled": _category_label(r.get("ruled", "")),
            "named": "、".join(_category_label(k) for k in r.get("named", "").split(",") if k),
            "other": r.get("other", ""),
            "other_category": _category_label(r.get("other_category", "")),
            "other_sources": _sources_label(r.get("other_sources", "")),
        }
        if r["kind"] == "rule":
            text = _("Listed as %(category)s (%(sources)s), but the battery rule says %(ruled)s.")
        elif r["kind"] == "tip":
            text = _("Listed as %(category)s (%(sources)s), but its own tip names %(named)s.")
        else:
            text = _(
                "Listed as %(category)s (%(sources)s), but the near-synonym “%(other)s” is listed as "
                "%(other_category)s (%(other_sources)s)."
            )
        out.append(str(text) % p)
    return " ".join(out)
