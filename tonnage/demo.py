"""Demo tonnage: 60 days of daily weighings per residential area, sorting improving (三增一减), with baselines.

Per-resident factors are the city's 2020 averages (wet ≈ 0.39, dry ≈ 0.58, recyclable ≈ 0.26 kg a day;
domain-shanghai.md §4.2), scaled down for a residential area's share and varied by weekday.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import Sum

from grid.models import GridNode, Household, Level
from lib.clock import local_today
from tonnage.models import TonnageRecord, TonnageTarget
from tonnage.services import tonnage_bulk

START = {
    "recyclable": 0.18,
    "hazardous": 0.0008,
    "wet": 0.30,
    "dry": 0.70,
}  # kg per resident a day, 60 days ago
END = {"recyclable": 0.26, "hazardous": 0.0015, "wet": 0.39, "dry": 0.58}


def tonnage_demo_generate(sd: GridNode, days: int = 60, seed: int = 2019) -> int:
    if TonnageRecord.objects.filter(subdistrict=sd).exists():
        return 0
    rng = random.Random(seed)
    today = local_today()
    rows = []
    communities = list(GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code"))
    people = dict(
        Household.objects.filter(subdistrict=sd)
        .values_list("community_id")
        .annotate(n=Sum("size"))
        .order_by()
    )
    for community in communities:
        residents = people.get(community.pk, 0)
        for d in range(days, 0, -1):
            day = today - datetime.timedelta(days=d)
            progress = (days - d) / days
            for category in START:
                per_resident = START[category] + (END[category] - START[category]) * progress
                kg = residents * per_resident * rng.uniform(0.85, 1.15) * (1.1 if day.weekday() >= 5 else 1.0)
                if kg >= 0.1:
                    rows.append(
                        (
                            community,
                            day,
                            category,
                            Decimal(f"{kg:.1f}"),
                            f"demo-{community.code}-{day}-{category}",
                        )
                    )
        baseline_start = today - datetime.timedelta(days=days)
        for category in START:
            base = Decimal(f"{residents * START[category]:.1f}")
            TonnageTarget.objects.get_or_create(
                node=community,
                year=today.year,
                category=category,
                defaults={
                    "baseline_kg_per_day": base or Decimal("0.1"),
                    "target_kg_per_day": Decimal(f"{residents * END[category]:.1f}") or Decimal("0.1"),
                    "source": f"demo baseline from {baseline_start}",
                },
            )
    return tonnage_bulk(actor=None, rows=rows, source="import").created
