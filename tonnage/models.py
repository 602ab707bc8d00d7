"""Collected weight per residential area, category and day (weigh tickets, Excel, weighing systems), and
the baselines and targets that say whether sorting works: "三增一减" — recyclable, hazardous and wet up, dry down."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grid.scope import ScopedQuerySet
from guide.models import CategoryKey
from lib.db import TimeStampedModel


class TonnageSource(models.TextChoices):
    TICKET = "ticket", _("Weigh ticket")
    IMPORT = "import", _("Excel import")
    API = "api", _("Weighing system")


class TonnageRecord(TimeStampedModel):
    subdistrict = models.ForeignKey("grid.GridNode", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "grid.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("residential area")
    )
    point = models.ForeignKey(
        "supervision.DropOffPoint", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("day"))
    category = models.CharField(_("category"), max_length=12, choices=CategoryKey.choices)
    kg = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=1)
    source = models.CharField(_("source"), max_length=8, choices=TonnageSource.choices)
    # The ticket number, or the sending system's id, within the weighing source that numbered it (a
    # transfer station's weighbridge, a weighing system): the same weighing is never counted twice, and two
    # stations may both print ticket 000123.
    station = models.CharField(_("weighing source"), max_length=60, blank=True, default="")
    ref = models.CharField(_("ticket / reference"), max_length=60)
    photo = models.ImageField(_("ticket photo"), upload_to="tickets/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tonnage record")
        verbose_name_plural = _("tonnage records")
        ordering = ["-day", "community", "category"]
        indexes = [
            models.Index(fields=["subdistrict", "day"], name="tonnage_sd_day_idx"),
            models.Index(fields=["community", "day"], name="tonnage_community_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kg__gt=0), name="tonnage_positive"),
            models.UniqueConstraint(fields=["station", "ref"], name="tonnage_ticket_unique_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category} {self.kg} kg"


class TonnageTarget(TimeStampedModel):
    """Per node, year and category: the baseline (kg a day, e.g. last year's average) and the year's target."""

    node = models.ForeignKey("grid.GridNode", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=12, choices=CategoryKey.choices)
    baseline_kg_per_day = models.DecimalField(_("baseline (kg/day)"), max_digits=10, decimal_places=1)
    target_kg_per_day = models.DecimalField(_("target (kg/day)"), max_digits=10, decimal_places=1)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tonnage target")
        verbose_name_plural = _("tonnage targets")
        constraints = [
            models.UniqueConstraint(fields=["node", "year", "category"], name="tonnage_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.node} {self.year} {self.get_category_display()}"
