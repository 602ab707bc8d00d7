from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from lib.clock import local_today
from supervision.city import city_grid_generate, city_records_generate
from tonnage.demo import tonnage_demo_generate


class Command(BaseCommand):
    help = "Generate a synthetic city: sub-districts of ~27,000 households, points, and N days of bin-side records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, required=True, help="households in the whole city")
        parser.add_argument("--days", type=int, default=7, help="days of bin-side records, ending yesterday")
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, households: int, days: int, seed: int, quiet: bool, **options: Any) -> None:
        if not 1 <= households <= 10_000_000 or not 0 <= days <= 3660:
            self.stderr.write("--households must be 1…10,000,000 and --days 0…3,660")
            raise SystemExit(2)
        started = time.perf_counter()
        bar = tqdm(total=100, desc="grid", unit="%", disable=quiet)

        def progress(done: int, total: int) -> None:
            bar.n = int(done * 100 / total)
            bar.refresh()

        sds = city_grid_generate(households=households, seed=seed, progress=progress)
        bar.close()
        bar = tqdm(total=100, desc="records", unit="%", disable=quiet)
        start = local_today() - datetime.timedelta(days=days)
        records = city_records_generate(sds, start=start, days=days, seed=seed, progress=progress)
        for sd in sds:  # the weighed tonnage of the same days (tonnage's own seeding)
            tonnage_demo_generate(sd, days=days, seed=seed + sd.pk)
        bar.close()
        self.stdout.write(
            f"{len(sds)} sub-districts, {records:,} records in {time.perf_counter() - started:.0f} s"
        )
