from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from lib.clock import local_today
from supervision.management.subdistricts import subdistricts_or_exit
from supervision.plausibility import flags_recheck


class Command(BaseCommand):
    help = (
        "Flag implausible bin-side records of past days again (after opening windows or holidays changed, or "
        "for records taken before flags existed). Idempotent: flags already there keep their review."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--subdistrict", action="append", default=[], help="code; repeat for more (default all)"
        )
        parser.add_argument("--days", type=int, default=30, help="the last N days, ending today (default 30)")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, subdistrict: list[str], days: int, quiet: bool, **options: Any) -> None:
        if not 1 <= days <= 366:
            self.stderr.write("--days must be 1…366 / --days 应在 1 到 366 之间")
            raise SystemExit(2)
        end = local_today()
        sds = subdistricts_or_exit(self, subdistrict)
        work = [(sd, end - datetime.timedelta(days=i)) for sd in sds for i in range(days)]
        written = 0
        for sd, day in tqdm(work, desc="days", disable=quiet):
            written += flags_recheck(subdistrict_id=sd.pk, day=day)
        self.stdout.write(f"{written} new flags / 新标记 {written} 条")
