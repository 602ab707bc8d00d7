"""The review of flagged bin-side records (supervision.plausibility): a secretary or the sub-district admin
looks at records that look implausible and accepts them as evidence or rejects them."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import User
from accounts.roles import MANAGE_AREA
from grid.presenters import household_view
from supervision.models import FlagKind, FlagVerdict, Observation
from supervision.plausibility import RATE_MAX_PER_DAY, flags_in_scope, flags_review

PAGE_SIZE = 50


def _why(f: Any) -> str:
    """Why a record was flagged, as a sentence a reviewer reads (not the flag's kind and raw detail)."""
    if f.kind == FlagKind.RATE:
        return _("%(n)s records of this household that day (more than %(max)s is unlikely)") % {
            "n": f.detail.get("records_that_day", "?"),
            "max": RATE_MAX_PER_DAY,
        }
    if f.kind == FlagKind.CLOCK:
        said = str(f.detail.get("phone_time", ""))[:16].replace("T", " ")
        return _("The phone's clock said %(t)s, too far from the server's; kept at the time it arrived") % {
            "t": said or "?"
        }
    return _("Recorded at %(t)s, outside the point's opening hours") % {"t": f.detail.get("time", "?")}


def _records(flags: list[Any], user: User) -> list[dict[str, Any]]:
    """One row per record: why it was flagged (in words), the household as the user may see it (masked per
    role, grid.presenters), and the record itself (point, outcome, time)."""
    rows: OrderedDict[uuid.UUID, dict[str, Any]] = OrderedDict()
    for f in flags:
        row = rows.setdefault(
            f.client_id,
            {
                "client_id": f.client_id,
                "day": f.day,
                "flag": f,
                "kinds": [],
                "record": None,
                "household": household_view(f.household, user) if f.household_id else None,
            },
        )
        row["kinds"].append(_why(f))
    if rows:
        first = next(iter(rows.values()))["flag"]
        for obs in Observation.objects.filter(
            subdistrict_id=first.subdistrict_id,
            day__in={r["day"] for r in rows.values()},
            client_id__in=list(rows),
        ).select_related("point"):
            rows[obs.client_id]["record"] = obs
        # Who recorded it (the reviewer checks the time with them): the volunteer's name, masked like other
        # people for a reader who does not see personal data; the login when no person is linked.
        users = {
            u.pk: u
            for u in User.objects.filter(
                pk__in={r["record"].recorded_by_id for r in rows.values() if r["record"] is not None}
            ).select_related("person")
        }
        for r in rows.values():
            by = users.get(r["record"].recorded_by_id) if r["record"] is not None else None
            r["recorded_by"] = by.display_name_for(user) if by is not None else ""
    return list(rows.values())


@role_required(MANAGE_AREA)
@require_http_methods(["GET", "POST"])
def flagged(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the flagged records of my residential areas (?verdict=pending|accepted|rejected, paginated);
    POST: accept or reject the ticked ones (`record` client ids, `verdict`)."""
    user = request.user
    if request.method == "POST":
        verdict = request.POST.get("verdict", "")
        ids = []
        for raw in request.POST.getlist("record"):
            try:
                ids.append(uuid.UUID(raw))
            except ValueError:
                return HttpResponse(_("Not a record."), status=400)
        if verdict not in (FlagVerdict.ACCEPTED, FlagVerdict.REJECTED) or not ids:
            messages.error(request, _("Tick at least one record and choose accept or reject."))
            return redirect("supervision:flagged")
        # A verdict changes what counts as case evidence: the audit keeps why (issue 17).
        reason = request.POST.get("reason", "").strip()[:300]
        if not reason:
            messages.error(request, _("Say why you accept or reject these records."))
            return _page(request, user, FlagVerdict.PENDING, status=400, ticked={str(i) for i in ids})
        n = flags_review(actor=user, client_ids=ids, verdict=verdict, reason=reason)
        messages.success(request, _("%(n)s records reviewed.") % {"n": len(ids) if n else 0})
        return redirect("supervision:flagged")
    verdict = request.GET.get("verdict", FlagVerdict.PENDING)
    if verdict not in FlagVerdict.values:
        verdict = FlagVerdict.PENDING
    return _page(request, user, verdict)


def _page(
    request: HttpRequest, user: User, verdict: str, *, status: int = 200, ticked: set[str] | None = None
) -> HttpResponse:
    page = Paginator(
        flags_in_scope(user, verdict).select_related(
            "household__building__microgrid", "household__grid_worker__person"
        ),
        PAGE_SIZE * 2,
    ).get_page(request.GET.get("page"))
    rows = _records(list(page.object_list), user)
    return render(
        request,
        "supervision/flagged.html",
        {
            "rows": rows,
            "page": page,
            "verdict": verdict,
            "verdicts": FlagVerdict.choices,
            "ticked": ticked or set(),
            "reason": request.POST.get("reason", "")[:300],
        },
        status=status,
    )
