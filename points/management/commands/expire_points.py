from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from grid.models import GridNode, Level
from points.services import points_expire


class Command(BaseCommand):
    help = (
        "Year-end expiry of green-account points. The worker runs it on 1 January at 03:00 for the year before, "
        "after the night's crediting of 31 December (jobs.schedules); this command is for a manual run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, year: int, **options: Any) -> None:
        for sd in GridNode.objects.filter(level=Level.SUBDISTRICT):
            self.stdout.write(f"{sd.code}: {points_expire(subdistrict=sd, year=year)} balances expired")
