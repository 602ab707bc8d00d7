"""Refusing control characters at the edge, for every form post and query string (see lib.validation).

One place instead of a check per text field: a NUL in an activity title used to be stored and then broke that
month's .xlsx export. API JSON bodies are checked by lib.jsonbody; uploaded files' contents are not text fields.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render

from lib.validation import CONTROL_MSG, has_control_chars

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _dirty(data: QueryDict) -> bool:
    return any(has_control_chars(k) or any(has_control_chars(v) for v in data.getlist(k)) for k in data)


class ControlCharsMiddleware:
    """400 with a zh/en message when a query-string or form field (name or value) holds a control character:
    JSON under /api/, the site's layout elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # request.POST is parsed only for form bodies; a JSON body stays unread for the API's parser.
        form = request.method == "POST" and request.content_type in FORM_TYPES
        if _dirty(request.GET) or (form and _dirty(request.POST)):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "control_chars", "message": CONTROL_MSG.as_dict()}, status=400)
            return render(request, "bad_input.html", {"message": str(CONTROL_MSG)}, status=400)
        return self.get_response(request)
