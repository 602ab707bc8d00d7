from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role, User
from audit.models import AuditEntry
from grid.access import role_required
from lib.xlsx import xlsx_response


@require_GET
@role_required(frozenset({Role.SUBDISTRICT_ADMIN}))
def audit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    qs = AuditEntry.objects.all()
    if user.node is not None:
        qs = qs.filter(subdistrict_id=user.node.subdistrict_id)
    model = request.GET.get("model", "")[:60]
    if model:
        qs = qs.filter(model=model)
    if request.GET.get("export") == "xlsx":
        rows = (
            (e.at.isoformat(), e.actor_name, e.action, e.model, e.object_repr, str(e.changes), e.reason)
            for e in qs[:100_000]
        )
        return xlsx_response(
            "audit.xlsx", ["time", "by", "action", "model", "record", "changes", "reason"], rows
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/audit_list.html", {"page": page, "model": model})
