from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jobs.schedules import schedules_ensure


class Command(BaseCommand):
    help = (
        "Add the standing schedules (points, proposals, rollups, partitions, expiry, holidays) that are "
        "missing, one per sub-district where the work is per sub-district. Idempotent; migrate runs it too."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{schedules_ensure()} schedules added")
