from django.contrib import admin

from activities.models import Activity, Registration
from grid.admin import ScopedAdmin, ScopedChoicesMixin


class RegistrationInline(ScopedChoicesMixin, admin.TabularInline):
    model = Registration
    extra = 0
    autocomplete_fields = ["person"]
    readonly_fields = ["registered_at"]


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["code", "title", "kind", "starts_at", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["node", "subdistrict", "speaker", "org", "unit"]
    inlines = [RegistrationInline]
