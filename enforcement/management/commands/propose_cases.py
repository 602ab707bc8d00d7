from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from enforcement.services import repeat_cases_propose
from grid.models import GridNode, Level


class Command(BaseCommand):
    help = "Propose cases for refusals at the bin and households caught more than 3 times in 30 days (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        for sd in GridNode.objects.filter(level=Level.SUBDISTRICT):
            self.stdout.write(
                f"{sd.code}: {len(repeat_cases_propose(subdistrict=sd, today=today))} cases proposed"
            )
