from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.admin import AuditedAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin, AuditedAdmin):
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
