from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from lib.clock import local_today
from supervision.ingest.reconcile import rollups_reconcile
from supervision.management.subdistricts import subdistricts_or_exit


class Command(BaseCommand):
    help = (
        "Check the daily rollups against the bin-side records and mend any difference (nightly, or after a "
        "repair of the records). Prints what it had to write per sub-district; exits 1 if anything was mended."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--subdistrict", action="append", default=[], help="code; repeat for more (default all)"
        )
        parser.add_argument("--days", type=int, default=2, help="the last N days, ending today (default 2)")
        parser.add_argument(
            "--since", type=datetime.date.fromisoformat, help="first day (YYYY-MM-DD) instead"
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(
        self,
        *args: Any,
        subdistrict: list[str],
        days: int,
        since: datetime.date | None,
        quiet: bool,
        **options: Any,
    ) -> None:
        end = local_today()
        start = since or end - datetime.timedelta(days=max(1, days) - 1)
        if start > end:
            self.stderr.write("--since is after today / --since 晚于今天")
            raise SystemExit(2)
        sds = subdistricts_or_exit(self, subdistrict)
        mended = 0
        for sd in tqdm(list(sds), desc="sub-districts", disable=quiet):
            result = rollups_reconcile(subdistrict=sd, start=start, end=end)
            mended += result.total
            if result.total or not quiet:
                self.stdout.write(
                    f"{sd.code} {start}…{end}: {result.added} added, {result.changed} changed, "
                    f"{result.removed} removed"
                )
        if mended:
            raise SystemExit(1)  # a difference is news: rollups are kept exact at ingest
