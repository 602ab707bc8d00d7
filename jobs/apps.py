from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs and schedules")

    def ready(self) -> None:
        # Every `migrate` (an install, an upgrade) leaves the standing schedules in place: nobody has to
        # remember cron lines. Sub-districts added later get theirs from the daily schedules-ensure job.
        post_migrate.connect(_ensure, sender=self, dispatch_uid="jobs-schedules-ensure")


def _ensure(using: str = "default", **kwargs: Any) -> None:
    from jobs.schedules import schedules_ensure

    schedules_ensure(using=using)
