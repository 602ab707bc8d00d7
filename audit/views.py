from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.roles import ADMINISTER_SUBDISTRICT
from audit.forms import AuditFilterForm
from audit.presenter import present
from audit.selectors import filter_entries, visible_entries
from lib.clock import local_time
from lib.xlsx import xlsx_response


@require_GET
@role_required(ADMINISTER_SUBDISTRICT)
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if "model" in data and "kind" not in data:  # the older address (?model=party.Visit) still works
        data["kind"] = data.get("model", "")
    form = AuditFilterForm(data, user=request.user)
    status = 200 if form.is_valid() else 400
    qs = filter_entries(visible_entries(request.user), form.filters())
    if status == 200 and request.GET.get("export") == "xlsx":
        # The changes as the page shows them (field names, "old → new"), a thousand entries at a time.
        rows = (
            (
                f"{local_time(v.entry.at):%Y-%m-%d %H:%M:%S}",
                v.actor,
                v.entry.get_action_display(),
                v.record,
                v.text,
                v.entry.reason,
            )
            for start in range(0, min(qs.count(), 100_000), 1000)
            for v in present(qs[start : start + 1000], reader=request.user)
        )
        return xlsx_response(
            "audit.xlsx", [_("Time"), _("By"), _("Action"), _("Record"), _("Changes"), _("Reason")], rows
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    views = present(page.object_list, reader=request.user)
    query = data.copy()
    for key in ("page", "export", "model"):
        query.pop(key, None)
    context = {"page": page, "views": views, "form": form, "querystring": query.urlencode()}
    return render(request, "audit/audit_list.html", context, status=status)
