"""The audit log's filters: who, which kind of record, when, which record. Kept in the page's address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.presenter import person_and_login
from audit.selectors import SYSTEM_ACTOR, AuditFilters, actors_for, record_kinds


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label=_("By"), required=False)
    kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    start = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Record code or name"), required=False, max_length=60)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        everyone: list[tuple[str, Any]] = [("", _("Everyone")), (SYSTEM_ACTOR, _("System"))]
        actor, kind = self.fields["actor"], self.fields["kind"]
        assert isinstance(actor, forms.ChoiceField) and isinstance(kind, forms.ChoiceField)
        actor.choices = everyone + [
            # Said as the log's rows say them, masked alike for a reader who does not see personal data.
            (u.username, person_and_login(u, u.username, user))
            for u in actors_for(user).select_related("person")
        ]
        kind.choices = [("", _("All kinds")), *record_kinds()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> AuditFilters:
        if not self.is_valid():
            return AuditFilters()
        d = self.cleaned_data
        return AuditFilters(
            actor=d.get("actor") or "",
            kind=d.get("kind") or "",
            start=d.get("start"),
            end=d.get("end"),
            q=(d.get("q") or "").strip(),
        )
