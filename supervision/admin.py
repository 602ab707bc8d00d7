from django.contrib import admin

from audit.admin import AuditedAdmin
from supervision.models import Holiday


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    # The city's days off the usual week: statutory ones arrive from chinese-calendar (jobs.holidays) and staff
    # add, correct or delete any here (audited); a row they change is never overwritten by the next copy.
    list_display = ["day", "name", "workday", "opens_like"]
    list_filter = ["workday"]
    search_fields = ["name"]
    date_hierarchy = "day"
    ordering = ["-day"]
