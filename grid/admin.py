from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from audit.admin import AuditedAdmin, AuditedDeleteMixin
from grid.models import Building, GridNode, GridRule, GridWorker, Household, ImportJob, Person


class ScopedAdmin(AuditedAdmin):
    """A sub-district admin sees only their own sub-district in the back office too."""

    scope_field = "subdistrict"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        user = request.user
        if isinstance(user, User) and user.node is not None:
            return qs.filter(**{self.scope_field: user.node.subdistrict_id})
        return qs


@admin.register(GridNode)
class GridNodeAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        user = request.user
        qs = super().get_queryset(request)
        return GridNode.objects.visible_to(user) if isinstance(user, User) and user.node is not None else qs

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.code}/"
        if obj.parent is not None:
            obj.subdistrict = obj.parent.subdistrict
        super().save_model(request, obj, form, change)


@admin.register(GridRule)
class GridRuleAdmin(AuditedAdmin):
    list_display = (
        "subdistrict",
        "effective_from",
        "workers_min",
        "workers_max",
        "households_min",
        "households_max",
    )


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ("code", "name", "community", "microgrid", "address")
    search_fields = ("code", "name", "address")
    list_select_related = ("community", "microgrid")
    raw_id_fields = ("community", "microgrid")


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ("code", "building", "room", "size", "grid_worker")
    search_fields = ("code", "room", "contact_name")
    list_select_related = ("building", "grid_worker__person")
    raw_id_fields = ("building", "grid_worker")


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ("name", "node", "household")
    search_fields = ("name", "phone")
    list_select_related = ("node", "household")
    raw_id_fields = ("node", "household")


@admin.register(GridWorker)
class GridWorkerAdmin(ScopedAdmin):
    list_display = ("code", "person", "microgrid", "active")
    list_filter = ("active",)
    search_fields = ("code", "person__name")
    list_select_related = ("person", "microgrid")
    raw_id_fields = ("person", "microgrid")


@admin.register(ImportJob)
class ImportJobAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    list_display = ("filename", "kind", "status", "created", "created_by", "created_at")
    exclude = ("data",)
    readonly_fields = (
        "kind",
        "filename",
        "status",
        "total",
        "processed",
        "created",
        "errors",
        "created_by",
        "node",
    )
