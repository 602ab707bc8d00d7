"""The annual quantitative assessment (年度量化考核) as data: a scheme per year (and optionally per
sub-district), its indicators with source, weight, target and minimum sample, and the manual inspection scores
third-party checkers give. Scores are computed from the records (`assessment.scoring`), never stored."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from grid.models import VersionedRule
from grid.scope import ScopedQuerySet
from lib.db import TimeStampedModel


def _in_language(zh: str, en: str) -> str:
    """`en` on English pages when there is one; else the Chinese text (the default language)."""
    return en if en and (get_language() or "").startswith("en") else zh


class Source(models.TextChoices):
    """Where an indicator's numbers come from; each has a formula in `assessment.sources`."""

    INSPECTION = "inspection", _("Inspection scores (entered)")
    PURITY = "purity", _("Bin purity checks (clean 1, slight ½, serious 0)")
    CORRECT_RATE = "correct_rate", _("Correct drop-offs at the bins")
    STAFFING = "staffing", _("Opening windows with someone on duty")
    TONNAGE_DAYS = "tonnage_days", _("Days with weighed collection")
    TONNAGE_TREND = "tonnage_trend", _("Categories moving the right way (三增一减)")
    VISITS = "visits", _("Households visited door to door (组团式走访)")
    FOUR_LEADS = "four_leads", _("Party members' four leads (四个带头)")


class Grade(models.TextChoices):
    # The context keeps these apart from other uses of the words ("Good" as in good standing, …).
    EXCELLENT = "excellent", pgettext_lazy("assessment grade", "Excellent")
    GOOD = "good", pgettext_lazy("assessment grade", "Good")
    FAIR = "fair", pgettext_lazy("assessment grade", "Fair")
    POOR = "poor", pgettext_lazy("assessment grade", "Poor")


class Scheme(VersionedRule):
    """One version of the assessment method; in force from `effective_from` (1 January of its year) until a
    newer version. A residential area meets the standard (达标) at `pass_mark` points unless serious mixing
    vetoes it; a node's grade is the share of its residential areas that meet it."""

    name = models.CharField(_("name"), max_length=120, help_text=_("In Chinese, as published."))
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    pass_mark = models.DecimalField(
        _("pass mark (points)"), max_digits=5, decimal_places=2, default=Decimal("80")
    )
    veto_serious_share = models.DecimalField(
        _("veto above this share of serious-mixing checks"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        default=Decimal("0.100"),
        help_text=_("一票否决: empty turns the veto off."),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    excellent_from = models.PositiveSmallIntegerField(_("优 from (percent of areas meeting)"), default=80)
    good_from = models.PositiveSmallIntegerField(_("良 from (percent)"), default=60)
    fair_from = models.PositiveSmallIntegerField(_("中 from (percent)"), default=30)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "effective_from"], name="scheme_unique_version"),
            models.CheckConstraint(
                condition=Q(excellent_from__gte=models.F("good_from"), good_from__gte=models.F("fair_from")),
                name="scheme_grades_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.effective_from:%Y})"

    @property
    def label(self) -> str:
        """The name in the page's language (English pages fall back to the Chinese name)."""
        return _in_language(self.name, self.name_en)

    def grade(self, met: int, total: int) -> str | None:
        """优 ≥ excellent_from %, 良 ≥ good_from %, 中 ≥ fair_from %, else 差; integer arithmetic, so exactly
        80% is 优."""
        if total <= 0:
            return None
        if met * 100 >= self.excellent_from * total:
            return Grade.EXCELLENT
        if met * 100 >= self.good_from * total:
            return Grade.GOOD
        if met * 100 >= self.fair_from * total:
            return Grade.FAIR
        return Grade.POOR


class Indicator(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=30)
    # Names are data (a sub-district may add its own indicators), so each carries its English name too;
    # the Chinese one must tell indicators of the same group apart (reports show the name, not the group).
    name = models.CharField(_("name"), max_length=120, help_text=_("In Chinese; unique within the scheme."))
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    group = models.CharField(_("group"), max_length=60, blank=True, help_text=_("e.g. the 五有 item"))
    group_en = models.CharField(_("group in English"), max_length=60, blank=True)
    source = models.CharField(_("data source"), max_length=20, choices=Source.choices)
    weight = models.DecimalField(_("weight (points)"), max_digits=5, decimal_places=2)
    target = models.DecimalField(
        _("target rate"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("1"),
        help_text=_("The rate that earns full points; score = weight × min(1, rate / target)."),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal(1))],
    )
    min_sample = models.PositiveIntegerField(
        _("minimum sample"), default=1, help_text=_("Below this many records: not enough data, no score.")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_unique_code"),
            models.UniqueConstraint(fields=["scheme", "name"], name="indicator_unique_name"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.weight})"

    @property
    def label(self) -> str:
        """The name in the page's language."""
        return _in_language(self.name, self.name_en)

    @property
    def group_label(self) -> str:
        return _in_language(self.group, self.group_en)


class InspectionScore(TimeStampedModel):
    """A third-party (or sub-district) on-site check of one residential area against one indicator, 0–100 %
    of the indicator's points, with its evidence. Indicators are matched by code, so scores outlive scheme
    versions."""

    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("residential area")
    )
    indicator_code = models.SlugField(_("indicator"), max_length=30)
    day = models.DateField(_("day"))
    score = models.DecimalField(
        _("score (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    inspector = models.CharField(_("inspector"), max_length=80)
    notes = models.CharField(_("findings"), max_length=500, blank=True)
    evidence = models.FileField(_("evidence (photo or PDF)"), upload_to="inspections/%Y/%m/", blank=True)
    # The form's own id: a resubmitted form records nothing twice.
    client_id = models.UUIDField(unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection score")
        verbose_name_plural = _("inspection scores")
        ordering = ["-day", "community"]
        indexes = [models.Index(fields=["community", "day"], name="inspection_community_day_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="inspection_score_range")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.indicator_code} {self.score}%"
