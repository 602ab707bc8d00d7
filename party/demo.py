"""Demo party organisations: the 党工委, a 党总支 with two 党支部 per residential area and the organ branch;
about 3% of residents as members (plus in-service members reporting from elsewhere), pledges, and this
quarter's door-to-door round in one micro-grid per residential area."""

from __future__ import annotations

import datetime
import random
import uuid

from django.db import transaction

from accounts.models import Role, User
from grid.models import GridNode, Level, Person
from lib.clock import local_today
from lib.periods import Period
from party.models import MemberKind, OrgKind, PartyMember, PartyOrg, Pledge, VisitOutcome
from party.selectors import plan_households
from party.services import member_add, org_create, visit_plan_create, visit_record

WORKPLACES = ["中铁十五局集团", "上大市北附中", "育婴堂路小学", "芷江西路市场监管所", "静安区市北医院"]
ISSUES = ["湿垃圾未破袋", "不清楚投放时间", "外卖餐盒未分类", "家中老人不会分", ""]


@transaction.atomic
def party_demo_generate(sd: GridNode, seed: int = 2019) -> int:
    if PartyOrg.objects.filter(subdistrict=sd).exists():
        return 0
    rng = random.Random(seed + 23)
    today = local_today()
    committee = org_create(actor=None, kind=OrgKind.COMMITTEE, name=f"{sd.name}党工委", node=sd)
    org_create(actor=None, kind=OrgKind.BRANCH, name=f"{sd.name}机关党支部", node=sd, parent=committee)
    communities = list(GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code"))
    members: list[PartyMember] = []
    pledges: list[Pledge] = []
    for i, community in enumerate(communities):
        short = community.name.removesuffix("居民区")
        general = org_create(
            actor=None,
            kind=OrgKind.GENERAL_BRANCH,
            name=f"{short}居民区党总支",
            node=community,
            parent=committee,
        )
        branches = [
            org_create(
                actor=None, kind=OrgKind.BRANCH, name=f"{short}第{n}党支部", node=community, parent=general
            )
            for n in ("一", "二")
        ]
        residents = list(
            Person.objects.filter(
                household__community=community, party_member__isnull=True, user__isnull=True
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        chosen = rng.sample(residents, k=min(len(residents), max(5, len(residents) * 3 // 100)))
        elsewhere = communities[(i + 1) % len(communities)]
        in_service = list(
            Person.objects.filter(
                household__community=elsewhere, party_member__isnull=True, user__isnull=True
            )
            .exclude(pk__in=chosen)
            .order_by("-pk")
            .values_list("pk", flat=True)[:8]
        )
        for n, pk in enumerate(chosen + in_service):
            person = Person.objects.select_related("household__community").get(pk=pk)
            serving = pk in in_service
            member = member_add(
                actor=None,
                person=person,
                org=branches[n % 2],
                kind=MemberKind.IN_SERVICE if serving else MemberKind.RESIDENT,
                community=community,
                workplace=rng.choice(WORKPLACES) if serving else "",
                reported_on=datetime.date(2019, 5, rng.randrange(1, 31)) if serving else None,
            )
            members.append(member)
            if rng.random() < 0.85:
                pledges.append(
                    Pledge(
                        member=member,
                        text_version="2019版",
                        signed_on=datetime.date(2019, 6, rng.randrange(1, 29)),
                    )
                )
    Pledge.objects.bulk_create(pledges)
    _demo_login(sd)
    _demo_visits(sd, communities, rng, today)
    return len(members)


def _demo_login(sd: GridNode) -> None:
    """The party-member demo login is a member of its residential area's first branch, pledge not signed."""
    for user in User.objects.filter(
        role=Role.PARTY_MEMBER, node__path__startswith=sd.path, person__isnull=False
    ):
        person = user.person
        assert person is not None
        if hasattr(person, "party_member") or user.node is None:
            continue
        branch = PartyOrg.objects.filter(node=user.node, kind=OrgKind.BRANCH).order_by("code").first()
        if branch is not None:
            # No pledge on record: the demo login has a lead missing to sign online from "my four leads".
            member_add(actor=None, person=person, org=branch, community=user.node)


def _demo_visits(sd: GridNode, communities: list[GridNode], rng: random.Random, today: datetime.date) -> None:
    quarter = Period.containing("quarter", today)
    for community in communities:
        microgrid = GridNode.objects.filter(parent=community, level=Level.MICROGRID).order_by("code").first()
        visitors = list(PartyMember.objects.filter(community=community).order_by("pk")[:3])
        if microgrid is None or not visitors:
            continue
        plan = visit_plan_create(actor=None, microgrid=microgrid, period=quarter, members=visitors[:2])
        for row in plan_households(plan, today)[: rng.randrange(8, 20)]:
            outcome = rng.choices(VisitOutcome.values, (70, 15, 10, 5))[0]
            visit_record(
                actor=None,
                household=row.household,
                day=max(quarter.start, today - datetime.timedelta(days=rng.randrange(0, 20))),
                outcome=outcome,
                issue=rng.choice(ISSUES) if outcome == VisitOutcome.TALKED else "",
                visitors=visitors[:2],
                plan=plan,
                client_id=uuid.UUID(int=rng.getrandbits(128)),
            )


DUTIES = [
    ("把垃圾分类纳入支部年度工作计划", "支部书记"),
    ("组织党员签署承诺书并开展组团式走访", "组织委员"),
    ("每季度检查桶边值守排班", "居民区书记"),
]


@transaction.atomic
def frame_demo_generate(sd: GridNode, seed: int = 2019) -> int:
    """Responsibility lists, this year's projects with milestones, the talent pool and a first exemplar roll
    chosen from the records."""
    from party.candidates import candidates
    from party.models import Inclusion, Project, TalentKind, WorkStatus
    from party.services import (
        exemplar_choose,
        milestone_add,
        milestone_done,
        project_create,
        responsibility_add,
        talent_add,
        work_update,
    )

    if Project.objects.filter(subdistrict=sd).exists():
        return 0
    rng = random.Random(seed + 53)
    today = local_today()
    for org in PartyOrg.objects.filter(subdistrict=sd, kind=OrgKind.GENERAL_BRANCH):
        for item, owner in DUTIES:
            line = responsibility_add(
                actor=None, org=org, item=item, owner=owner, due=datetime.date(today.year, 12, 31)
            )
            status = rng.choices(WorkStatus.values, (20, 40, 40))[0]
            if status != WorkStatus.OPEN:
                work_update(
                    actor=None,
                    obj=line,
                    status=status,
                    note="按计划推进" if status == WorkStatus.ACTIVE else "已完成",
                )
    for inclusion, title, owner, steps in [
        (
            Inclusion.PRACTICAL,
            "生活垃圾箱房改造（定时定点投放点）",
            "街道市容所",
            ["完成点位调研", "完成箱房改造", "配齐洗手、破袋设施"],
        ),
        (
            Inclusion.CO_GOVERNANCE,
            "居民垃圾分类自治公约",
            "各居民区党总支",
            ["起草公约", "居民议事会讨论", "张贴公示"],
        ),
        (Inclusion.RESPONSIBILITY, "党建责任制考核纳入垃圾分类", "街道党工委", ["修订责任清单", "年中检查"]),
    ]:
        project = project_create(
            actor=None, node=sd, inclusion=inclusion, year=today.year, title=title, owner=owner
        )
        for n, step in enumerate(steps):
            milestone = milestone_add(
                actor=None, project=project, title=step, due=datetime.date(today.year, 3 + 3 * n, 28)
            )
            if n < len(steps) - 1:
                milestone_done(
                    actor=None,
                    milestone=milestone,
                    day=datetime.date(today.year, 3 + 3 * n, 20),
                    evidence_note="会议纪要及照片存档",
                )
    trainer = Person.objects.filter(subdistrict=sd, talks__isnull=False).distinct().first()
    if trainer is not None:
        talent_add(actor=None, person=trainer, kind=TalentKind.TRAINER, topics="垃圾分类专业培训、情景模拟")
    for person in Person.objects.filter(subdistrict=sd, party_member__isnull=False).order_by("pk")[:4]:
        talent_add(
            actor=None,
            person=person,
            kind=rng.choice([TalentKind.TEACHER, TalentKind.PROFESSIONAL]),
            topics="条例宣讲、入户宣传",
        )
    for kind, rows in candidates(sd, today.year, today, limit=3).items():
        for c in rows[:2]:
            exemplar_choose(
                actor=None,
                subdistrict=sd,
                year=today.year,
                kind=kind,
                name=c.name,
                reason=c.reason,
                household=c.household,
                person=c.person,
                unit=c.unit,
            )
    return Project.objects.filter(subdistrict=sd).count()
