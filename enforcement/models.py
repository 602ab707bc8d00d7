"""Enforcement under the regulation: the penalty articles and the discretion tiers as versioned data, and
cases that walk from persuasion to a decision, every step kept (a wrong step is voided, never deleted)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from lib.db import TimeStampedModel


class Subject(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    UNIT = "unit", _("Unit")
    RESPONSIBLE = "responsible", _("Management responsible person")
    COLLECTOR = "collector", _("Collector / transporter")


class Article(models.Model):
    """One penalty provision in one version: a later amendment is a new row with a later effective date."""

    code = models.CharField(_("article"), max_length=12)  # e.g. "57(2)"
    subject = models.CharField(_("applies to"), max_length=12, choices=Subject.choices)
    title = models.CharField(_("title"), max_length=200)
    # The regulation is Chinese law; the English title is an aid for English pages, "" where none is known.
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    condition = models.CharField(_("condition"), max_length=300)
    fine_min = models.PositiveIntegerField(_("minimum fine (¥)"))
    fine_max = models.PositiveIntegerField(_("maximum fine (¥)"))
    correction = models.CharField(
        _("correction required"),
        max_length=20,
        choices=[("immediate", _("Immediately")), ("deadline", _("Within a deadline"))],
    )
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("penalty article")
        verbose_name_plural = _("penalty articles")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="article_unique_version"),
            models.CheckConstraint(
                condition=Q(fine_min__lte=models.F("fine_max")), name="article_fine_range"
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.code}条 ({self.effective_from})"

    @property
    def label(self) -> str:
        """Number and title in the active language: "第57(2)条 · 个人混合投放" / "Art. 57(2) · Individual
        mixed disposal" (the Chinese title where no English one is stored)."""
        english = (get_language() or "").startswith("en") and self.title_en
        title = self.title_en if english else self.title
        return gettext("Art. %(code)s") % {"code": self.code} + " · " + title


class Tier(models.Model):
    """A discretion tier within an article (first vs repeat refusal; what was mixed)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tiers")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    # Like Article.title_en: the standard is Chinese; the English label is an aid for English pages.
    label_en = models.CharField(_("label in English"), max_length=160, blank=True)
    repeat = models.BooleanField(_("second or later refusal"), default=False)
    fine_min = models.PositiveIntegerField(_("minimum fine (¥)"))
    fine_max = models.PositiveIntegerField(_("maximum fine (¥)"))

    class Meta:
        verbose_name = _("discretion tier")
        verbose_name_plural = _("discretion tiers")
        constraints = [
            models.UniqueConstraint(fields=["article", "code"], name="tier_unique_code"),
            models.CheckConstraint(condition=Q(fine_min__lte=models.F("fine_max")), name="tier_fine_range"),
        ]

    def __str__(self) -> str:
        return f"{self.article.code} {self.label}"

    @property
    def name(self) -> str:
        """The label in the active language (the Chinese one where no English one is stored)."""
        return self.label_en if _english() and self.label_en else self.label


def _english() -> bool:
    return (get_language() or "").startswith("en")


def tier_name(label: str) -> str:
    """A tier's label as stored in a step (Chinese, at decision time) in the reader's language: English
    pages read the tier's `label_en`, so a case step no longer shows "(tier: 湿垃圾…)" in English."""
    if not _english() or not label:
        return label
    en = Tier.objects.filter(label=label).exclude(label_en="").values_list("label_en", flat=True).first()
    return en or label


class CaseSource(models.TextChoices):
    BIN_RECORD = "bin_record", _("Refusal recorded at the bin")
    REPEAT_RULE = "repeat_rule", _("Caught more than 3 times in 30 days")
    REPORT = "report", _("Report")
    MANUAL = "manual", _("Opened by hand")


class CaseStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PERSUASION = "persuasion", _("Persuasion recorded")
    NOTICE = "notice", _("Rectification notice issued")
    CORRECTED = "corrected", _("Corrected")
    REFUSED = "refused", _("Refused to correct")
    REFERRED = "referred", _("Referred to law enforcement")
    DECIDED = "decided", _("Penalty decided")
    CLOSED = "closed", _("Closed")
    DISMISSED = "dismissed", _("Dismissed")


class Case(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("residential area")
    )
    code = models.CharField(_("case number"), max_length=40, unique=True)
    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices)
    household = models.ForeignKey(
        "grid.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    subject_name = models.CharField(_("unit / person name"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=CaseSource.choices)
    violation_day = models.DateField(_("day of the violation"))
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="+", verbose_name=_("article in force")
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.PROPOSED
    )
    fine = models.PositiveIntegerField(_("fine (¥)"), null=True, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evidence = models.JSONField(_("evidence (record ids)"), default=list, blank=True)
    # The last day to correct, from the rectification notice: "refused" / "referred" wait until it has passed.
    due = models.DateField(_("correct by"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["subdistrict", "status"], name="case_sd_status_idx")]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("enforcement:case_detail", args=[self.code])


class CaseStep(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")  # evidence: never cascaded
    status = models.CharField(_("step"), max_length=12, choices=CaseStatus.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Generated text is stored as a message key + parameters (data["msg"], data["params"]) and rendered in the
    # reader's language by `generated`; `note` holds only what a person typed.
    data = models.JSONField(default=dict, blank=True)
    # The record a closing rests on: a payment receipt or a photo / scan of the correction (lib.uploads).
    document = models.FileField(_("document"), upload_to="cases/%Y/", blank=True)
    voided_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="voids"
    )

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case.code} {self.get_status_display()}"

    @property
    def generated(self) -> str:
        """The step's generated text in the active language ("" when there is none); see `step_text`."""
        return step_text(self.data, self.note)

    @property
    def typed_note(self) -> str:
        """What a person typed (rows from before structured notes held generated English here: not shown)."""
        return "" if _legacy(self.note) else self.note


def _step_messages() -> dict[str, str]:
    # Looked up at render time so each reader gets their own language.
    return {
        "repeat": gettext("Mistakes on %(days)d different days in %(window)d days (%(records)d records)"),
        "repeat_legacy": gettext("%(records)d catches in %(window)d days"),
        "refused_at_bin": gettext("Refused to correct at the bin"),
        "notice": gettext("Correct by %(deadline)s"),
        "void": gettext("Voids the previous step"),
        "void_legacy": gettext("Voids the previous step: %(reason)s"),
        "paid": gettext("Fine of ¥%(amount)d paid; receipt attached"),
        "corrected": gettext("Corrected; document attached"),
        "decided": gettext("Fine ¥%(fine)d (tier: %(tier)s)"),
    }


_LEGACY_REPEAT = re.compile(r"^(\d+) catches in (\d+) days$")


def _legacy(note: str) -> dict[str, Any] | None:
    """Rows written before structured notes carried generated English in `note`; read them as keys."""
    if m := _LEGACY_REPEAT.match(note):
        return {"msg": "repeat_legacy", "params": {"records": int(m[1]), "window": int(m[2])}}
    if note == "refused to correct at the bin":
        return {"msg": "refused_at_bin", "params": {}}
    if note.startswith("void: "):
        return {"msg": "void_legacy", "params": {"reason": note[6:]}}
    return None


def step_text(data: dict[str, Any], note: str = "") -> str:
    """Render a step's generated text from data {"msg": key, "params": {...}} (or a legacy English note);
    unknown keys or parameters render as "" rather than failing a page."""
    spec = data if data.get("msg") else (_legacy(note) or {})
    template = _step_messages().get(str(spec.get("msg", "")))
    if template is None:
        return ""
    params = dict(spec.get("params") or {})
    if spec.get("msg") == "decided" and isinstance(params.get("tier"), str):
        params["tier"] = tier_name(params["tier"])
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return ""
