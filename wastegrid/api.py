"""The versioned JSON API: /api/v1/, one OpenAPI document at /api/v1/openapi.json.

Errors are JSON with a stable `code` and the message in both languages; malformed input answers 400,
never 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import django_auth

from accounts.api import router as accounts_router
from assessment.api import router as assessment_router
from grid.api import router as grid_router
from guide.api import router as guide_router
from lib.apierrors import ApiError, document_errors
from lib.bilingual import Msg
from lib.dbbusy import busy_response, is_db_busy
from lib.jsonbody import json_body
from supervision.api import router as supervision_router
from tonnage.api import router as tonnage_router


class BoundedParser(Parser):
    """Every operation's JSON body through lib.jsonbody: bounded size and depth, no control characters.
    ninja wraps a parser's exception in HttpError(400); on_http_error below answers its zh/en message."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return json_body(request)  # type: ignore[no-any-return]  # a list body is fine too (ninja wraps it)


class DocumentedAPI(NinjaAPI):
    """The document says what each error status means and that a 503 carries Retry-After (lib.apierrors)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


api = DocumentedAPI(
    title="wastegrid API",
    version="1",
    description="Community household-waste sorting governance. 社区生活垃圾分类治理。",
    urls_namespace="api-v1",
    auth=django_auth,
    parser=BoundedParser(),
    # Swagger UI comes from our static files (templates/ninja/swagger.html); no validator badge from its host.
    docs=Swagger(settings={"validatorUrl": None}),
)


CSRF_FAILED = Msg(
    "安全校验（CSRF）未通过：会话登录的写请求须带 X-CSRFToken 请求头。",
    "CSRF check failed: a write with a session cookie needs the X-CSRFToken header.",
)


def error_response(request: HttpRequest, status: int, code: str, msg: Msg, **extra: object) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": msg.as_dict(), **extra}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))}
        for e in exc.errors
        if isinstance(e, dict)
    ]
    return error_response(
        request, 400, "invalid_input", Msg("请求参数无效。", "Invalid request parameters."), errors=details
    )


# A service's Model.DoesNotExist is the same answer as Http404: the object is not there for this user.
@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        request,
        404,
        "not_found",
        Msg("找不到，或不在您管辖的网格内。", "Not found, or outside your part of the grid."),
    )


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(
        request, 403, "forbidden", Msg("您的角色无权执行此操作。", "Your role may not do this.")
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", Msg("请先登录。", "Log in first."))


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.msg)


@api.exception_handler(OperationalError)
def on_database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    # A lock timeout is "try again" (503 + Retry-After, see lib.dbbusy); any other database error stays a 500.
    if is_db_busy(exc):
        return busy_response(request)
    raise exc


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ApiError):  # raised inside ninja's body parsing (BoundedParser)
        return on_api_error(request, exc.__cause__)
    if exc.status_code == 403:  # ninja's session auth refused a write without the CSRF token
        return error_response(request, 403, "csrf_failed", CSRF_FAILED)
    return error_response(request, exc.status_code, "error", Msg(str(exc), str(exc)))


api.add_router("/", accounts_router)
api.add_router("/grid/", grid_router)
api.add_router("/guide/", guide_router)
api.add_router("/supervision/", supervision_router)
api.add_router("/tonnage/", tonnage_router)
api.add_router("/assessment/", assessment_router)
