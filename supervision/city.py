"""A synthetic city for scale runs: sub-districts of ~27,000 households each (the demo's generator, other
codes), their drop-off points and bin-side records streamed day by day with the rhythms of the real thing —
morning and evening windows, more on weekends, a slowly improving correct rate — through the bulk path (COPY
on PostgreSQL, set-based inserts on SQLite), never per-row ORM saves. The weighings are tonnage's: the
project's `wastegrid generate-city` command adds them (wastegrid/management/commands/generate_city.py)."""

from __future__ import annotations

import datetime
import math
import random
import uuid
from collections.abc import Callable, Iterator

from django.db import connection

from grid.models import GridNode, Household
from grid.services.demo import HOUSEHOLDS_AT_SCALE_1, demo_generate
from lib.clock import SHANGHAI
from supervision.demo import EVENING, MORNING, supervision_demo_generate
from supervision.ingest.bulk import bulk_load
from supervision.ingest.rows import Row
from supervision.outcomes import OUTCOMES, Outcome
from supervision.partitions import partitions_ensure

NOT_CORRECT = [o for o in OUTCOMES if o != Outcome.CORRECT]  # mixed, bag not broken, corrected, refused
BATCH = 50_000  # records per bulk-path transaction
# The synthetic city's names read like Shanghai's: its districts (静安 is the demo's own, 临港新片区 the 16th)
# and invented sub-districts "<two syllables>街道" — plausible, never a real sub-district's full name.
DISTRICTS = [
    "黄浦区", "徐汇区", "长宁区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区",
    "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区", "临港新片区",
]  # fmt: skip
FIRST = "春江梅桂兰松竹荷柳枫桐杏樱菊榆槐"
SECOND = "园湾桥浜塘泾港坊里苑庄滨岸林溪湖"


def subdistrict_name(i: int) -> str:
    """The i-th synthetic sub-district's name (0-based): 256 distinct two-syllable names, then numbered."""
    name = f"{FIRST[i % 16]}{SECOND[i // 16 % 16]}街道"
    return name if i < 256 else f"{name}{i // 256 + 1}"


def city_grid_generate(
    *, households: int, seed: int = 2019, progress: Callable[[int, int], None] | None = None
) -> list[GridNode]:
    """Sub-districts `C001`, `C002`, … under 16 districts; idempotent (existing ones are kept)."""
    n = max(1, math.ceil(households / HOUSEHOLDS_AT_SCALE_1))
    scale = households / n / HOUSEHOLDS_AT_SCALE_1
    out = []
    for i in range(n):
        d = i % 16 + 1
        sd = demo_generate(
            scale=scale,
            seed=seed + i,
            code=f"C{i + 1:03d}",
            name=subdistrict_name(i),
            district=(f"SH-D{d:02d}", DISTRICTS[d - 1]),
            logins=False,
        )
        supervision_demo_generate(sd=sd, days=0, seed=seed + i)  # points, windows, this week's shifts
        out.append(sd)
        if progress:
            progress(i + 1, n)
    return out


def record_days(
    subdistricts: list[GridNode], *, start: datetime.date, days: int, seed: int = 2019
) -> Iterator[tuple[datetime.date, list[Row]]]:
    """Each day's records for every sub-district: about two drop-offs per household (a little more at
    weekends), 10 % anonymous, the correct rate rising from 75 % to 92 % over the span."""
    rng = random.Random(seed)
    served = {
        sd.pk: list(
            Household.objects.filter(subdistrict=sd, drop_off_point__isnull=False).values_list(
                "id", "community_id", "drop_off_point_id"
            )
        )
        for sd in subdistricts
    }
    for d in range(days):
        day = start + datetime.timedelta(days=d)
        good = 0.75 + 0.17 * d / max(1, days - 1)
        weekend = day.weekday() >= 5
        rows: list[Row] = []
        for sd_id, households in served.items():
            for hid, community_id, point_id in households:
                for _ in range(rng.choices((1, 2, 3), (20, 50, 30) if weekend else (25, 50, 25))[0]):
                    start_t, end_t = MORNING if rng.random() < 0.55 else EVENING
                    span = (end_t.hour * 60 + end_t.minute) - (start_t.hour * 60 + start_t.minute)
                    at = datetime.datetime.combine(day, start_t, tzinfo=SHANGHAI) + datetime.timedelta(
                        minutes=rng.randrange(span)
                    )
                    correct = rng.random() < good
                    outcome = "correct" if correct else rng.choice(NOT_CORRECT)
                    rows.append(
                        Row(
                            uuid.UUID(int=rng.getrandbits(128)),
                            sd_id,
                            community_id,
                            point_id,
                            hid if rng.random() < 0.9 else None,
                            at,
                            day,
                            rng.choices(("wet", "dry", "recyclable", "hazardous"), (45, 40, 13, 2))[0],
                            outcome,
                            "dry" if outcome == "mixed" else "",
                        )
                    )
        yield day, rows


def city_records_generate(
    subdistricts: list[GridNode],
    *,
    start: datetime.date,
    days: int,
    seed: int = 2019,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    if connection.vendor == "postgresql":
        partitions_ensure(connection, start=start, end=start + datetime.timedelta(days=days))

    def batches() -> Iterator[list[Row]]:
        for i, (_day, rows) in enumerate(
            record_days(subdistricts, start=start, days=days, seed=seed), start=1
        ):
            for j in range(0, len(rows), BATCH):
                yield rows[j : j + BATCH]
            if progress:
                progress(i, days)  # the day is made and handed to the writers

    # Days are generated here while the bulk path writes earlier ones on two connections.
    # The weighed tonnage of the same days is tonnage's (added by `wastegrid generate-city`, the project's).
    return bulk_load(batches())
