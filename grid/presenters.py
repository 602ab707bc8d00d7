"""What a user may see of a household: personal data masked for roles that do not need it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import User
from accounts.roles import SEE_ID_NUMBERS
from grid.models import Household, Person
from grid.scope import Scope
from lib.masking import mask_id_number, mask_name, mask_phone, mask_room


@dataclass
class HouseholdView:
    code: str
    community: str
    microgrid: str
    building: str
    address: str
    stairwell: str
    room: str
    size: int
    contact_name: str
    contact_phone: str
    grid_worker: str
    grid_worker_code: str
    url: str
    masked: bool


def household_view(h: Household, user: User, *, room: bool = False, serve: bool = False) -> HouseholdView:
    """`room`: show the room even where names and phones stay masked (the visitors of a visit plan must
    find the door; party.views.plan_detail decides who they are). `serve`: show the address, the room and
    the contact's name, the phone still masked (the officer who must find and serve the party of a case they
    act on; enforcement.selectors.case_party decides which cases)."""
    show = user.sees_personal_data or (user.person is not None and user.person.household_id == h.pk)
    worker = h.grid_worker
    return HouseholdView(
        code=h.code,
        community=h.community.name,
        microgrid=h.building.microgrid.name if h.building.microgrid else "",
        building=h.building.name,
        address=h.building.address if show or serve else "",
        stairwell=h.stairwell,
        room=h.room if show or room or serve else mask_room(h.room),
        size=h.size,
        contact_name=h.contact_name if show or serve else mask_name(h.contact_name),
        contact_phone=h.contact_phone if show else mask_phone(h.contact_phone),
        grid_worker=worker.person.name if worker else "",
        grid_worker_code=worker.code if worker else "",
        url=h.get_absolute_url(),
        masked=not show,
    )


def household_row(h: Household, user: User) -> list[Any]:
    v = household_view(h, user)
    return [
        v.code,
        v.community,
        v.microgrid,
        v.building,
        v.stairwell,
        v.room,
        v.size,
        v.contact_name,
        v.contact_phone,
        v.grid_worker,
    ]


def sees_personal_data_at(user: User, node: Any) -> bool:
    """The one rule for a person's phone (and a household's room and name) outside their own page: roles
    that need personal data for their work (`READ_PERSONAL_DATA`: a secretary calling people to fill a
    shift, a grid worker at the door) see it for the people of their own part of the grid; anyone else
    reads it masked (lib.masking). `node`: where the person or household hangs."""
    return user.sees_personal_data and Scope.of(user).covers(node)


def person_phone(p: Person, user: User) -> str:
    """`p.phone` in full or masked by `sees_personal_data_at` (select `node` with the person)."""
    return p.phone if sees_personal_data_at(user, p.node) else mask_phone(p.phone)


@dataclass
class PersonView:
    name: str
    phone: str
    id_number: str
    is_grid_worker: bool


def person_view(p: Person, user: User, *, household: Household) -> PersonView:
    own = user.person is not None and user.person.household_id == household.pk
    show = user.sees_personal_data or own
    full_id = own or user.has_role(SEE_ID_NUMBERS)
    return PersonView(
        name=p.name if show else mask_name(p.name),
        phone=p.phone if show else mask_phone(p.phone),
        id_number=p.id_number if full_id else mask_id_number(p.id_number),
        is_grid_worker=hasattr(p, "grid_worker"),
    )
