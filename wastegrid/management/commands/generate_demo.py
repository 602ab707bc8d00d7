from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from accounts.models import Role, User
from activities.demo import activities_demo_generate
from assessment.demo import assessment_demo_generate
from contests.bank import bank_generate
from enforcement.demo import cases_demo_generate
from grid.services.demo import SUBDISTRICT_CODE, demo_exists, demo_generate
from guide.models import Item
from party.demo import frame_demo_generate, party_demo_generate
from points.demo import points_demo_generate
from supervision.demo import demo_people_for_logins, duty_demo_generate, supervision_demo_generate
from tonnage.demo import tonnage_demo_generate
from units.demo import units_demo_generate


class Command(BaseCommand):
    help = "Build the demo sub-district 芷江西路街道 (deterministic, idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="households × 27,000 (above 1 adds residential areas)"
        )
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, scale: float, seed: int, quiet: bool, **options: Any) -> None:
        if scale <= 0 or scale > 400:
            self.stderr.write("--scale must be in (0, 400]")
            raise SystemExit(2)
        if demo_exists():
            sd = demo_generate(scale=scale, seed=seed)
            self._supervision(sd, seed, quiet=True)
            self.stdout.write(f"{SUBDISTRICT_CODE} already loaded; logins refreshed.")
            return
        started = time.perf_counter()
        bar = tqdm(total=100, desc="demo", unit="%", disable=quiet)

        def progress(done: int, total: int) -> None:
            bar.n = int(done * 100 / total)
            bar.refresh()

        sd = demo_generate(scale=scale, seed=seed, progress=progress)
        bar.close()
        records = self._supervision(sd, seed, quiet=quiet)
        self.stdout.write(
            f"{SUBDISTRICT_CODE} generated in {time.perf_counter() - started:.1f}s ({records} bin-side records)"
        )

    def _supervision(self, sd: Any, seed: int, *, quiet: bool) -> int:
        bar = tqdm(total=100, desc="bin-side", unit="%", disable=quiet)

        def progress(done: int, total: int) -> None:
            bar.n = int(done * 100 / total)
            bar.refresh()

        records = supervision_demo_generate(sd=sd, seed=seed, progress=progress)
        bar.close()
        users = list(
            User.objects.filter(
                node__path__startswith=sd.path, role__in=[Role.VOLUNTEER, Role.PARTY_MEMBER, Role.GRID_WORKER]
            )
        )
        demo_people_for_logins(sd, users)
        points_demo_generate(sd)
        tonnage_demo_generate(sd)
        duty_demo_generate(sd=sd, seed=seed)
        assessment_demo_generate(sd, seed=seed)
        party_demo_generate(sd, seed=seed)
        units_demo_generate(sd, seed=seed)
        activities_demo_generate(sd, seed=seed)
        frame_demo_generate(sd, seed=seed)
        cases_demo_generate(sd)  # a referred and a decided case for the officer (idempotent)
        if Item.objects.exists():  # the knowledge base is loaded (make demo runs load-guide first)
            bank_generate()
        return records
