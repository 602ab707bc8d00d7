"""The shape every form POST in the views shares: carry out the write, or say why not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

T = TypeVar("T")


def attempt(
    write: Callable[[], T], *, unreadable: str = "", missing: tuple[type[Exception], ...] = ()
) -> tuple[T | None, str]:
    """(what the write returned, "") when it went through; (None, message) when the service refused
    (its ValidationError's messages), a field could not be read (ValueError: `unreadable`) or a chosen
    record is not there (the `missing` exceptions: `unreadable` too)."""
    unreadable_errors: tuple[type[Exception], ...] = (ValueError, *missing)
    try:
        return write(), ""
    except ValidationError as exc:
        return None, " ".join(exc.messages)
    except unreadable_errors:
        return None, unreadable or _("A field could not be read; check the form.")


def form_page(request: HttpRequest, template: str, context: dict[str, Any], error: str) -> HttpResponse:
    """The page again, with the message, answering 400 when the form was refused."""
    return render(request, template, {**context, "error": error}, status=400 if error else 200)
