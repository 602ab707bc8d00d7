"""The demo sub-district: 芷江西路街道 as the 2019 report describes it, generated deterministically.

4 areas, 18 residential areas (17 named in the report, one invented: 中兴), ~27,000 households in
lane houses, walk-ups and towers, micro-grids of ~300 households with 10–20 grid workers each, people
and one login per role. `scale` multiplies the households (and, above 1, the residential areas).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import Role, User
from audit.models import Action, AuditEntry
from grid.models import Building, GridNode, GridWorker, Household, Level, Person
from grid.services.assignment import households_assign
from grid.services.records import node_create, room_code

SUBDISTRICT_CODE = "ZJXL"
SUBDISTRICT_NAME = "芷江西路街道"
DEMO_PASSWORD = "zhijiang2019"
HOUSEHOLDS_AT_SCALE_1 = 27_000

COMMUNITIES = [
    "交通",
    "复元坊",
    "光华坊",
    "永太",
    "三兴",
    "1233弄",
    "洪南山宅",
    "新赵家宅",
    "灵光",
    "大统",
    "普善",
    "芷江新村",
    "苏家巷",
    "协和",
    "芷江西路123弄",
    "城上城",
    "共和新路",
    "中兴",  # invented: the report names 17 of the 18
]
AREAS = ["第一片区", "第二片区", "第三片区", "第四片区"]
AREA_SIZES = [5, 5, 4, 4]
STREETS = [
    "芷江西路",
    "共和新路",
    "光复路",
    "大统路",
    "中兴路",
    "西藏北路",
    "交通路",
    "永兴路",
    "普善路",
    "青云路",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬建国志文斌宇浩凯秀珍丹萍俊辉晨"
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"

DEMO_LOGINS = [
    (Role.SUBDISTRICT_ADMIN, "zjx_admin"),
    (Role.AREA_LEAD, "zjx_area1"),
    (Role.COMMUNITY_SECRETARY, "jiaotong_sec"),
    (Role.GRID_WORKER, "jiaotong_gw"),
    (Role.VOLUNTEER, "jiaotong_vol"),
    (Role.VOLUNTEER, "jiaotong_vol2"),  # the volunteer's neighbour, to hand a shift over to
    (Role.PARTY_MEMBER, "jiaotong_pm"),
    (Role.UNIT_LIAISON, "zjx_unit"),
    (Role.ENFORCEMENT_OFFICER, "zjx_officer"),
    (Role.RESIDENT, "jiaotong_resident"),
]


def id_number(rng: random.Random, seq: int) -> str:
    """A well-formed (checksum-valid) but fictitious mainland ID number."""
    body = f"310106{rng.randint(1940, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{seq % 1000:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "18", "17")) + f"{rng.randrange(10**9):09d}"


@dataclass
class BuildingPlan:
    name: str
    address: str
    rooms: list[tuple[str, str]]  # (stairwell, room)


def _building_plans(rng: random.Random, households: int, community_no: int) -> list[BuildingPlan]:
    plans: list[BuildingPlan] = []
    street = STREETS[community_no % len(STREETS)]
    lane = 100 + community_no * 37 % 900
    total = 0
    number = 0
    kind_weights = (0.45, 0.45, 0.10)  # lane houses, walk-ups, towers
    while total < households:
        number += 1
        kind = rng.choices(("lane", "walkup", "tower"), kind_weights)[0]
        rooms: list[tuple[str, str]] = []
        # One label rule for every kind ("2号楼 101" in lists and buttons), lane houses included.
        name = f"{number}号楼"
        if kind == "lane":
            for floor in range(1, rng.randint(2, 3) + 1):
                for unit in range(1, rng.randint(2, 4) + 1):
                    rooms.append(("", f"{floor}{unit:02d}"))
        elif kind == "walkup":
            stairs = rng.randint(1, 3)
            for stair in range(1, stairs + 1):
                for floor in range(1, 7):
                    for unit in range(1, 3):
                        room = f"{floor}{unit:02d}" if stairs == 1 else f"{stair}-{floor}{unit:02d}"
                        rooms.append((f"{stair}单元" if stairs > 1 else "", room))
        else:
            for floor in range(1, rng.randint(18, 28) + 1):
                for unit in range(1, rng.randint(4, 6) + 1):
                    rooms.append(("", f"{floor}{unit:02d}"))
        rooms = rooms[: households - total]
        total += len(rooms)
        plans.append(BuildingPlan(name=name, address=f"上海市静安区{street}{lane}弄{number}号", rooms=rooms))
    return plans


def _community_sizes(rng: random.Random, scale: float) -> list[tuple[str, int]]:
    target = max(len(COMMUNITIES), round(HOUSEHOLDS_AT_SCALE_1 * scale))
    names = list(COMMUNITIES)
    if scale > 1:
        # Invented lane estates named the way Shanghai's are ("<road><number>弄"), never a real area's name.
        names += [
            f"{STREETS[i % len(STREETS)]}{201 + 2 * i}弄"
            for i in range(round(len(COMMUNITIES) * scale) - len(names))
        ]
    weights = [rng.uniform(0.75, 1.25) for _ in names]
    total_w = sum(weights)
    sizes = [max(1, int(target * w / total_w)) for w in weights]
    sizes[0] += target - sum(sizes)
    return list(zip(names, sizes, strict=True))


def _split_contiguous(plans: list[BuildingPlan], parts: int) -> list[list[BuildingPlan]]:
    total = sum(len(p.rooms) for p in plans)
    groups: list[list[BuildingPlan]] = [[] for _ in range(parts)]
    running = 0
    for p in plans:
        index = min(parts - 1, running * parts // max(total, 1))
        groups[index].append(p)
        running += len(p.rooms)
    return [g for g in groups if g]


def workers_for(households: int, lo: int = 15, hi: int = 20, wmin: int = 10, wmax: int = 20) -> int:
    wanted = round(households / ((lo + hi) / 2))
    wanted = max(math.ceil(households / hi), min(wanted, households // lo if households >= lo else 1))
    return max(1, min(wmax, max(wmin, wanted) if households >= wmin * lo else wanted))


def demo_exists() -> bool:
    return GridNode.objects.filter(code=SUBDISTRICT_CODE).exists()


def _summary_audit(actor: Any, model: type[Any], count: int, subdistrict: GridNode) -> AuditEntry:
    return AuditEntry(
        actor=actor,
        actor_name=getattr(actor, "username", "") or "system",
        action=Action.CREATE,
        model=model._meta.label,
        object_id="*",
        object_repr=f"demo: {count}",
        changes={"rows": count},
        subdistrict_id=subdistrict.pk,
        reason="demo_generate",
    )


@transaction.atomic
def demo_generate(
    *,
    scale: float = 1.0,
    seed: int = 2019,
    actor: Any = None,
    progress: Callable[[int, int], None] | None = None,
    code: str = SUBDISTRICT_CODE,
    name: str = SUBDISTRICT_NAME,
    district: tuple[str, str] = ("SH-JA", "静安区"),
    logins: bool = True,
) -> GridNode:
    """Build the demo sub-district (or, with another code and name, one of a synthetic city's); if it is
    already there, only make sure the logins work."""
    existing = GridNode.objects.filter(code=code).first()
    if existing is not None:
        if logins:
            demo_logins_ensure(existing)
        return existing

    rng = random.Random(seed)
    city = GridNode.objects.filter(code="SH").first() or node_create(
        actor=actor, level=Level.CITY, name="上海市", code="SH"
    )
    district_node = GridNode.objects.filter(code=district[0]).first() or node_create(
        actor=actor, level=Level.DISTRICT, name=district[1], parent=city, code=district[0]
    )
    sd = node_create(actor=actor, level=Level.SUBDISTRICT, name=name, parent=district_node, code=code)
    areas = [
        node_create(actor=actor, level=Level.AREA, name=name, parent=sd, code=f"{sd.code}-A{i}", sort_order=i)
        for i, name in enumerate(AREAS, start=1)
    ]
    sizes = _community_sizes(rng, scale)
    area_of = [i for i, n in enumerate(AREA_SIZES) for _ in range(n)]

    buildings: list[Building] = []
    rooms_of: list[list[tuple[str, str]]] = []
    community_nodes: list[GridNode] = []
    steps = len(sizes) + 3
    for c_no, (name, size) in enumerate(sizes, start=1):
        area = areas[area_of[c_no - 1] if c_no <= len(area_of) else (c_no - 1) % len(areas)]
        community = node_create(
            actor=actor,
            level=Level.COMMUNITY,
            name=f"{name}居民区",
            parent=area,
            code=f"{sd.code}-{c_no:02d}",
            sort_order=c_no,
        )
        community_nodes.append(community)
        plans = _building_plans(rng, size, c_no)
        groups = _split_contiguous(plans, max(1, round(size / 300)))
        b_no = 0
        for m_no, group in enumerate(groups, start=1):
            mg = node_create(
                actor=actor,
                level=Level.MICROGRID,
                name=f"{name}第{m_no}微网格",
                parent=community,
                code=f"{community.code}-M{m_no:02d}",
                sort_order=m_no,
            )
            for plan in group:
                b_no += 1
                buildings.append(
                    Building(
                        subdistrict=sd,
                        community=community,
                        microgrid=mg,
                        code=f"{community.code}-B{b_no:03d}",
                        name=plan.name,
                        address=plan.address,
                    )
                )
                rooms_of.append(plan.rooms)
        if progress:
            progress(c_no, steps)

    Building.objects.bulk_create(buildings, batch_size=2000)
    households: list[Household] = []
    contacts: list[tuple[str, str]] = []
    for building, rooms in zip(buildings, rooms_of, strict=True):
        for stairwell, room in rooms:
            name, tel = person_name(rng), phone(rng)
            contacts.append((name, tel))
            households.append(
                Household(
                    subdistrict=sd,
                    community_id=building.community_id,
                    building=building,
                    code=f"{building.code}-{room_code(room)}",
                    room=room,
                    stairwell=stairwell,
                    size=rng.choices((1, 2, 3, 4, 5), (15, 30, 30, 18, 7))[0],
                    contact_name=name,
                    contact_phone=tel,
                )
            )
    Household.objects.bulk_create(households, batch_size=2000)
    if progress:
        progress(len(sizes) + 1, steps)

    people = [
        Person(
            subdistrict=sd,
            node_id=household.community_id,
            household=household,
            name=name,
            phone=tel,
            id_number=id_number(rng, seq),
        )
        for seq, (household, (name, tel)) in enumerate(zip(households, contacts, strict=True))
    ]
    Person.objects.bulk_create(people, batch_size=2000)

    # Grid workers are residents of their micro-grid: pick contact people of its households.
    by_mg: dict[int, list[Person]] = {}
    mg_of_building: dict[int, int] = {b.pk: b.microgrid_id for b in buildings if b.microgrid_id is not None}
    for person, household in zip(people, households, strict=True):
        by_mg.setdefault(mg_of_building[household.building_id], []).append(person)
    workers: list[GridWorker] = []
    for mg_id, residents in by_mg.items():
        mg_code = GridNode.objects.values_list("code", flat=True).get(pk=mg_id)
        count = workers_for(len(residents))
        for w_no, person in enumerate(rng.sample(residents, count), start=1):
            workers.append(
                GridWorker(subdistrict=sd, person=person, microgrid_id=mg_id, code=f"{mg_code}-W{w_no:02d}")
            )
    GridWorker.objects.bulk_create(workers, batch_size=2000)
    AuditEntry.objects.bulk_create(
        [
            _summary_audit(actor, Building, len(buildings), sd),
            _summary_audit(actor, Household, len(households), sd),
            _summary_audit(actor, Person, len(people), sd),
            _summary_audit(actor, GridWorker, len(workers), sd),
        ]
    )
    if progress:
        progress(len(sizes) + 2, steps)

    for community in community_nodes:
        households_assign(actor=actor, community=community)
    if logins:
        demo_logins_ensure(sd)
    if progress:
        progress(steps, steps)
    return sd


def demo_logins_ensure(sd: GridNode) -> list[dict[str, str]]:
    """One login per role (two volunteers), bound to the first area / residential area / micro-grid of the
    demo; every field login is linked to its person there."""
    area = GridNode.objects.filter(parent=sd, level=Level.AREA).order_by("sort_order", "code").first()
    community = GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code").first()
    assert area is not None and community is not None
    worker = (
        GridWorker.objects.filter(microgrid__parent=community)
        .select_related("person")
        .order_by("code")
        .first()
    )
    resident_household = Household.objects.filter(community=community).order_by("code").first()
    resident = Person.objects.filter(household=resident_household).first()
    # Every field login is somebody of the residential area (a resident with a household and a phone, as
    # the swap form finds a neighbour by phone): the party member, the two volunteers and the secretary
    # are its first residents who are neither the resident login nor a grid worker.
    residents = list(
        Person.objects.filter(node=community, household__isnull=False, grid_worker__isnull=True)
        .exclude(pk=resident.pk if resident else 0)
        .order_by("id")[:4]
    )
    padded: list[Person | None] = [*residents, None, None, None, None]
    party_member, volunteer, neighbour, secretary = padded[:4]
    bindings: dict[str, tuple[GridNode, Person | None]] = {
        "zjx_admin": (sd, None),
        "zjx_area1": (area, None),
        "jiaotong_sec": (community, secretary),
        "jiaotong_gw": (worker.microgrid if worker else community, worker.person if worker else None),
        "jiaotong_vol": (community, volunteer),
        "jiaotong_vol2": (community, neighbour),
        "jiaotong_pm": (community, party_member),
        "zjx_unit": (sd, None),  # its person comes with its member unit (units.demo)
        "zjx_officer": (sd, None),
        "jiaotong_resident": (community, resident),
    }
    out = []
    # One hash for all demo logins: PBKDF2 is deliberately slow and these share a password anyway.
    password_hash = make_password(DEMO_PASSWORD)
    for role, username in DEMO_LOGINS:
        node, person = bindings[username]
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.node = role, node
        if person is not None:  # a login bound to nobody here keeps the person another demo gave it
            # One account per person: whoever held this person before (an older demo's binding) lets go.
            User.objects.filter(person=person).exclude(username=username).update(person=None)
            user.person = person
        user.is_staff = role == Role.SUBDISTRICT_ADMIN
        user.is_superuser = role == Role.SUBDISTRICT_ADMIN
        # The same validators as every other way a password is set (the hash is shared, the check is not).
        validate_password(DEMO_PASSWORD, user)
        user.password = password_hash
        user.save()
        out.append({"role": str(role), "username": username, "password": DEMO_PASSWORD})
    return out
