"""Refusing control characters at the edge, for every form post and query string (see lib.validation).

One place instead of a check per text field: a NUL in an activity title used to be stored and then broke that
month's .xlsx export. API JSON bodies are checked by lib.jsonbody; uploaded files' contents are not text fields.
The same middleware is the first to read a form body, so it also refuses bodies too large to be a real upload.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from lib.apierrors import is_api
from lib.bilingual import Msg
from lib.validation import CONTROL_MSG, has_control_chars

BAD_FORM = Msg(
    "提交的表单数据已损坏（上传可能被中断），请重试。",
    "The form data is malformed (the upload may have been cut off); try again.",
)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# The largest body any page or operation takes: a 30 MB import table (lib.xlsx.MAX_BYTES) and its form. Django
# limits form fields and request.body, but not uploaded files: an anonymous 2 GB multipart POST was written to
# a temporary file before the CSRF check refused it (a few at once fill the disk).
MAX_BODY = 32 * 1024 * 1024
TOO_LARGE = Msg("提交的内容过大（最多 {n} MB）。", "The request is too large (at most {n} MB).").format(
    n=MAX_BODY // 1024 // 1024
)


def _dirty(data: QueryDict) -> bool:
    return any(has_control_chars(k) or any(has_control_chars(v) for v in data.getlist(k)) for k in data)


class ControlCharsMiddleware:
    """400 with a zh/en message when a query-string or form field (name or value) holds a control character:
    JSON under /api/, the site's layout elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Before anything reads the body (this runs ahead of every view and of the CSRF check). A body sent
        # without Content-Length (chunked) is read by Django as empty, so the declared length is enough.
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _bad_input(request, "bad_form", BAD_FORM)
        if declared > MAX_BODY:
            return _bad_input(request, "too_large", TOO_LARGE, status=413)
        # request.POST is parsed only for form bodies; a JSON body stays unread for the API's parser.
        form = request.method == "POST" and request.content_type in FORM_TYPES
        try:
            dirty = _dirty(request.GET) or (form and _dirty(request.POST))
        except MultiPartParserError:
            # A multipart body without a boundary, or cut off: Django would answer its bare 400 page, which
            # a phone posting to the API cannot read. Answer like every other malformed input instead.
            return _bad_input(request, "bad_form", BAD_FORM)
        if dirty:
            return _bad_input(request, "control_chars", CONTROL_MSG)
        return self.get_response(request)


def _bad_input(request: HttpRequest, code: str, msg: Msg, status: int = 400) -> HttpResponse:
    """`status` with the zh/en message: the API's error shape under /api/, the site's layout elsewhere."""
    if is_api(request):
        return JsonResponse({"code": code, "message": msg.as_dict()}, status=status)
    return render(request, "bad_input.html", {"message": str(msg)}, status=status)
