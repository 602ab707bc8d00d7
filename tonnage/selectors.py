"""Tonnage by node and period, per household and per resident, and the 三增一减 view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from grid.models import GridNode, Household, Level
from guide.models import CategoryKey
from lib.distribution import in_sd
from tonnage.models import TonnageRecord, TonnageTarget

# 三增一减: these should grow, dry waste should shrink.
SHOULD_GROW = {"recyclable", "hazardous", "wet"}


@dataclass
class CategoryTonnage:
    category: str
    label: str
    kg: Decimal
    kg_per_day: Decimal
    baseline_kg_per_day: Decimal | None
    target_kg_per_day: Decimal | None
    per_household_g: Decimal | None
    per_resident_g: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if not self.baseline_kg_per_day:
            return None
        return (self.kg_per_day - self.baseline_kg_per_day) / self.baseline_kg_per_day

    @property
    def change_pct(self) -> str:
        return "—" if self.change is None else f"{self.change * 100:+.1f}%"

    @property
    def on_track(self) -> bool | None:
        """Moving the right way against the baseline (up for recyclable, hazardous, wet; down for dry)."""
        if self.change is None:
            return None
        return self.change > 0 if self.category in SHOULD_GROW else self.change < 0


def _communities(node: GridNode) -> list[int]:
    if node.level == Level.COMMUNITY:
        return [node.pk]
    return list(GridNode.objects.subtree(node).filter(level=Level.COMMUNITY).values_list("id", flat=True))


def _tenth(value: Decimal | float | None) -> Decimal:
    """A weight to the 0.1 kg the records hold: SQLite sums decimals as floats (15927.9000000000)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.1"))


def tonnage_summary(node: GridNode, start: datetime.date, end: datetime.date) -> list[CategoryTonnage]:
    days = Decimal((end - start).days + 1)
    communities = _communities(node)
    totals = dict(
        TonnageRecord.objects.filter(
            **in_sd(node),
            community_id__in=communities,
            day__gte=start,
            day__lte=end,
        )
        .values_list("category")
        .annotate(kg=Sum("kg"))
        .order_by()
    )
    people = Household.objects.filter(
        **in_sd(node),
        community_id__in=communities,
    ).aggregate(n=Count("id"), people=Sum("size"))
    targets = {
        t.category: (t.baseline_kg_per_day, t.target_kg_per_day)
        for t in TonnageTarget.objects.filter(node=node, year=end.year)
    }
    if not targets and len(communities) > 1:
        # A node above the residential areas without its own figures: the sum of theirs, where all have one.
        targets = {
            r["category"]: (_tenth(r["baseline"]), _tenth(r["target"]))
            for r in TonnageTarget.objects.filter(node_id__in=communities, year=end.year)
            .values("category")
            .annotate(n=Count("id"), baseline=Sum("baseline_kg_per_day"), target=Sum("target_kg_per_day"))
            .order_by()
            if r["n"] == len(communities)
        }
    out = []
    for key, label in CategoryKey.choices:
        kg = _tenth(totals.get(key))
        per_day = kg / days
        target = targets.get(key)
        out.append(
            CategoryTonnage(
                category=key,
                label=str(label),
                kg=kg,
                kg_per_day=per_day,
                baseline_kg_per_day=target[0] if target else None,
                target_kg_per_day=target[1] if target else None,
                per_household_g=(per_day * 1000 / people["n"]).quantize(Decimal("1"))
                if people["n"]
                else None,
                per_resident_g=(per_day * 1000 / people["people"]).quantize(Decimal("1"))
                if people["people"]
                else None,
            )
        )
    return out


def shares(summary: list[CategoryTonnage]) -> dict[str, float]:
    total = sum(c.kg for c in summary)
    return {c.category: float(c.kg / total) if total else 0.0 for c in summary}
