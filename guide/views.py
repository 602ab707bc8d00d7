"""The public "which bin?" page, category pages and the review queue. (The households' QR sheets are grid's:
`grid.resident_views.qr_households`.)"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.roles import MANAGE_AREA
from guide import counting
from guide.models import AnswerSource, CategoryKey, Item, ItemKind, LookupQuery, QueryStatus
from guide.presenters import answer_dict
from guide.search import QueryError, categories, get_index, lookup, validate_query
from guide.services import review_dismiss, review_resolve
from lib.htmx import render_page


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    context: dict[str, object] = {"q": raw[:50], "categories": list(categories().values())}
    if raw.strip():
        try:
            q = validate_query(raw)
        except QueryError as exc:
            context["error"] = exc.msg
        else:
            answer = lookup(q)
            counting.count(answer)
            context["result"] = answer_dict(answer)
    # An old household sheet (before issue 14) pointed here with ?h=<household code>: a guessable code opens
    # no household's page; the lookup page says to ask for the new sheet.
    context["old_sheet"] = "h" in request.GET
    return render_page(request, "guide/index.html", "guide/partials/result.html", context)


@require_GET
def category(request: HttpRequest, key: str) -> HttpResponse:
    cats = categories()
    if key not in cats:
        raise Http404
    index = get_index()
    examples = list(
        Item.objects.filter(category=key, active=True, sources_agree=True)
        .exclude(name__regex=r"[A-Za-z]")
        .exclude(kind=ItemKind.DEPENDS)  # answered by its kind (电池): in no one bin
        .order_by("-sources", "name")
        .values_list("name", flat=True)[:48]
    )
    mistakes = [(entry.name, cats.get(wrong) if wrong else None) for entry, wrong in index.surprising(key)]
    return render(
        request,
        "guide/category.html",
        {"cat": cats[key], "examples": examples, "mistakes": mistakes, "categories": cats.values()},
    )


@require_GET
@role_required(MANAGE_AREA)
def review(request: AuthenticatedHttpRequest) -> HttpResponse:
    queue = LookupQuery.objects.filter(status=QueryStatus.OPEN).order_by("-count", "text")[:100]
    totals = Counter(LookupQuery.objects.values_list("status", flat=True))
    return render(
        request,
        "guide/review.html",
        {
            "queue": queue,
            "choices": CategoryKey.choices,
            "sources": AnswerSource.choices,
            "categories": categories(),
            "open": totals[QueryStatus.OPEN],
        },
    )


@require_POST
@role_required(MANAGE_AREA)
def review_decide(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    query = get_object_or_404(LookupQuery, code=code, status=QueryStatus.OPEN)
    if request.POST.get("action") == "dismiss":
        review_dismiss(actor=user, query=query, reason=request.POST.get("reason", ""))
        messages.success(request, _("Dismissed."))
        return redirect("guide:review")
    try:
        item = review_resolve(
            actor=user,
            query=query,
            category=request.POST.get("category", ""),
            item_name=request.POST.get("item_name", "").strip(),
            reason=request.POST.get("reason", ""),
            source=request.POST.get("source", ""),
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” is now in the knowledge base.") % {"name": item.name})
    return redirect("guide:review")
