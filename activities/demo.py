"""Demo activities after the 2019 report: the "做绿色先锋、创美丽家园" theme party day in every residential area,
the structured seminar, trainings, a knowledge contest, a sign-and-walk, a school activity with a member
unit — held in the past weeks with attendance — and a theme day next week open for registration."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from activities.models import PARTY_KINDS, Activity, ActivityKind
from activities.services import activity_check_in, activity_close, activity_create
from grid.models import GridNode, Level, Person
from lib.clock import local_today
from party.models import OrgKind, PartyOrg
from units.models import MemberUnit

SEMINAR = "议题一：网格化党建如何推进垃圾分类\n议题二：定时定点投放的难点\n议题三：党员带头与居民自治\n环节：案例分享、头脑风暴、小组汇报、点评、共识、行动清单"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def activities_demo_generate(sd: GridNode, seed: int = 2019) -> int:
    if Activity.objects.filter(subdistrict=sd).exists():
        return 0
    rng = random.Random(seed + 41)
    today = local_today()
    communities = {
        c.name.removesuffix("居民区"): c
        for c in GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY)
    }
    trainer = Person.objects.create(subdistrict=sd, node=sd, name="霏霖公益培训师")
    school = MemberUnit.objects.filter(subdistrict=sd, name="育婴堂路小学").first()
    held: list[tuple[Activity, GridNode]] = []

    def plan(node: GridNode, kind: str, title: str, day: datetime.date, **extra: object) -> Activity:
        activity = activity_create(
            actor=None,
            node=node,
            kind=kind,
            title=title,
            starts_at=_at(day, 14),
            ends_at=_at(day, 16),
            place=extra.pop("place", "居民区活动室"),  # type: ignore[arg-type]
            credit_minutes=120,
            points=20,
            publish=True,
            **extra,  # type: ignore[arg-type]
        )
        if day < today:
            held.append((activity, node))
        return activity

    for _name, community in sorted(communities.items()):
        org = PartyOrg.objects.filter(node=community, kind=OrgKind.GENERAL_BRANCH).first()
        plan(
            community,
            ActivityKind.THEME_DAY,
            "“做绿色先锋、创美丽家园”主题党日",
            today - datetime.timedelta(days=rng.randrange(10, 40)),
            org=org,
        )
        plan(
            community,
            ActivityKind.THEME_DAY,
            "垃圾分类回头看主题党日",
            today + datetime.timedelta(days=rng.randrange(2, 12)),
            org=org,
            capacity=40,
        )
    plan(
        sd,
        ActivityKind.SEMINAR,
        "党建引领“四治”——垃圾分类你我行专题研讨会",
        today - datetime.timedelta(days=30),
        programme=SEMINAR,
        place="街道党群服务中心",
    )
    for name in ("苏家巷", "协和"):
        if name in communities:
            plan(
                communities[name],
                ActivityKind.TRAINING,
                "垃圾分类专业培训",
                today - datetime.timedelta(days=rng.randrange(5, 25)),
                speaker=trainer,
            )
    if "芷江西路123弄" in communities:
        plan(
            communities["芷江西路123弄"],
            ActivityKind.CONTEST,
            "垃圾分类知识竞赛",
            today - datetime.timedelta(days=12),
        )
    if "城上城" in communities:
        plan(
            communities["城上城"],
            ActivityKind.WALK,
            "“垃圾分类我先行”签名健走",
            today - datetime.timedelta(days=8),
            place="芷江西路沿线",
        )
    if "洪南山宅" in communities:
        plan(
            communities["洪南山宅"],
            ActivityKind.SCHOOL,
            "垃圾分类，小小宣传员先行动",
            today - datetime.timedelta(days=15),
            unit=school,
            place="育婴堂路小学",
        )
    for activity, node in held:
        # A theme party day is the members' own (activities.services.may_join): the area's members come.
        if activity.kind in PARTY_KINDS:
            who = Person.objects.filter(party_member__active=True, party_member__community=node)
        elif node.level == Level.COMMUNITY:
            who = Person.objects.filter(household__community=node)
        else:
            who = Person.objects.filter(party_member__isnull=False)
        people = list(who.filter(subdistrict=sd).order_by("pk").values_list("pk", flat=True)[:200])
        for pk in rng.sample(people, k=min(len(people), rng.randrange(12, 30))):
            activity_check_in(
                actor=None, activity=activity, person=Person.objects.get(pk=pk), now=activity.starts_at
            )
        activity_close(
            actor=None, activity=activity, summary="活动按计划完成，参加者学习了条例要点并交流了分类经验。"
        )
    return Activity.objects.filter(subdistrict=sd).count()
