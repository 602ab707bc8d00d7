from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from accounts.access import sees_every_subdistrict, subdistrict_of
from audit.models import AuditEntry
from audit.services import audit_created, audit_updated, records_delete, snapshot

PROTECTED = _(
    "Not deleted: records that are evidence depend on it (%(objects)s). Close, void or deactivate it instead."
)


class AuditedDeleteMixin:
    """Deletes from the back office: every row deleted (cascades included) is audited through
    `records_delete`, and a delete that PROTECT refuses (evidence hangs off the record) answers with a clear
    message instead of a 500. Django's own confirmation page already lists protected objects; this catches
    the paths that skip it (inline rows, a race between the page and the POST)."""

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        records_delete(actor=request.user, objs=[obj], reason="admin")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        records_delete(actor=request.user, objs=list(queryset), reason="admin")

    def _refused(self, request: HttpRequest, exc: ProtectedError | RestrictedError) -> HttpResponse:
        objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        names = ", ".join(sorted({str(o._meta.verbose_name) for o in objects}))
        self.message_user(request, PROTECTED % {"objects": names}, messages.ERROR)  # type: ignore[attr-defined]
        return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        except (ProtectedError, RestrictedError) as exc:
            return self._refused(request, exc)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
        except (ProtectedError, RestrictedError) as exc:
            return self._refused(request, exc)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)  # type: ignore[misc]
        except (ProtectedError, RestrictedError) as exc:
            return self._refused(request, exc)


class AuditedAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    """Admin edits are changes to records like any other: each one lands in the audit log, inline rows too."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            audit_created(actor=request.user, obj=obj, reason="admin")
        else:
            audit_updated(actor=request.user, obj=obj, before=before, reason="admin")

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # The forms' instances already carry the edits: the rows as they were come from the database.
        pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        before = {o.pk: snapshot(o) for o in formset.model._default_manager.filter(pk__in=pks)}
        instances = formset.save(commit=False)
        records_delete(actor=request.user, objs=formset.deleted_objects, reason="admin")
        for obj in instances:
            known = before.get(obj.pk)
            obj.save()
            if known is None:
                audit_created(actor=request.user, obj=obj, reason="admin")
            else:
                audit_updated(actor=request.user, obj=obj, before=known, reason="admin")
        formset.save_m2m()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "model", "object_repr", "reason")
    list_filter = ("action", "model")
    search_fields = ("object_repr", "actor_name", "object_id")
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """A sub-district admin reads their sub-district's entries only (as on the audit page): the entries
        carry other sub-districts' personal data in their changes."""
        qs = super().get_queryset(request)
        user = request.user
        return qs if sees_every_subdistrict(user) else qs.filter(subdistrict_id=subdistrict_of(user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Django's own Group admin deletes too: audited like the project's.
admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass
