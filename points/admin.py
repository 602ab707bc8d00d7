from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grid.admin import ScopedAdmin, ScopedQuerysetMixin, VersionedRuleAdmin
from points.models import LedgerEntry, PointRule, Reward


@admin.register(PointRule)
class PointRuleAdmin(VersionedRuleAdmin):
    list_display = ("subdistrict", "effective_from", "per_correct_drop", "daily_cap", "per_activity")


@admin.register(Reward)
class RewardAdmin(ScopedAdmin):
    list_display = ("name", "cost", "stock", "active", "subdistrict")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedQuerysetMixin, admin.ModelAdmin):
    """Read-only: the ledger changes only through the services (reversals, never edits)."""

    scope_field = "household__subdistrict"

    list_display = ("household", "kind", "amount", "day", "reason", "created_at")
    list_filter = ("kind",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
