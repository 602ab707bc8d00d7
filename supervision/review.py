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

from accounts.models import User
from grid.access import role_required
from supervision.models import FlagKind, FlagVerdict, Observation
from supervision.plausibility import REVIEWERS, flags_in_scope, flags_review

PAGE_SIZE = 50


def _records(flags: list[Any]) -> list[dict[str, Any]]:
    """One row per record: its flags' kinds and details, and the record itself (point, outcome, time)."""
    rows: OrderedDict[uuid.UUID, dict[str, Any]] = OrderedDict()
    for f in flags:
        row = rows.setdefault(
            f.client_id, {"client_id": f.client_id, "day": f.day, "flag": f, "kinds": [], "record": None}
        )
        label = FlagKind(f.kind).label
        if f.kind == FlagKind.RATE:
            n = f.detail.get("records_that_day")
            row["kinds"].append(_("%(label)s (%(n)s that day)") % {"label": label, "n": n})
        elif f.kind == FlagKind.CLOCK:
            said = str(f.detail.get("phone_time", ""))[:16].replace("T", " ")
            row["kinds"].append(_("%(label)s (phone said %(t)s)") % {"label": label, "t": said})
        else:
            row["kinds"].append(f"{label} ({f.detail.get('time', '')})")
    if rows:
        first = next(iter(rows.values()))["flag"]
        for obs in Observation.objects.filter(
            subdistrict_id=first.subdistrict_id,
            day__in={r["day"] for r in rows.values()},
            client_id__in=list(rows),
        ).select_related("point"):
            rows[obs.client_id]["record"] = obs
    return list(rows.values())


@role_required(REVIEWERS)
@require_http_methods(["GET", "POST"])
def flagged(request: HttpRequest) -> HttpResponse:
    """GET: the flagged records of my residential areas (?verdict=pending|accepted|rejected, paginated);
    POST: accept or reject the ticked ones (`record` client ids, `verdict`)."""
    user = request.user
    assert isinstance(user, User)
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
        n = flags_review(actor=user, client_ids=ids, verdict=verdict)
        messages.success(request, _("%(n)s records reviewed.") % {"n": len(ids) if n else 0})
        return redirect("supervision:flagged")
    verdict = request.GET.get("verdict", FlagVerdict.PENDING)
    if verdict not in FlagVerdict.values:
        verdict = FlagVerdict.PENDING
    page = Paginator(flags_in_scope(user, verdict), PAGE_SIZE * 2).get_page(request.GET.get("page"))
    rows = _records(list(page.object_list))
    return render(
        request,
        "supervision/flagged.html",
        {"rows": rows, "page": page, "verdict": verdict, "verdicts": FlagVerdict.choices},
    )
