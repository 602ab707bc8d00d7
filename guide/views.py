"""The public "which bin?" page, category pages, the review queue and QR sheets."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import COVERAGE_READERS, GRID_EDITORS, Role, User
from grid.access import get_node_for_user, role_required
from grid.models import Household
from grid.services.household_keys import household_keys_ensure
from guide import counting
from guide.models import AnswerSource, CategoryKey, Item, LookupQuery, QueryStatus
from guide.presenters import answer_dict
from guide.qr import qr_sheet_pdf
from guide.search import QueryError, categories, get_index, lookup, validate_query
from guide.services import review_dismiss, review_resolve
from lib.htmx import render_page

REVIEWERS = frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY})


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
@role_required(REVIEWERS)
def review(request: HttpRequest) -> HttpResponse:
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
@role_required(REVIEWERS)
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    query = get_object_or_404(LookupQuery, pk=pk, status=QueryStatus.OPEN)
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


@require_GET
@role_required(GRID_EDITORS | COVERAGE_READERS)
def qr_households(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    node = get_node_for_user(user, code)
    households = list(
        Household.objects.visible_to(user)
        .in_node(node)
        .select_related("building__microgrid", "community")
        .order_by("code")[:2000]
    )
    # Each code opens that household's own page through its secret (grid.HouseholdKey): printing again keeps
    # the codes already handed out; a lost sheet is re-issued from the household's page.
    tokens = household_keys_ensure(actor=user, households=households)
    labels = [
        (
            request.build_absolute_uri(reverse("resident:page", args=[tokens[h.pk]])),
            f"{h.building.name} {h.room}",
            h.code,
        )
        for h in households
    ]
    pdf = qr_sheet_pdf(labels, title=f"{node.name} · {_('Household QR codes')}")
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="qr-{node.code}.pdf"',
            "Cache-Control": "private, no-store",  # the sheet holds the households' keys
        },
    )
