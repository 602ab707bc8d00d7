from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from lib.clock import local_today
from supervision.partitions import partitions_ensure


class Command(BaseCommand):
    help = "Create the coming months' partitions of the bin-side records table (PostgreSQL; run monthly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=13)

    def handle(self, *args: Any, months: int, **options: Any) -> None:
        today = local_today()
        created = partitions_ensure(connection, start=today, end=today + datetime.timedelta(days=31 * months))
        self.stdout.write(
            f"{len(created)} partitions created" + (f": {', '.join(created)}" if created else "")
        )
