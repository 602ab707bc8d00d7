"""Monthly and annual reports per node, built in the background: one row per request with its progress and
its two files (.xlsx tables, PDF with charts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib.db import TimeStampedModel


class ReportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("report status", "Waiting")
    # Contexts: "Building" is also a 楼栋 and "Ready" / "Waiting" are used elsewhere in other senses.
    RUNNING = "running", pgettext_lazy("report status", "Building")
    DONE = "done", pgettext_lazy("report status", "Ready")
    FAILED = "failed", pgettext_lazy("report status", "Failed")


class ReportJob(TimeStampedModel):
    public_id = models.UUIDField(unique=True, editable=False)
    node = models.ForeignKey("grid.GridNode", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=8)  # 2026-11, 2026-Q4 or 2026
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    step = models.PositiveSmallIntegerField(default=0)
    steps = models.PositiveSmallIntegerField(default=1)
    xlsx = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The requester's language: the .xlsx is written in it (one language per file); the PDF is Chinese.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="zh-hans")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.node} {self.period} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == ReportStatus.DONE:
            return 100
        return int(self.step * 100 / self.steps) if self.steps else 0

    @property
    def finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
