"""A household's statement, and the community counter where points are redeemed by household QR."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.roles import COUNT_POINTS, MANAGE_AREA, READ_COVERAGE, READ_HOUSEHOLDS
from grid.models import Household
from grid.presenters import household_view
from grid.scope import get_household_for_user, get_node_for_user
from grid.services.household_keys import household_by_token
from lib.clock import local_today
from lib.validation import form_pk
from points.models import LedgerEntry, PointsAccount, Reward
from points.selectors import counter_lookup
from points.services import points_redeem, points_void
from supervision.selectors import repeat_offenders


@require_http_methods(["GET", "POST"])
@role_required(READ_HOUSEHOLDS)
def statement(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    household = get_household_for_user(user, code)
    if request.method == "POST":
        if not user.has_role(MANAGE_AREA):
            raise PermissionDenied
        entry = LedgerEntry.objects.filter(household=household, pk=form_pk(request.POST.get("entry"))).first()
        if entry is not None:
            try:
                points_void(actor=user, entry=entry, reason=request.POST.get("reason", ""))
                messages.success(request, _("Entry reversed."))
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
        return redirect("points:statement", code=household.code)
    account = PointsAccount.objects.filter(household=household).first()
    entries = (
        LedgerEntry.objects.filter(household=household)
        .select_related("reversed_by")
        .order_by("-created_at", "-id")[:200]
    )
    return render(
        request,
        "points/statement.html",
        {
            "household": household,
            "v": household_view(household, user),  # the room masked for roles without personal data
            "balance": account.balance if account else 0,
            "entries": entries,
            "can_void": user.has_role(MANAGE_AREA),
        },
    )


@require_GET
@role_required(READ_COVERAGE)
def leaders(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Per residential area: the households with the most points and those with the most mistakes."""
    user = request.user
    node = get_node_for_user(user, code)
    since = local_today() - datetime.timedelta(days=30)
    top = (
        PointsAccount.objects.filter(household__in=Household.objects.in_node(node), balance__gt=0)
        .select_related("household__building", "household__community")
        .order_by("-balance")[:30]
    )
    return render(
        request,
        "points/leaders.html",
        {"node": node, "top": top, "offenders": repeat_offenders(node, since=since, limit=30)},
    )


@require_http_methods(["GET", "POST"])
@role_required(COUNT_POINTS)
def counter(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    raw = (request.POST.get("household") or request.GET.get("h") or "").strip()[:60]
    text = raw
    household: Household | None = None
    choices: list[Household] = []
    more = False
    if "/h/" in raw:
        # A scanned household QR sheet (…/h/<token>/): its household, if it is one of this counter's.
        scanned = household_by_token(raw.rsplit("/h/", 1)[1].strip("/"))
        text = scanned.code if scanned is not None else ""
        if scanned is None:
            messages.error(request, _("This QR code no longer opens a household page."))
    if text:
        # A code, a QR or the household as the app writes it ("11号楼 3-302"), in the user's part of the grid.
        found = counter_lookup(user, text)
        more = found.more
        if len(found.households) == 1:
            household = found.households[0]
        elif found.households:
            choices = found.households
        elif found.rooms_hidden:
            messages.error(
                request,
                _(
                    "Your role does not see rooms, contact names or phones, so they cannot be searched: "
                    "search by code or building."
                ),
            )
        else:
            place = user.node.name if user.node else _("the grid")
            messages.error(request, _("No household found in %(place)s.") % {"place": place})
    if request.method == "POST" and household is not None:
        reward = Reward.objects.filter(
            pk=form_pk(request.POST.get("reward")), subdistrict_id=household.subdistrict_id
        ).first()
        if reward is None:
            messages.error(request, _("Choose a reward."))
        else:
            try:
                points_redeem(
                    actor=user,
                    household=household,
                    reward=reward,
                    request_key=request.POST.get("request_key", ""),
                )
                messages.success(request, _("Redeemed: %(name)s") % {"name": reward.name})
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
        return redirect(f"{request.path}?h={household.code}")
    account = PointsAccount.objects.filter(household=household).first() if household else None
    rewards = (
        Reward.objects.filter(subdistrict_id=user.node.subdistrict_id, active=True)
        if user.node
        else Reward.objects.none()
    )
    return render(
        request,
        "points/counter.html",
        {
            "household": household,
            "v": household_view(household, user) if household else None,
            "balance": account.balance if account else 0,
            "rewards": rewards,
            "request_key": uuid.uuid4().hex,
            "code": raw if "/h/" not in raw else text,
            # Several households match the text: listed to choose from (each a link to ?h=<its code>).
            "choices": [(h, household_view(h, user)) for h in choices],
            "more": more,
        },
    )
