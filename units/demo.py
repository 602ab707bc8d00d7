"""Demo member units: the four the 2019 report names, and the rest of its 36 as placeholders marked 示意;
liaisons, this year's commitments, the May joint meeting, checks of their own sorting."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from grid.models import GridNode, Level, Person
from units.models import CheckResult, CommitmentStatus, MemberUnit, UnitKind
from units.services import (
    attendance_mark,
    commitment_add,
    commitment_update,
    liaison_add,
    meeting_create,
    unit_check_record,
    unit_create,
)

NAMED = [
    ("中铁十五局集团", UnitKind.ENTERPRISE),
    ("上大市北附中", UnitKind.SCHOOL),
    ("育婴堂路小学", UnitKind.SCHOOL),
    ("芷江西路市场监管所", UnitKind.PUBLIC),
]
KINDS = [
    UnitKind.ENTERPRISE,
    UnitKind.SCHOOL,
    UnitKind.PUBLIC,
    UnitKind.HOSPITAL,
    UnitKind.MARKET,
    UnitKind.OTHER,
]
COMMITMENTS = [
    "单位内部四分类垃圾桶配置到位",
    "组织职工开展垃圾分类培训",
    "派员参加居民区桶边值守",
    "结对居民区开展垃圾分类宣传",
    "食堂湿垃圾就地减量",
]


@transaction.atomic
def units_demo_generate(sd: GridNode, seed: int = 2019) -> int:
    if MemberUnit.objects.filter(subdistrict=sd).exists():
        return 0
    rng = random.Random(seed + 31)
    today = timezone.localdate()
    communities = list(GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code"))
    units = []
    for n in range(36):
        name, kind = NAMED[n] if n < len(NAMED) else (f"成员单位{n + 1:02d}（示意）", KINDS[n % len(KINDS)])
        unit = unit_create(
            actor=None,
            subdistrict=sd,
            name=name,
            kind=kind,
            community=rng.choice(communities),
            joined_on=datetime.date(2018, rng.randrange(1, 13), 1),
        )
        person = Person.objects.create(
            subdistrict=sd, node=sd, name=f"{name[:4]}联络员", phone=f"139{rng.randrange(10**7, 10**8)}"
        )
        liaison_add(actor=None, unit=unit, person=person, title="党建联络员", primary=True)
        for title in rng.sample(COMMITMENTS, 2):
            commitment = commitment_add(
                actor=None, unit=unit, year=today.year, title=title, due=datetime.date(today.year, 12, 31)
            )
            status = rng.choices(CommitmentStatus.values, (15, 35, 45, 5))[0]
            if status != CommitmentStatus.PLEDGED:
                commitment_update(
                    actor=None,
                    commitment=commitment,
                    status=status,
                    evidence_note="已完成，见照片存档" if status == CommitmentStatus.DONE else "",
                )
        unit_check_record(
            actor=None,
            unit=unit,
            day=today - datetime.timedelta(days=rng.randrange(5, 60)),
            result=rng.choices(CheckResult.values, (75, 20, 5))[0],
            inspector="街道市容所",
        )
        units.append(unit)
    meeting = meeting_create(
        actor=None,
        subdistrict=sd,
        title="区域化党建工作会议：垃圾分类工作介绍",
        day=datetime.date(today.year, 5, 28),
        place="街道党群服务中心",
    )
    for unit in units:
        attendance_mark(
            actor=None, meeting=meeting, unit=unit, present=rng.random() < 0.9, representative="党建联络员"
        )
    _demo_login(sd, units[2])
    return len(units)


def _demo_login(sd: GridNode, unit: MemberUnit) -> None:
    """The member-unit demo login speaks for 育婴堂路小学."""
    for user in User.objects.filter(role=Role.UNIT_LIAISON, node=sd):
        if user.person is None:
            user.person = Person.objects.create(subdistrict=sd, node=sd, name=f"{unit.name}联络员（演示）")
            user.save(update_fields=["person"])
        liaison_add(actor=None, unit=unit, person=user.person, title="党建联络员")
