"""Demo points: a small redemption catalogue and the credits for the demo's past drop-offs."""

from __future__ import annotations

from grid.models import GridNode
from lib.clock import local_today
from points.models import Reward
from points.services import points_credit_day
from supervision.models import PointDay

CATALOGUE = [
    ("环保购物袋", 100, 200),
    ("洗洁精一瓶", 300, 80),
    ("抽纸一提", 500, 60),
    ("分类垃圾桶（家用）", 1000, 30),
]


def points_demo_generate(sd: GridNode) -> None:
    if not Reward.objects.filter(subdistrict=sd).exists():
        Reward.objects.bulk_create([Reward(subdistrict=sd, name=n, cost=c, stock=s) for n, c, s in CATALOGUE])
    today = local_today()
    days = sorted(
        set(PointDay.objects.filter(subdistrict_id=sd.pk, day__lt=today).values_list("day", flat=True))
    )
    for day in days:
        points_credit_day(subdistrict=sd, day=day)  # idempotent: a re-run books nothing twice
