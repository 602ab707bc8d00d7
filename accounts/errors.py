"""Error pages (400, 403, 404, 500, CSRF failure) in the site's layout and the user's language.

Wired in wastegrid/urls.py (handler400/403/404/500) and settings.CSRF_FAILURE_VIEW. Each page offers a
way back: the home page, and the previous page when the browser came from this site.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from lib.apierrors import is_api
from lib.bilingual import Msg

# Under /api/ the same refusals answer the API's error shape (lib.apierrors.ErrorOut): a body over
# DATA_UPLOAD_MAX_MEMORY_SIZE, too many form fields, or a path no operation matches never reach ninja, and a
# phone or device cannot read an HTML page.
API_ERRORS = {
    400: ("bad_request", Msg("请求格式有误。", "The request is malformed.")),
    403: ("forbidden", Msg("您没有权限执行此操作。", "You are not allowed to do this.")),
    404: ("not_found", Msg("找不到该地址。", "There is nothing at this address.")),
    500: ("server_error", Msg("服务器内部错误，请稍后重试。", "Internal server error; try again later.")),
}


def _api_error(request: HttpRequest, status: int) -> HttpResponse | None:
    if not is_api(request):
        return None
    code, msg = API_ERRORS[status]
    return JsonResponse({"code": code, "message": msg.as_dict()}, status=status)


def _back_url(request: HttpRequest) -> str:
    """The referring page if it is on this site (never an outside address), else ""."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or referer == request.build_absolute_uri():
        return ""
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe else ""


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return _api_error(request, status) or render(
        request, template, {"back_url": _back_url(request)}, status=status
    )


# requires_csrf_token: the layout's language switch and logout forms need a token even on error pages.
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke (the database, a context processor) must not break this page too.
    return _api_error(request, 500) or HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # The reason (e.g. "CSRF cookie not set.") is for logs, not for users: the page says what to do.
    return _render(request, "403_csrf.html", 403)
