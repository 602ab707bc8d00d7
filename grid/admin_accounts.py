"""The back office's users and log-in records (axes), scoped by the grid (`Scope`, `ScopedChoicesMixin`): so they
live with the grid, not in `accounts` (which imports no domain app). grid/admin.py imports this module."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.admin import AuditedAdmin, AuditedDeleteMixin
from grid.admin import ScopedChoicesMixin
from grid.scope import Scope


class UserAddForm(AdminUserCreationForm):
    """The admin's "add user": the password goes through AUTH_PASSWORD_VALIDATORS (Django's form does that);
    role and grid node are asked for here, since an active user without a node breaks the
    user_bound_to_node constraint (a 500 before)."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "node")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("node") and "node" not in self.errors:  # one message, not "required" and this
            self.add_error("node", _("Choose the grid node this user works at."))
        return cleaned


@admin.register(User)
class UserAdmin(ScopedChoicesMixin, BaseUserAdmin, AuditedAdmin):
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
    autocomplete_fields = ("node", "person")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        user = request.user
        if isinstance(user, User) and user.node is not None:
            return qs.filter(node__path__startswith=user.node.path)
        return qs

    # What a back-office user bound to a node may not hand out: a superuser bound to no node sees every
    # sub-district (Scope), and staff status or permissions widen the back office itself.
    PRIVILEGES = ("is_superuser", "is_staff", "groups", "user_permissions")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if Scope.of(request.user).unrestricted else fields + self.PRIVILEGES

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if not Scope.of(request.user).unrestricted and "node" in form.base_fields:
            # Emptying the node of a superuser would make them unrestricted: a scoped admin always binds one.
            form.base_fields["node"].required = True
        if "node" in form.base_fields:
            form.base_fields["node"].error_messages["required"] = _(
                "Choose the grid node this user works at."
            )
        return form


class LoginRecordsInScopeMixin:
    """Log-in records (axes: username, IP address, browser) of the users in the admin's scope only: another
    sub-district's staff's addresses are personal data too. The operator (no node) sees every record, also
    those of names that match no account."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        scope = Scope.of(request.user)
        if scope.unrestricted:
            return qs
        return qs.filter(username__in=scope.filter(User.objects.all(), "node").values("username"))


# Unlocking a log-in (deleting its failed attempts in the admin) is attributable like any other delete.
# Importing axes.admin above registers its admin first (accounts comes before axes in INSTALLED_APPS).
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(LoginRecordsInScopeMixin, AuditedDeleteMixin, AccessAttemptAdmin):
    pass


for _model, _admin in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    if admin.site.is_registered(_model):  # axes registers them only with AXES_ENABLE_ADMIN
        admin.site.unregister(_model)
        admin.site.register(
            _model,
            type(f"Scoped{_admin.__name__}", (LoginRecordsInScopeMixin, _admin), {"__module__": __name__}),
        )
