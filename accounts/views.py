"""Log in: django-axes' lockout page (the home page is the project's: wastegrid/home.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' lockout page (settings.AXES_LOCKOUT_CALLABLE): the login form with why and how long, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"locked_minutes": minutes, "next": request.POST.get("next", "")}
    return render(request, "accounts/login.html", context, status=429)
