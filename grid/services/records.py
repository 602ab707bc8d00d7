"""Creating and changing grid records one at a time, each audited."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_created, audit_updated, snapshot
from grid.models import ALLOWED_PARENT, Building, GridNode, GridRule, GridWorker, Household, Level, Person
from grid.scope import Scope
from lib.bilingual import Msg
from lib.clock import local_today
from lib.codes import next_code
from lib.validation import check_fields

_CODE_PREFIX = {Level.AREA: "A", Level.COMMUNITY: "", Level.MICROGRID: "M"}
NO_ROOM_CODE = Msg(
    "室号“{v}”中没有数字或字母，无法生成户编码：请填写户编码。",
    "Room “{v}” has no digits or letters to make a household code from: give the household code.",
)


def next_child_code(parent: GridNode, level: str) -> str:
    """Human-readable codes: ZJXL-A1 (area), ZJXL-07 (residential area), ZJXL-07-M03 (micro-grid)."""
    top = parent.subdistrict if level in (Level.AREA, Level.COMMUNITY) else parent
    assert top is not None
    base = top.code
    return next_code(GridNode, f"{base}-{_CODE_PREFIX[Level(level)]}", 2 if level != Level.AREA else 1)


def room_code(room: str) -> str:
    """The part of a household code made from its room: the room's ASCII letters and digits after NFKC
    ("１-１０１" and "1-101" are both "1101"). ValueError when nothing is left ("甲", "一〇一"): a shared
    fallback code would make different rooms one household, so the caller asks for a code instead."""
    cleaned = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", room)).upper()
    if not cleaned:
        raise ValueError(room)
    return cleaned


@transaction.atomic
def node_create(
    *,
    actor: Any,
    level: str,
    name: str,
    parent: GridNode | None = None,
    code: str | None = None,
    sort_order: int = 0,
) -> GridNode:
    Scope.of(actor).require(parent)  # a new top-level node only without a bound actor
    allowed = ALLOWED_PARENT[Level(level)]
    if parent is None and allowed and level != Level.SUBDISTRICT:
        raise ValidationError(_("A %(level)s needs a parent.") % {"level": Level(level).label})
    if parent is not None and parent.level not in allowed:
        raise ValidationError(
            _("A %(level)s cannot sit under a %(parent)s.")
            % {"level": Level(level).label, "parent": Level(parent.level).label}
        )
    if code is None:
        if parent is None or parent.subdistrict is None:
            raise ValidationError(_("A code is required at this level."))
        code = next_child_code(parent, level)
    node = GridNode(level=level, name=name, parent=parent, code=code, sort_order=sort_order)
    node.path = f"{parent.path if parent else '/'}{code}/"
    if level != Level.SUBDISTRICT and parent is not None:
        node.subdistrict = parent.subdistrict
    node.full_clean(exclude=["subdistrict"])
    node.save()
    if level == Level.SUBDISTRICT:
        node.subdistrict = node
        node.save(update_fields=["subdistrict"])
    audit_created(actor=actor, obj=node)
    return node


def rule_for(subdistrict: GridNode | None, on: datetime.date | None = None) -> GridRule:
    """The grid rule in force on a day: the sub-district's own, else the default, else the report's."""
    rule = GridRule.in_force(subdistrict.pk if subdistrict else None, on or local_today())
    # The 2019 report's numbers when nobody configured anything: 10–20 workers, 15–20 households.
    return rule or GridRule(effective_from=datetime.date(2019, 7, 1), source="2019 report")


@transaction.atomic
def building_create(
    *,
    actor: Any,
    community: GridNode,
    name: str,
    address: str = "",
    microgrid: GridNode | None = None,
    code: str | None = None,
) -> Building:
    Scope.of(actor).require(community)
    if community.level != Level.COMMUNITY:
        raise ValidationError(_("Buildings belong to a residential area."))
    if microgrid is not None and microgrid.parent_id != community.pk:
        raise ValidationError(_("The micro-grid is not in this residential area."))
    if code is None:
        code = next_code(Building, f"{community.code}-B", 3)
    assert community.subdistrict is not None
    building = Building(
        subdistrict=community.subdistrict,
        community=community,
        microgrid=microgrid,
        name=name,
        address=address,
        code=code,
    )
    building.full_clean()
    building.save()
    audit_created(actor=actor, obj=building)
    return building


@transaction.atomic
def household_create(
    *,
    actor: Any,
    building: Building,
    room: str,
    stairwell: str = "",
    size: int = 1,
    contact_name: str = "",
    contact_phone: str = "",
    code: str | None = None,
) -> Household:
    Scope.of(actor).require(building.community)
    check_fields(Household, size=size)  # full_clean below allows what SQLite holds; this, what both hold
    if not code:
        try:
            code = f"{building.code}-{room_code(room)}"
        except ValueError:
            raise ValidationError(str(NO_ROOM_CODE.format(v=room[:20]))) from None
    household = Household(
        subdistrict_id=building.subdistrict_id,
        community_id=building.community_id,
        building=building,
        room=room,
        stairwell=stairwell,
        size=size,
        contact_name=contact_name,
        contact_phone=contact_phone,
        code=code,
    )
    household.full_clean()
    household.save()
    audit_created(actor=actor, obj=household)
    return household


@transaction.atomic
def household_update(*, actor: Any, household: Household, reason: str = "", **fields: Any) -> Household:
    allowed = {"room", "stairwell", "size", "contact_name", "contact_phone", "building"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    scope = Scope.of(actor)
    scope.require_household(household)
    if "building" in fields:
        scope.require(fields["building"].community)
    if "size" in fields:
        check_fields(Household, size=fields["size"])
    before = snapshot(household)
    for key, value in fields.items():
        setattr(household, key, value)
    if "building" in fields:
        # Moving out of the building ends the old grid worker's care; the next assignment run places it.
        household.community_id = household.building.community_id
        household.grid_worker = None
    household.full_clean()
    household.save()
    audit_updated(actor=actor, obj=household, before=before, reason=reason)
    return household


@transaction.atomic
def person_create(
    *,
    actor: Any,
    node: GridNode,
    name: str,
    phone: str = "",
    id_number: str = "",
    household: Household | None = None,
) -> Person:
    Scope.of(actor).require(node)
    assert node.subdistrict is not None
    person = Person(
        subdistrict=node.subdistrict,
        node=node,
        name=name,
        phone=phone,
        id_number=id_number,
        household=household,
    )
    person.full_clean()
    person.save()
    audit_created(actor=actor, obj=person)
    return person


@transaction.atomic
def grid_worker_create(
    *, actor: Any, person: Person, microgrid: GridNode, code: str | None = None
) -> GridWorker:
    Scope.of(actor).require(microgrid)
    Scope.of(actor).require(person.node)
    if microgrid.level != Level.MICROGRID:
        raise ValidationError(_("Grid workers belong to a micro-grid."))
    if code is None:
        code = next_code(GridWorker, f"{microgrid.code}-W", 2)
    assert microgrid.subdistrict is not None
    worker = GridWorker(subdistrict=microgrid.subdistrict, person=person, microgrid=microgrid, code=code)
    worker.full_clean()
    worker.save()
    audit_created(actor=actor, obj=worker)
    return worker


@transaction.atomic
def grid_worker_deactivate(*, actor: Any, worker: GridWorker, reason: str = "") -> GridWorker:
    Scope.of(actor).require(worker.microgrid)
    before = snapshot(worker)
    worker.active = False
    worker.save(update_fields=["active", "updated_at"])
    audit_updated(actor=actor, obj=worker, before=before, reason=reason)
    return worker
