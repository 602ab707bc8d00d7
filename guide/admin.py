from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin, AuditedDeleteMixin
from audit.services import audit_created, audit_updated, records_delete, snapshot
from guide.kb import pinyin_of
from guide.models import Alias, Category, Item, ItemPart, LookupQuery, Scheme, SubClass


class ItemForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason / source of this change"), max_length=200)

    class Meta:
        model = Item
        fields = ["name", "category", "kind", "name_en", "tip", "active", "flagged", "flag_note"]


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1
    fields = ("text", "kind")


class PartInline(admin.TabularInline):
    """The parts of an answer in parts (奶茶: the drink, the pearls, the cup), each with where it goes."""

    model = ItemPart
    extra = 0
    fields = ("order", "name", "name_en", "destination")


@admin.register(Item)
class ItemAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    """Staff add and correct items; every change needs a reason and lands in the audit log (the history)."""

    form = ItemForm
    list_display = ("name", "category", "kind", "name_en", "origin", "sources_agree", "flagged", "active")
    list_filter = ("category", "kind", "origin", "sources_agree", "flagged", "active")
    search_fields = ("name", "name_en", "pinyin")
    inlines = [AliasInline, PartInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(Item.objects.get(pk=obj.pk)) if change else None
        obj.pinyin, obj.initials = pinyin_of(obj.name)
        if not change:
            obj.origin = "staff"
            obj.sources = "staff"
        super().save_model(request, obj, form, change)
        reason = form.cleaned_data["reason"]
        if before is None:
            audit_created(actor=request.user, obj=obj, reason=reason)
        else:
            audit_updated(actor=request.user, obj=obj, before=before, reason=reason)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        aliases = formset.save(commit=False)
        for alias in aliases:
            if isinstance(alias, Alias):  # the parts inline comes through here too
                alias.pinyin = pinyin_of(alias.text)[0]
            before = snapshot(type(alias).objects.get(pk=alias.pk)) if alias.pk else None
            alias.save()
            if before is None:
                audit_created(actor=request.user, obj=alias, reason=form.cleaned_data["reason"])
            else:
                audit_updated(
                    actor=request.user, obj=alias, before=before, reason=form.cleaned_data["reason"]
                )
        records_delete(actor=request.user, objs=formset.deleted_objects, reason=form.cleaned_data["reason"])


@admin.register(LookupQuery)
class LookupQueryAdmin(AuditedDeleteMixin, admin.ModelAdmin):
    list_display = ("text", "count", "category", "method", "confidence", "status", "last_at")
    list_filter = ("status", "method")
    search_fields = ("text",)
    readonly_fields = [f.name for f in LookupQuery._meta.fields]


admin.site.register(Scheme, AuditedAdmin)
admin.site.register(Category, AuditedAdmin)
admin.site.register(SubClass, AuditedAdmin)
