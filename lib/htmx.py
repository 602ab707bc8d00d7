"""Choosing between a full page and its fragment for htmx requests."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page(request: HttpRequest, page: str, fragment: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, fragment if is_htmx(request) else page, context)
