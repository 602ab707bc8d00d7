from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from guide import counting
from guide.presenters import answer_dict
from guide.search import QueryError, lookup, validate_query
from lib.apierrors import ApiError

router = Router(tags=["guide"])


class LookupIn(Schema):
    q: str = Field("", max_length=10_000, description="item name, phrase, pinyin, initials or English")


class NearestOut(Schema):
    name: str
    category: str


class LookupOut(Schema):
    query: str
    category: str | None = Field(description="recyclable | hazardous | wet | dry")
    category_name: str | None
    category_name_en: str | None
    colour: str | None
    scheme: str
    matched: str | None = Field(description="the knowledge-base item the answer rests on")
    method: str = Field(
        description="exact | alias | phrase | pinyin | homophone | initials | english | fuzzy | predicted"
    )
    confidence: float
    predicted: bool
    tip: str
    nearest: list[NearestOut]


@router.get("/lookup", response=LookupOut, auth=None, summary="Which bin? Public, no login.")
def guide_lookup(request: HttpRequest, params: Query[LookupIn]) -> dict[str, object]:
    try:
        q = validate_query(params.q)
    except QueryError as exc:
        raise ApiError(400, exc.code, exc.msg) from None
    answer = lookup(q)
    counting.count(answer)
    return answer_dict(answer)
