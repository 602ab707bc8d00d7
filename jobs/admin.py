from typing import Any

from django.contrib import admin

from audit.admin import AuditedAdmin
from jobs.models import Attempt, HolidayYear


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    # Read only: a record of what the workers did (django-q2's own admin has the queue and the results).
    list_display = ["func", "starts", "outcome", "created_at", "updated_at"]
    list_filter = ["outcome", "func"]
    readonly_fields = ["key", "func", "starts", "outcome", "error", "created_at", "updated_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(HolidayYear)
class HolidayYearAdmin(AuditedAdmin):
    # Deleting a year (audited) lets the monthly job copy it again, e.g. after the State Council amends it.
    list_display = ["year", "days", "loaded_at"]
    readonly_fields = ["year", "days", "loaded_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False
