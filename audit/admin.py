from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from audit.models import AuditEntry
from audit.services import audit_created, audit_deleted, audit_updated, snapshot


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits are changes to records like any other: each one lands in the audit log."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            audit_created(actor=request.user, obj=obj, reason="admin")
        else:
            audit_updated(actor=request.user, obj=obj, before=before, reason="admin")

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit_deleted(actor=request.user, obj=obj, reason="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audit_deleted(actor=request.user, obj=obj, reason="admin")
        super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "model", "object_repr", "reason")
    list_filter = ("action", "model")
    search_fields = ("object_repr", "actor_name", "object_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
