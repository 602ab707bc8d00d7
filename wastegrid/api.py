"""The versioned JSON API: /api/v1/, one OpenAPI document at /api/v1/openapi.json.

Errors are JSON with a stable `code` and the message in both languages; malformed input answers 400,
never 500.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from accounts.api import router as accounts_router
from assessment.api import router as assessment_router
from grid.api import router as grid_router
from guide.api import router as guide_router
from lib.apierrors import ApiError
from lib.bilingual import Msg
from supervision.api import router as supervision_router
from tonnage.api import router as tonnage_router

api = NinjaAPI(
    title="wastegrid API",
    version="1",
    description="Community household-waste sorting governance. 社区生活垃圾分类治理。",
    urls_namespace="api-v1",
    auth=django_auth,
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


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
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


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", Msg(str(exc), str(exc)))


api.add_router("/", accounts_router)
api.add_router("/grid/", grid_router)
api.add_router("/guide/", guide_router)
api.add_router("/supervision/", supervision_router)
api.add_router("/tonnage/", tonnage_router)
api.add_router("/assessment/", assessment_router)
