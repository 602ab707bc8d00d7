"""Who a shift can be handed over to: the volunteers and party members of the point's residential area who
are free at that time. Read-only; the hand-over itself is written by `services.shift_offer`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from accounts.models import Role
from grid.models import GridNode, Person
from lib.masking import mask_name
from supervision.models import ShiftSignup, SignupStatus

# The roles that stand at the bins: whom a volunteer knows by name and can hand a shift to.
TAKERS = (Role.VOLUNTEER, Role.PARTY_MEMBER)


@dataclass(frozen=True)
class Candidate:
    """One person offered in the hand-over picker: `pk` (a Person), `label` ("闫** 3号楼": the name masked
    unless the viewer sees personal data, then the building of their household, if any)."""

    pk: int
    label: str


def takers(community: GridNode, exclude_person_id: int | None) -> Any:
    """The people of the residential area (and below) with a volunteer or party-member account, except the
    given person: a QuerySet of Person, by name."""
    return (
        Person.objects.filter(
            node__path__startswith=community.path, user__role__in=TAKERS, user__is_active=True
        )
        .exclude(pk=exclude_person_id or 0)
        .select_related("household__building")
        .order_by("name", "pk")
    )


def candidates_for(signups: list[ShiftSignup], user: Any) -> dict[int, list[Candidate]]:
    """For each of `user`'s sign-ups (shift and point loaded): the takers of the point's residential area
    with no active sign-up overlapping that shift (same day, times overlapping). {sign-up pk: [Candidate]};
    two queries per residential area plus one for the busy sign-ups, whatever the number of sign-ups."""
    if not signups:
        return {}
    show = bool(getattr(user, "sees_personal_data", False))
    people: dict[int, list[Person]] = {}
    for s in signups:
        community_id = s.shift.point.community_id
        if community_id not in people:
            people[community_id] = list(takers(s.shift.point.community, user.person_id))
    everyone = {p.pk for group in people.values() for p in group}
    busy: dict[tuple[int, datetime.date], list[tuple[datetime.time, datetime.time]]] = {}
    for person_id, day, start, end in ShiftSignup.objects.filter(
        person_id__in=everyone,
        shift__day__in={s.shift.day for s in signups},
        status__in=(SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED),
    ).values_list("person_id", "shift__day", "shift__start", "shift__end"):
        busy.setdefault((person_id, day), []).append((start, end))

    def free(person: Person, shift: Any) -> bool:
        return all(
            end <= shift.start or start >= shift.end for start, end in busy.get((person.pk, shift.day), [])
        )

    def label(person: Person) -> str:
        name = person.name if show else mask_name(person.name)
        household = person.household
        return f"{name} {household.building.name}" if household else name

    return {
        s.pk: [Candidate(p.pk, label(p)) for p in people[s.shift.point.community_id] if free(p, s.shift)]
        for s in signups
    }
