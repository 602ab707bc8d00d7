from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.roles import ADMINISTER_SUBDISTRICT
from audit.models import AuditEntry
from audit.presenter import present
from lib.clock import local_time
from lib.xlsx import xlsx_response


@require_GET
@role_required(ADMINISTER_SUBDISTRICT)
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    qs = AuditEntry.objects.all()
    if user.node is not None:
        qs = qs.filter(subdistrict_id=user.node.subdistrict_id)
    model = request.GET.get("model", "")[:60]
    if model:
        qs = qs.filter(model=model)
    if request.GET.get("export") == "xlsx":
        # The changes as the page shows them (field names, "old → new"), a thousand entries at a time.
        rows = (
            (
                f"{local_time(v.entry.at):%Y-%m-%d %H:%M:%S}",
                v.entry.actor_name,
                v.entry.get_action_display(),
                v.record,
                v.text,
                v.entry.reason,
            )
            for start in range(0, min(qs.count(), 100_000), 1000)
            for v in present(qs[start : start + 1000])
        )
        return xlsx_response(
            "audit.xlsx", [_("Time"), _("By"), _("Action"), _("Record"), _("Changes"), _("Reason")], rows
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    views = present(page.object_list)
    return render(request, "audit/audit_list.html", {"page": page, "views": views, "model": model})
