"""Choosing between a full page and its fragment for htmx requests."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    """True for an htmx request that wants a fragment (not a boosted page). Reads META, not `request.headers`,
    which builds a dict of every header on first use: a contest tap's fast path asks this of 200 taps a second."""
    meta = request.META
    return meta.get("HTTP_HX_REQUEST") == "true" and meta.get("HTTP_HX_BOOSTED") != "true"


def render_page(request: HttpRequest, page: str, fragment: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, fragment if is_htmx(request) else page, context)
