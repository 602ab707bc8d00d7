from __future__ import annotations

import re

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from guide import counting
from guide.presenters import answer_dict
from guide.search import _FORBIDDEN, MAX_LENGTH, QueryError, lookup, validate_query
from lib.apierrors import ApiError, answers

router = Router(tags=["guide"])


def _query_pattern() -> str:
    # What validate_query (and the control-character check at the edge) accepts: no C0/C1 control character,
    # no U+FFFD, none of the forbidden symbols; at least one character that is not a space.
    banned = r"\x00-\x1f\x7f-\x9f\ufffd" + "".join(re.escape(c) for c in sorted(_FORBIDDEN))
    return rf"^[^{banned}]*[^\s{banned}][^{banned}]*$"


class LookupIn(Schema):
    # The document states exactly what validate_query accepts; the field itself stays loose so that each
    # refusal answers validate_query's own code (empty_query, query_too_long, …) rather than a generic one.
    q: str = Field(
        max_length=10_000,
        description="item name, phrase, pinyin, initials or English",
        json_schema_extra={"minLength": 1, "maxLength": MAX_LENGTH, "pattern": _query_pattern()},
    )


class NearestOut(Schema):
    name: str
    category: str


class PartOut(Schema):
    name: str = Field(description="the part, in the request's language")
    destination: str = Field(description="recyclable | hazardous | wet | dry | drain")
    destination_name: str


class LookupOut(Schema):
    query: str
    category: str | None = Field(description="recyclable | hazardous | wet | dry")
    category_name: str | None
    category_name_en: str | None
    colour: str | None
    scheme: str
    matched: str | None = Field(
        description="the knowledge-base item the answer rests on, its name in simplified characters"
    )
    matched_en: str | None = Field(
        default=None, description="the matched item's English name, where the knowledge base has one"
    )
    category_label: str | None = Field(
        default=None,
        description="the category as the request's language names it (English: 'Wet waste (湿垃圾)')",
    )
    method: str = Field(
        description="exact | alias | phrase | pinyin | homophone | initials | english | fuzzy | rule | "
        "predicted | category (the query names a category) | unrecognised (not an item: category is null)"
    )
    method_text: str = Field(
        description="the method in words for a resident, in the request's language (Accept-Language)"
    )
    confidence: float
    certainty: str = Field(
        default="",
        description="sure | likely | uncertain | disputed (sources disagree on the matched item) | '' (a "
        "category name or unrecognised text)",
    )
    certainty_text: str = Field(default="", description="the certainty in words, in the request's language")
    predicted: bool
    tip: str
    nearest: list[NearestOut]
    kind: str = Field(
        description="item (one bin) | composite (see parts) | depends (the bin depends on the kind: parts "
        "lists the kinds, each with its bin; category is the listed bin of the name) | bulky | appliance (see "
        "action; category is the bin of a small piece) | category (examples lists what goes in it) | "
        "unrecognised"
    )
    action: str = Field(
        description="what to do, for bulky waste, appliances, composite and depends answers; else empty"
    )
    parts: list[PartOut] = Field(
        description="a composite answer's parts (or a depends answer's kinds), each with where it goes"
    )
    examples: list[str] = Field(description="for a category name: items that go in it")
    disputed: bool = Field(description="sources disagree or the consistency check flagged the item")


@router.get(
    "/lookup",
    response=answers(LookupOut, 400, public=True),
    auth=None,
    summary="Which bin? Public, no login.",
)
def guide_lookup(request: HttpRequest, params: Query[LookupIn]) -> dict[str, object]:
    try:
        q = validate_query(params.q)
    except QueryError as exc:
        raise ApiError(400, exc.code, exc.msg) from None
    answer = lookup(q)
    counting.count(answer)
    return answer_dict(answer)
