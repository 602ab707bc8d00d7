"""Scores, grades and rankings as JSON (for district systems and large screens)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.security import django_auth
from pydantic import Field

from accounts.models import User
from accounts.roles import READ_COVERAGE
from accounts.tokens import DeviceTokenAuth
from assessment.scoring import FuturePeriod, NoScheme, assess
from grid.scope import get_node_for_user
from lib.apierrors import ApiError, answers, years_pattern
from lib.bilingual import Msg
from lib.clock import local_today
from lib.periods import NOT_BEGUN, Period, max_year
from lib.replica import on_replica

router = Router(tags=["assessment"], auth=[DeviceTokenAuth(), django_auth])


def _period_pattern() -> str:
    # The years Period.parse accepts, spelled out, so the document describes exactly what is answered (a
    # process started late in a year documents one year less than it accepts after New Year: never more).
    return rf"^(({years_pattern(max_year())})(-(0[1-9]|1[0-2])|-[Qq][1-4])?)?$"


class PeriodIn(Schema):
    # The pattern is for the document only: Period.parse checks the value and answers its own code
    # (invalid_period) with a zh/en message.
    period: str = Field(
        default="",
        max_length=8,
        description="2026-11 (month), 2026-Q4 (quarter) or 2026 (year); default this month",
        json_schema_extra={"pattern": _period_pattern()},
    )


class IndicatorOut(Schema):
    code: str
    score: Decimal | None = Field(description="null: not enough data")
    rate: Decimal | None
    sample: int


class AreaOut(Schema):
    code: str
    name: str
    rank: int | None
    total: Decimal | None = Field(description="null until every indicator has enough data")
    rated: bool = Field(description="every indicator has enough data; false: not rated (未评级), no verdict")
    meets: bool = Field(description="meets the standard; always false when not rated")
    vetoed: bool
    indicators: list[IndicatorOut]


class GroupOut(Schema):
    code: str
    name: str
    rank: int | None
    met: int
    areas: int
    grade: str | None
    average: Decimal | None


class AssessmentOut(Schema):
    node: str
    period: str
    scheme: str
    grade: str | None = Field(description="excellent 优 / good 良 / fair 中 / poor 差")
    met: int
    areas: list[AreaOut]
    groups: list[GroupOut]


@router.get(
    "/{code}",
    response=answers(AssessmentOut, 400, 403, 404),
    summary="Scores, grades and rankings of a node for a period",
)
def get_assessment(request: HttpRequest, code: str, q: Query[PeriodIn]) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    if not user.has_role(READ_COVERAGE):
        raise ApiError(403, "forbidden", Msg("您的角色无权执行此操作。", "Your role may not do this."))
    node = get_node_for_user(user, code)
    try:
        period = Period.parse(q.period) if q.period else Period.containing("month", local_today())
    except ValueError:
        raise ApiError(
            400,
            "invalid_period",
            Msg("期间应为 2026-11、2026-Q4 或 2026。", "Period must be 2026-11, 2026-Q4 or 2026."),
        ) from None
    try:
        with on_replica():
            result = assess(node, period)
    except NoScheme:
        raise Http404 from None
    except FuturePeriod:
        raise ApiError(400, "period_not_begun", NOT_BEGUN) from None
    return {
        "node": node.code,
        "period": period.key,
        "scheme": str(result.scheme),
        "grade": result.overall.grade,
        "met": result.overall.met,
        "areas": [
            {
                "code": a.node.code,
                "name": a.node.name,
                "rank": a.rank,
                "total": a.total,
                "rated": a.rated,
                "meets": a.meets,
                "vetoed": a.vetoed,
                "indicators": [
                    {
                        "code": s.indicator.code,
                        "score": s.score,
                        "rate": s.rate.quantize(Decimal("0.0001")) if s.rate is not None else None,
                        "sample": s.tally.sample,
                    }
                    for s in a.scores
                ],
            }
            for a in result.areas
        ],
        "groups": [
            {
                "code": g.node.code,
                "name": g.node.name,
                "rank": g.rank,
                "met": g.met,
                "areas": len(g.areas),
                "grade": g.grade,
                "average": g.average,
            }
            for g in result.groups
        ],
    }
