from django.contrib import admin

from grid.admin import ScopedAdmin
from party.models import PartyMember, PartyOrg, Pledge, Visit, VisitPlan


@admin.register(PartyOrg)
class PartyOrgAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "parent", "node"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "node", "subdistrict"]


class PledgeInline(admin.TabularInline):
    model = Pledge
    extra = 0
    fields = ["text_version", "signed_on"]


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdmin):
    list_display = ["person", "org", "kind", "community", "reported_on", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person", "org", "community", "subdistrict"]
    inlines = [PledgeInline]


@admin.register(VisitPlan)
class VisitPlanAdmin(ScopedAdmin):
    list_display = ["title", "microgrid", "quarter"]
    search_fields = ["title", "code"]
    autocomplete_fields = ["microgrid", "subdistrict", "members"]


@admin.register(Visit)
class VisitAdmin(ScopedAdmin):
    list_display = ["day", "household", "outcome", "follow_up_done"]
    list_filter = ["outcome", "follow_up_done"]
    autocomplete_fields = ["household", "microgrid", "plan", "subdistrict", "visitors"]
    readonly_fields = ["client_id", "recorded_by"]
