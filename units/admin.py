from django.contrib import admin

from grid.admin import ScopedAdmin, ScopedChoicesMixin
from units.models import Commitment, Liaison, Meeting, MemberUnit


class LiaisonInline(ScopedChoicesMixin, admin.TabularInline):
    model = Liaison
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(MemberUnit)
class MemberUnitAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "joined_on", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["subdistrict", "community"]
    inlines = [LiaisonInline]


@admin.register(Commitment)
class CommitmentAdmin(ScopedAdmin):
    scope_field = "unit__subdistrict"
    list_display = ["title", "unit", "year", "status", "due"]
    list_filter = ["status", "year"]
    # Evidence comes in only through commitment_update and its upload gate (lib.uploads), never the admin.
    readonly_fields = ["evidence"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["title", "day", "place"]
