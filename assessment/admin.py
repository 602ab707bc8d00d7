from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assessment.models import Indicator, InspectionScore, Scheme
from assessment.services import scheme_copy
from grid.admin import ScopedAdmin, VersionedRuleAdmin
from lib.clock import local_today


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["sort_order", "code", "name", "group", "source", "weight", "target", "min_sample"]


@admin.register(Scheme)
class SchemeAdmin(VersionedRuleAdmin):
    list_display = ["name", "effective_from", "subdistrict", "pass_mark", "veto_serious_share"]
    inlines = [IndicatorInline]
    actions = ["copy_to_next_year"]

    @admin.action(description=_("Copy to next year"))
    def copy_to_next_year(self, request: HttpRequest, queryset: QuerySet[Scheme]) -> None:
        for scheme in queryset:
            year = max(scheme.effective_from.year, local_today().year) + 1
            try:
                scheme_copy(actor=request.user, scheme=scheme, year=year)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)


@admin.register(InspectionScore)
class InspectionScoreAdmin(ScopedAdmin):
    list_display = ["day", "community", "indicator_code", "score", "inspector"]
    list_filter = ["indicator_code"]
    # Evidence comes in only through inspection_record and its upload gate (lib.uploads), never the admin.
    readonly_fields = ["client_id", "recorded_by", "evidence"]
