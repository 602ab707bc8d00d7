from django.contrib import admin

from audit.admin import AuditedAdmin
from contests.models import Contest, Question
from grid.admin import ScopedAdmin


@admin.register(Question)
class QuestionAdmin(AuditedAdmin):
    list_display = ["text", "kind", "answer", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["text"]


@admin.register(Contest)
class ContestAdmin(ScopedAdmin):
    list_display = ["code", "title", "node", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["node", "subdistrict"]
