"""Tonnage by node and period, per household and per resident, and the 三增一减 view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from grid.models import GridNode, Household, Level
from grid.scope import Scope
from guide.models import CategoryKey
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
    # Whether the period holds any weighing of the category: without one there is no figure to compare (a
    # period hours old, a station not yet imported), never a fall of 100%.
    weighed: bool = True

    @property
    def change(self) -> Decimal | None:
        if not self.weighed or not self.baseline_kg_per_day:
            return None
        return (self.kg_per_day - self.baseline_kg_per_day) / self.baseline_kg_per_day

    @property
    def change_pct(self) -> str:
        if not self.weighed:
            return _("No data")
        return "—" if self.change is None else f"{self.change * 100:+.1f}%"

    @property
    def on_track(self) -> bool | None:
        """Moving the right way against the baseline (up for recyclable, hazardous, wet; down for dry)."""
        if self.change is None:
            return None
        return self.change > 0 if self.category in SHOULD_GROW else self.change < 0


def _tenth(value: Decimal | float | None) -> Decimal:
    """A weight to the 0.1 kg the records hold: SQLite sums decimals as floats (15927.9000000000)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.1"))


def tonnage_summary(
    node: GridNode, start: datetime.date, end: datetime.date, *, scope: Scope | None = None
) -> list[CategoryTonnage]:
    """Per category. Weighings hang at residential areas: a micro-grid reads its residential area's (its
    weighings, per household and per resident of that area, and its targets unless the micro-grid has its
    own), as the drop-off figures do; a micro-grid cannot be weighed on its own."""
    scope = scope or Scope.of_node(node)
    # A span with no whole day yet (a month that began today) has no weighings to read: no data, no verdict.
    days = Decimal(max((end - start).days + 1, 0))
    communities = scope.community_ids or []
    totals = dict(
        TonnageRecord.objects.in_scope(scope)
        .filter(day__gte=start, day__lte=end)
        .values_list("category")
        .annotate(kg=Sum("kg"))
        .order_by()
    )
    people = Household.objects.in_scope(scope).aggregate(n=Count("id"), people=Sum("size"))
    # The node's own baselines and targets and its residential areas', read together (one small query).
    rows = TonnageTarget.objects.filter(node_id__in={node.pk, *communities}, year=end.year).values_list(
        "node_id", "category", "baseline_kg_per_day", "target_kg_per_day"
    )
    targets = {category: (low, high) for n, category, low, high in rows if n == node.pk}
    if not targets and (len(communities) > 1 or node.level == Level.MICROGRID):
        # A node above the residential areas (or a micro-grid) without its own figures: the sum of its areas',
        # where all have one.
        areas = set(communities)
        summed: dict[str, tuple[int, Decimal, Decimal]] = {}
        for n, category, low, high in rows:
            if n in areas:
                k, b, t = summed.get(category, (0, Decimal(0), Decimal(0)))
                summed[category] = (k + 1, b + low, t + high)
        targets = {c: (_tenth(b), _tenth(t)) for c, (k, b, t) in summed.items() if k == len(communities)}
    out = []
    for key, label in CategoryKey.choices:
        weighed = days > 0 and totals.get(key) is not None
        kg = _tenth(totals.get(key)) if weighed else Decimal("0.0")
        per_day = kg / days if days else Decimal(0)
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
                weighed=weighed,
            )
        )
    return out


def shares(summary: list[CategoryTonnage]) -> dict[str, float]:
    total = sum(c.kg for c in summary)
    return {c.category: float(c.kg / total) if total else 0.0 for c in summary}


def kg_by_day(
    node: GridNode, start: datetime.date, end: datetime.date, *, scope: Scope | None = None
) -> list[tuple[datetime.date, str, Decimal]]:
    """(day, category, kg) of the weighings in the span, for charts."""
    return [
        (r["day"], r["category"], r["kg"])
        for r in TonnageRecord.objects.in_scope(scope or Scope.of_node(node))
        .filter(day__gte=start, day__lte=end)
        .values("day", "category")
        .annotate(kg=Sum("kg"))
        .order_by()
    ]
