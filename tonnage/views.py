"""Tonnage per node and month (三增一减), recording a weigh ticket, importing a spreadsheet."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import User
from accounts.roles import MANAGE_AREA, READ_COVERAGE
from grid.models import GridNode, Level
from grid.scope import get_node_for_user
from grid.services.importing import ImportRejected
from guide.models import CategoryKey
from lib.clock import local_today
from lib.periods import last_whole_day, query_month
from lib.uploads import read_capped
from lib.validation import form_pk
from lib.xlsx import MAX_BYTES as TABLE_MAX_BYTES
from lib.xlsx import xlsx_response
from tonnage.importing import HEADERS, STATION, tonnage_import
from tonnage.models import TonnageRecord
from tonnage.selectors import shares, tonnage_summary
from tonnage.services import tonnage_conflicts_resolve, tonnage_record


def _month(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """The month asked for, else the last one with whole data; a running month up to yesterday (whole days,
    as the assessment and the numbers pages count)."""
    month = query_month(request, whole=True)
    return month.start, min(month.end, last_whole_day())


@require_GET
@role_required(READ_COVERAGE)
def summary(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = get_node_for_user(user, code)
    start, end = _month(request)
    rows = tonnage_summary(node, start, end)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"tonnage-{node.code}-{start:%Y-%m}.xlsx",
            [
                _("Category"),
                _("kg"),
                _("kg a day"),
                _("Baseline (kg/day)"),
                pgettext("difference", "Change"),
                _("g per household a day"),
                _("g per resident a day"),
            ],
            [
                (
                    r.label,
                    r.kg,
                    round(r.kg_per_day, 1),
                    r.baseline_kg_per_day,
                    r.change_pct,
                    r.per_household_g,
                    r.per_resident_g,
                )
                for r in rows
            ],
        )
    children = []
    if node.level != Level.COMMUNITY:
        for child in node.children.order_by("sort_order", "code"):
            children.append((child, tonnage_summary(child, start, end)))
    return render(
        request,
        "tonnage/summary.html",
        {
            "node": node,
            "rows": rows,
            "shares": shares(rows),
            "start": start,
            "end": end,
            "children": children,
            "can_edit": user.has_role(MANAGE_AREA),
        },
    )


def _manual_ref(request: HttpRequest) -> str:
    """The ticket number typed, else one made from the key the form was rendered with: a double click sends
    the same key, so it records once; a post without either is refused by the service (lib.idempotency)."""
    ref = request.POST.get("ref", "").strip()
    key = request.POST.get("request_key", "").strip()
    return ref or (f"manual-{key}" if key else "")


def _resolve(request: HttpRequest, user: User, node: GridNode) -> HttpResponse:
    """The person's choice for each conflict of an import: keep the stored weighing, or replace it with the
    file's values (carried back by the form; the service checks them and the scope again)."""
    decisions = []
    communities = {c.code: c for c in GridNode.objects.subtree(node).filter(level=Level.COMMUNITY)}
    for i in range(min(form_pk(request.POST.get("count")), 500)):  # an import lists at most 500 conflicts
        if request.POST.get(f"c{i}-choice") != "replace":
            continue
        community = communities.get(request.POST.get(f"c{i}-community", ""))
        try:
            day = datetime.date.fromisoformat(request.POST.get(f"c{i}-day", ""))
        except ValueError:
            community = None
        if community is None:
            return HttpResponse(_("The form was changed; import the file again."), status=400)
        decisions.append(
            (
                request.POST.get(f"c{i}-station", ""),
                request.POST.get(f"c{i}-ref", ""),
                community,
                day,
                request.POST.get(f"c{i}-category", ""),
                request.POST.get(f"c{i}-kg", ""),
            )
        )
    try:
        n = tonnage_conflicts_resolve(actor=user, decisions=decisions)
    except (TonnageRecord.DoesNotExist, ValidationError):
        return HttpResponse(_("The form was changed; import the file again."), status=400)
    messages.success(request, _("%(n)d weighings replaced; the others kept.") % {"n": n})
    return redirect("tonnage:record", code=node.code)


@require_http_methods(["GET", "POST"])
@role_required(MANAGE_AREA)
def record(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = get_node_for_user(user, code)
    communities = GridNode.objects.subtree(node).filter(level=Level.COMMUNITY).order_by("code")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if request.POST.get("form") == "resolve":
            return _resolve(request, user, node)
        if request.POST.get("form") == "import" and upload is not None:
            try:
                data = read_capped(upload, max_bytes=TABLE_MAX_BYTES)  # refused before it is read
                result = tonnage_import(actor=user, root=node, filename=upload.name or "upload", data=data)
                messages.success(request, _("%(n)d weighings imported.") % {"n": result.created})
                for skipped in result.skipped[:50]:
                    messages.warning(
                        request,
                        _("Row %(row)s (ticket %(ref)s) skipped: %(reason)s")
                        % {"row": skipped.row, "ref": skipped.ref, "reason": skipped.reason},
                    )
                if result.conflicts:
                    return render(
                        request,
                        "tonnage/conflicts.html",
                        {
                            "node": node,
                            "conflicts": result.conflicts,
                            "categories": dict(CategoryKey.choices),
                        },
                    )
            except ImportRejected as exc:
                for e in exc.errors[:50]:
                    messages.error(request, f"{e.row} [{e.column}] {e.msg.zh} / {e.msg.en}")
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            return redirect("tonnage:record", code=node.code)
        community = communities.filter(code=request.POST.get("community", "")).first()
        refused = True  # until the write goes through: a refused form answers 400 with its message
        try:
            day = datetime.date.fromisoformat(request.POST.get("day", ""))
            if community is None:
                raise ValidationError(_("Choose a residential area."))
            _rec, created = tonnage_record(
                actor=user,
                community=community,
                day=day,
                category=request.POST.get("category", ""),
                kg=request.POST.get("kg", ""),
                ref=_manual_ref(request),
                photo=request.FILES.get("photo"),
            )
            messages.success(request, _("Recorded.") if created else _("This ticket was already recorded."))
            refused = False
        except ValueError:
            messages.error(request, _("The day must be a date."))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        if not refused:
            return redirect("tonnage:record", code=node.code)
    return render(
        request,
        "tonnage/record.html",
        {
            "node": node,
            "communities": communities,
            "categories": CategoryKey.choices,
            "today": local_today(),
            "headers": HEADERS,
            "station_header": STATION,
            "request_key": uuid.uuid4().hex,  # a weighing without a ticket number is still recorded once
        },
        status=400 if request.method == "POST" else 200,  # a POST that reaches here was refused
    )
