from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grid.models import GridNode, Level
from lib.clock import local_today
from points.services import points_credit_day


class Command(BaseCommand):
    help = (
        "Credit green-account points for a day's verified correct drop-offs (default: yesterday). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday, Shanghai time)")
        parser.add_argument("--subdistrict", help="code (default: every sub-district)")

    def handle(
        self, *args: Any, day: str | None = None, subdistrict: str | None = None, **options: Any
    ) -> None:
        try:
            when = datetime.date.fromisoformat(day) if day else local_today() - datetime.timedelta(days=1)
        except ValueError:
            raise CommandError("--day must be YYYY-MM-DD") from None
        nodes = GridNode.objects.filter(level=Level.SUBDISTRICT)
        if subdistrict:
            nodes = nodes.filter(code=subdistrict)
        for sd in nodes:
            started = time.perf_counter()
            n = points_credit_day(subdistrict=sd, day=when)
            self.stdout.write(
                f"{sd.code} {when}: {n} drop-offs credited in {time.perf_counter() - started:.2f}s"
            )
