"""A confirmation step for writes that cannot be undone, without JavaScript.

A form that does something irreversible posts as usual; the view first asks `confirm_first`. The first post
answers a page that says what will happen and posts the same fields again with `confirmed=1` (its "Confirm"
button) or leads back (its "Back" link). Only the second post reaches the service. File fields cannot be
carried over this way, so forms with uploads are not confirmed through here.

A form with typed text (an activity's summary) asks with `keep=True`: "Back" then posts the same fields with
`went_back=1` to the same address, and that view shows its form again filled in from them (`went_back`)
instead of a link that drops what was typed. A view that asks so checks `went_back(request)` before anything
else; one that forgets only asks again (the post carries no `confirmed=1`), it never writes.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"
BACK = "went_back"


def went_back(request: HttpRequest) -> bool:
    """Whether this POST is the "Back" of a confirmation page asked with `keep=True`: show the form again,
    filled in from `request.POST`; write nothing."""
    return request.method == "POST" and request.POST.get(BACK) == "1" and request.POST.get(CONFIRMED) != "1"


def confirm_first(
    request: HttpRequest,
    *,
    title: str,
    consequences: list[str],
    back: str,
    button: str = "",
    final: bool = True,
    adds: dict[str, str] | None = None,
    keep: bool = False,
) -> HttpResponse | None:
    """None when this POST carries `confirmed=1` (go ahead); else the confirmation page (200) that posts the
    same fields to the same address. `title`: the question; `consequences`: what will happen, one line each;
    `back`: where "Back" leads (a path of this site); `button`: the confirm button's text; `final`: the page
    says "this cannot be undone" (False for a step that can be taken again, e.g. registering once more
    after cancelling: the consequences say how); `adds`: fields the confirmed post carries besides the form's
    own, for a service that takes a step only when told this question was answered (an activity ended before
    its scheduled end: `end_early=1`); they replace the form's fields of the same name; `keep`: "Back" posts
    the fields back (`went_back`) so that what was typed is not lost, rather than leading to `back`."""
    if request.POST.get(CONFIRMED) == "1":
        return None
    fields = [
        (key, value)
        for key, values in request.POST.lists()
        if key not in ("csrfmiddlewaretoken", CONFIRMED, BACK, *(adds or {}))
        for value in values
    ] + list((adds or {}).items())
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "consequences": consequences,
            "fields": fields,
            "action": request.get_full_path(),
            "back": back,
            "button": button,
            "final": final,
            "keep": keep,
        },
    )
