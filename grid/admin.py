from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.models import User
from audit.admin import AuditedAdmin, AuditedDeleteMixin
from grid.models import Building, GridNode, GridRule, GridWorker, Household, ImportJob, Level, Person
from grid.scope import Scope


def scoped_choices(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The rows of `qs` (the choices of a back-office foreign key, raw-id fields included: Django validates a
    typed id against this queryset) that `user` may point at: grid nodes of their subtree, users bound there,
    rows of their sub-district. Other models, and unrestricted users (a superuser bound to no node), get `qs`
    unchanged."""
    scope = Scope.of(user)
    if scope.unrestricted:
        return qs
    if qs.model is GridNode:
        return scope.filter(qs)
    if qs.model is User:
        return scope.filter(qs, "node")
    if any(f.name == "subdistrict" for f in qs.model._meta.fields):
        return qs.filter(subdistrict_id=scope.subdistrict_id)
    return qs


# A foreign key to GridNode named after a level offers only nodes of that level: a reward's 街道 lists
# sub-districts, not every residential area and micro-grid of the tree.
LEVEL_OF_FIELD = {
    "subdistrict": Level.SUBDISTRICT,
    "community": Level.COMMUNITY,
    "microgrid": Level.MICROGRID,
}


class ScopedChoicesMixin:
    """Every foreign key and many-to-many field of a back-office form (and inline) offers and accepts only
    what `scoped_choices` allows: an id typed into a raw-id box from another sub-district is refused as an
    invalid choice, so the back office cannot write outside the admin's scope either."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(request.user, field.queryset)
            level = LEVEL_OF_FIELD.get(db_field.name)
            if level is not None and field.queryset.model is GridNode:
                field.queryset = field.queryset.filter(level=level)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(request.user, field.queryset)
        return field


class ScopedQuerysetMixin:
    """Lists, change pages, deletes and actions see only rows whose grid node at `scope_field` (a foreign
    key path to a GridNode: "subdistrict", "node", "unit__subdistrict") lies in the user's scope; another
    sub-district's row is "not found"."""

    scope_field = "subdistrict"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return Scope.of(request.user).filter(qs, self.scope_field)


class ScopedAdmin(ScopedQuerysetMixin, ScopedChoicesMixin, AuditedAdmin):
    """A sub-district admin sees and writes only their own sub-district in the back office too."""


class VersionedRuleAdmin(ScopedAdmin):
    """Rules with a default (`VersionedRule`: an empty sub-district applies to every sub-district). A scoped
    admin reads the defaults but changes, deletes or adds only their own sub-district's versions: a default
    edited or added from one sub-district would change every other one."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = AuditedAdmin.get_queryset(self, request)
        scope = Scope.of(request.user)
        return qs if scope.unrestricted else qs.filter(scope.q("subdistrict") | Q(subdistrict__isnull=True))

    def _own(self, request: HttpRequest, obj: Any) -> bool:
        return obj is None or Scope.of(request.user).covers(obj.subdistrict)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._own(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._own(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if not Scope.of(request.user).unrestricted and "subdistrict" in form.base_fields:
            form.base_fields["subdistrict"].required = True  # no new default from a sub-district
        return form


@admin.register(GridNode)
class GridNodeAdmin(ScopedChoicesMixin, AuditedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        user = request.user
        qs = super().get_queryset(request)
        return GridNode.objects.visible_to(user) if isinstance(user, User) and user.node is not None else qs

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        """The pickers' searches (autocomplete_fields) offer only nodes of the field's level: a 居民区 for
        "community", a 微网格 for "microgrid" (the form refuses the others anyway)."""
        qs, distinct = super().get_search_results(request, queryset, search_term)
        level = LEVEL_OF_FIELD.get(request.GET.get("field_name", ""))
        if level is not None and "autocomplete" in request.path:
            qs = qs.filter(level=level)
        return qs, distinct

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.code}/"
        if obj.parent is not None:
            obj.subdistrict = obj.parent.subdistrict
        super().save_model(request, obj, form, change)


@admin.register(GridRule)
class GridRuleAdmin(VersionedRuleAdmin):
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
    autocomplete_fields = ("community", "microgrid")


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ("code", "building", "room", "size", "grid_worker")
    search_fields = ("code", "room", "contact_name")
    list_select_related = ("building", "grid_worker__person")
    autocomplete_fields = ("building", "grid_worker")


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ("name", "node", "household")
    search_fields = ("name", "phone")
    list_select_related = ("node", "household")
    autocomplete_fields = ("node", "household")


@admin.register(GridWorker)
class GridWorkerAdmin(ScopedAdmin):
    list_display = ("code", "person", "microgrid", "active")
    list_filter = ("active",)
    search_fields = ("code", "person__name")
    list_select_related = ("person", "microgrid")
    autocomplete_fields = ("person", "microgrid")


@admin.register(ImportJob)
class ImportJobAdmin(ScopedQuerysetMixin, AuditedDeleteMixin, admin.ModelAdmin):
    scope_field = "node"

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
