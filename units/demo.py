"""Demo member units: the four the 2019 report names and 32 invented but plausible ones of the kinds a
sub-district of Jing'an has (health centre, police station, schools, markets, property managers, banks …);
liaisons with names, this year's commitments, the May joint meeting and one coming up, checks of their own
sorting. The demo liaison login speaks for 育婴堂路小学."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from accounts.models import Role, User
from grid.models import GridNode, Level, Person
from grid.services.demo import person_name, phone
from lib.clock import SHANGHAI, local_today
from units.models import CheckResult, CommitmentStatus, MemberUnit, UnitKind
from units.services import (
    attendance_mark,
    attendance_reply,
    commitment_add,
    commitment_update,
    liaison_account_link,
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
INVENTED = [
    ("芷江西路街道社区卫生服务中心", UnitKind.HOSPITAL),
    ("芷江西路派出所", UnitKind.PUBLIC),
    ("静安区城管执法局芷江西路中队", UnitKind.PUBLIC),
    ("芷江西路街道社区事务受理服务中心", UnitKind.PUBLIC),
    ("芷江西路街道党群服务中心", UnitKind.PUBLIC),
    ("共和新路第二小学", UnitKind.SCHOOL),
    ("光复路幼儿园", UnitKind.SCHOOL),
    ("大统路初级中学", UnitKind.SCHOOL),
    ("普善路菜场", UnitKind.MARKET),
    ("中兴路农贸市场", UnitKind.MARKET),
    ("交通路生鲜超市", UnitKind.MARKET),
    ("上海永兴物业管理有限公司", UnitKind.ENTERPRISE),
    ("上海静北物业服务有限公司", UnitKind.ENTERPRISE),
    ("上海光华坊物业管理有限公司", UnitKind.ENTERPRISE),
    ("静安区市容环境卫生所芷江西路作业队", UnitKind.PUBLIC),
    ("芷江西路邮政支局", UnitKind.PUBLIC),
    ("工商银行芷江西路支行", UnitKind.ENTERPRISE),
    ("农商银行共和新路支行", UnitKind.ENTERPRISE),
    ("芷江西路科创园", UnitKind.ENTERPRISE),
    ("城上城商业广场", UnitKind.ENTERPRISE),
    ("静安区图书馆芷江西路分馆", UnitKind.PUBLIC),
    ("芷江西路街道文化活动中心", UnitKind.PUBLIC),
    ("中铁上海工程局芷江项目部", UnitKind.ENTERPRISE),
    ("静安区第二中心医院门诊部", UnitKind.HOSPITAL),
    ("光复路社区老年护理院", UnitKind.HOSPITAL),
    ("大统路连锁药房", UnitKind.ENTERPRISE),
    ("上海永兴路餐饮管理有限公司", UnitKind.ENTERPRISE),
    ("芷江西路宾馆", UnitKind.ENTERPRISE),
    ("普善路养老院", UnitKind.OTHER),
    ("静安区青少年活动中心芷江分部", UnitKind.SCHOOL),
    ("电信静安分公司芷江营业厅", UnitKind.ENTERPRISE),
    ("巴士一公司西藏北路停车场", UnitKind.ENTERPRISE),
]
TITLES = ["党建联络员", "党支部书记", "行政办主任", "工会主席", "后勤主管"]
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
        # Already there: make sure the demo liaison speaks for its unit (a refreshed demo keeps the link).
        school = MemberUnit.objects.filter(subdistrict=sd, name=NAMED[2][0]).first()
        if school is not None:
            _demo_login(sd, school, random.Random(seed + 32))
        return 0
    rng = random.Random(seed + 31)
    today = local_today()
    communities = list(GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code"))
    units = []
    for name, kind in NAMED + INVENTED:
        unit = unit_create(
            actor=None,
            subdistrict=sd,
            name=name,
            kind=kind,
            community=rng.choice(communities),
            joined_on=datetime.date(2018, rng.randrange(1, 13), 1),
        )
        person = Person.objects.create(subdistrict=sd, node=sd, name=person_name(rng), phone=phone(rng))
        liaison_add(actor=None, unit=unit, person=person, title=rng.choice(TITLES), primary=True)
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
    held = datetime.datetime.combine(meeting.day, datetime.time(10), tzinfo=SHANGHAI)  # recorded on its day
    for unit in units:
        attendance_mark(
            actor=None,
            meeting=meeting,
            unit=unit,
            present=rng.random() < 0.9,
            representative="党建联络员",
            now=held,
        )
    # One meeting still to come, for the liaisons to answer (some already have).
    coming = meeting_create(
        actor=None,
        subdistrict=sd,
        title="区域化党建联席会议：年度垃圾分类共建项目推进",
        day=today + datetime.timedelta(days=9),
        place="街道党群服务中心三楼会议室",
    )
    for attendance in coming.attendance.select_related("unit", "meeting")[:12]:
        attendance_reply(actor=None, attendance=attendance, attend=rng.random() < 0.85)
    _demo_login(sd, units[2], rng)
    return len(units)


def _demo_login(sd: GridNode, unit: MemberUnit, rng: random.Random) -> None:
    """The member-unit demo login speaks for 育婴堂路小学, through the link staff use (`liaison_account_link`),
    as a person with a name."""
    for user in User.objects.filter(role=Role.UNIT_LIAISON, node=sd):
        if user.person is None:
            user.person = Person.objects.create(
                subdistrict=sd, node=sd, name=person_name(rng), phone=phone(rng)
            )
            user.save(update_fields=["person"])
        liaison_account_link(actor=None, unit=unit, user=user, title="党建联络员")
