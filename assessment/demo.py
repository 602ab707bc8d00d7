"""Demo inspection scores: a third-party check of each residential area this month and last, for the
inspection indicators of the scheme in force (facilities, publicity)."""

from __future__ import annotations

import datetime
import random
import uuid

from assessment.models import InspectionScore, Source
from assessment.scoring import scheme_for
from assessment.services import inspection_record
from grid.models import GridNode, Level
from lib.clock import local_today

INSPECTORS = ["上海市容环境质量监测中心", "静安区绿化市容局第三方测评组", "华东理工大学测评组"]
FINDINGS = ["", "", "洗手设施缺少洗手液", "宣传栏内容未更新", "破袋器损坏", "投放时间告示牌褪色"]


def assessment_demo_generate(sd: GridNode, seed: int = 2019) -> int:
    if InspectionScore.objects.filter(subdistrict=sd).exists():
        return 0
    rng = random.Random(seed + 11)
    today = local_today()
    codes = list(
        scheme_for(sd, today).indicators.filter(source=Source.INSPECTION).values_list("code", flat=True)
    )
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    created = 0
    for community in GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code"):
        care = rng.uniform(0.72, 1.0)
        for month in (last_month, this_month):
            day = month + datetime.timedelta(days=rng.randrange(max(1, min(20, (today - month).days))))
            for code in codes:
                score = min(100, round(care * 100 + rng.uniform(-8, 6)))
                inspection_record(
                    actor=None,
                    community=community,
                    indicator_code=code,
                    day=day,
                    score=str(score),
                    inspector=rng.choice(INSPECTORS),
                    notes=rng.choice(FINDINGS) if score < 95 else "",
                    client_id=uuid.UUID(int=rng.getrandbits(128)),
                )
                created += 1
    return created
