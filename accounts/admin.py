from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.admin import AuditedAdmin, AuditedDeleteMixin


class UserAddForm(AdminUserCreationForm):
    """The admin's "add user": the password goes through AUTH_PASSWORD_VALIDATORS (Django's form does that);
    role and grid node are asked for here, since an active user without a node breaks the
    user_bound_to_node constraint (a 500 before)."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "node")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("node"):
            self.add_error("node", _("Choose the grid node this user works at."))
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin, AuditedAdmin):
    add_form = UserAddForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "role", "node", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("username", "role", "node", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Grid"), {"fields": ("role", "node", "person")}),
    )
    raw_id_fields = ("node", "person")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        user = request.user
        if isinstance(user, User) and user.node is not None:
            return qs.filter(node__path__startswith=user.node.path)
        return qs


# Unlocking a log-in (deleting its failed attempts in the admin) is attributable like any other delete.
# Importing axes.admin above registers its admin first (accounts comes before axes in INSTALLED_APPS).
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AuditedDeleteMixin, AccessAttemptAdmin):
    pass
