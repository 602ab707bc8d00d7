from django.db import models
from django.utils.translation import gettext_lazy as _

from lib.db import TimeStampedModel


class Outcome(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    RETRYING = "retrying", _("retrying")
    GAVE_UP = "gave_up", _("gave up")


class Attempt(TimeStampedModel):
    """How often one queued job has been started. django-q2 records a task only when it ends, so a worker
    killed mid-job leaves no trace there; this row, written as the job starts, is what lets the next worker
    notice a job that keeps killing its worker and give up on it (jobs.runner)."""

    key = models.CharField(max_length=32, unique=True, editable=False)
    func = models.CharField(_("job"), max_length=200)
    starts = models.PositiveSmallIntegerField(_("starts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job attempt")
        verbose_name_plural = _("job attempts")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.func} ×{self.starts} ({self.get_outcome_display()})"


class HolidayYear(models.Model):
    """A year whose statutory holidays were copied from chinese-calendar into supervision.Holiday. The copy
    is made once: afterwards the table is the staff's, and a day they delete stays deleted."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    days = models.PositiveSmallIntegerField(_("days added"), default=0)

    class Meta:
        verbose_name = _("holiday calendar year")
        verbose_name_plural = _("holiday calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)
