"""Who a shift can be handed over to: the volunteers and party members of the point's residential area who
are free at that time, and which shifts are already offered to someone (not open to them as well).
Read-only; the hand-over itself is written by `services.shift_offer`."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import Role
from grid.models import GridNode, Person
from grid.services.importing import BAD_PHONE, PHONE_RE, clean_phone
from lib.bilingual import Msg
from lib.masking import mask_name
from lib.validation import InvalidInput, form_pk
from supervision.models import OfferStatus, ShiftOffer, ShiftSignup, SignupStatus

# The roles that stand at the bins: whom a volunteer knows by name and can hand a shift to.
TAKERS = (Role.VOLUNTEER, Role.PARTY_MEMBER)
# "Also on duty at this point": someone with a sign-up at the same point this many days back (or ahead) is
# the neighbour a volunteer has met at the bins, the surest way to tell two "张**" of one building apart.
MET_DAYS = 60


@dataclass(frozen=True)
class Candidate:
    """One person offered in the hand-over picker: `pk` (a Person), `label` ("闫** 3号楼 3-2** · 也在本点值守":
    the name masked unless the viewer sees personal data, then the building of their household and its room
    with the last two characters masked (the floor, not the door), and whether they are on duty at the same
    point too)."""

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
        .select_related("household__building")  # building and room tell namesakes apart
        .order_by("name", "pk")
    )


NO_TAKER = Msg("请选择接班人或输入对方手机号。", "Pick who takes the shift or type their phone number.")
NOT_A_TAKER = Msg("此人不能接本居民区的班。", "That person cannot take shifts of this residential area.")
NO_SUCH_PHONE = Msg(
    "本居民区没有这个手机号的人员。", "Nobody with that phone number in this residential area."
)


def taker_for(community: GridNode, exclude_person_id: int | None, *, picked: str, phone: str) -> Person:
    """The person a shift is handed to, from the hand-over form: `picked` (a Person pk from the picker,
    one of `takers`) wins over `phone` (a number typed as people type it: "+86 136-0000-0002", full-width
    digits). The one check of that form's input, so each way it can be wrong says what is wrong:
    InvalidInput (zh/en) with code "missing" (neither given, or only spaces), "not_taker" (a pick not in
    the picker), "bad_phone" (not a phone number) or "no_such_phone" (nobody of the area has it)."""
    picked, phone = picked.strip(), unicodedata.normalize("NFKC", phone).strip()
    if picked:
        # form_pk: "abc", "²" or an id past 64 bits match nobody (a ValueError or OverflowError otherwise).
        to = takers(community, exclude_person_id).filter(pk=form_pk(picked)).first()
        if to is None:
            raise InvalidInput(NOT_A_TAKER, code="not_taker")
        return to
    if not phone:
        raise InvalidInput(NO_TAKER, code="missing")
    number = clean_phone(phone)  # stored as the import cleans it (grid.services.importing)
    if not PHONE_RE.fullmatch(number):
        raise InvalidInput(BAD_PHONE.format(v=phone[:30]), code="bad_phone")
    to = (
        Person.objects.filter(node__path__startswith=community.path, phone=number)
        .exclude(pk=exclude_person_id or 0)
        .first()
    )
    if to is None:
        raise InvalidInput(NO_SUCH_PHONE, code="no_such_phone")
    return to


def candidates_for(signups: list[ShiftSignup], user: Any) -> dict[int, list[Candidate]]:
    """For each of `user`'s sign-ups (shift and point loaded): the takers of the point's residential area
    with no active sign-up overlapping that shift (same day, times overlapping). {sign-up pk: [Candidate]};
    one query per residential area plus two (busy sign-ups, who stands at which point), whatever the number
    of sign-ups."""
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
    met = met_at(everyone, [s.shift for s in signups])

    def free(person: Person, shift: Any) -> bool:
        return all(
            end <= shift.start or start >= shift.end for start, end in busy.get((person.pk, shift.day), [])
        )

    also_here = _("also on duty at this point")

    def label(person: Person, point_id: int) -> str:
        # The name by the one rule (`_name`); the room stays floor-masked, that is resident data.
        parts = [_name(person, show=show, colleague=(person.pk, point_id) in met)]
        household = person.household
        if household is not None:
            parts += [household.building.name, household.room if show else _floor_only(household.room)]
        text = " ".join(p for p in parts if p)
        return f"{text} · {also_here}" if (person.pk, point_id) in met else text

    return {
        s.pk: [
            Candidate(p.pk, label(p, s.shift.point_id))
            for p in people[s.shift.point.community_id]
            if free(p, s.shift)
        ]
        for s in signups
    }


def met_at(person_ids: Any, shifts: list[Any]) -> set[tuple[int, int]]:
    """Which of the people stand at the shifts' points too: {(person pk, point pk)} for a sign-up (not
    cancelled) at that point within MET_DAYS of the shifts' days. One query."""
    if not shifts:
        return set()
    days = [s.day for s in shifts]
    return set(
        ShiftSignup.objects.filter(
            person_id__in=person_ids,
            shift__point_id__in={s.point_id for s in shifts},
            shift__day__gte=min(days) - datetime.timedelta(days=MET_DAYS),
            shift__day__lte=max(days) + datetime.timedelta(days=MET_DAYS),
        )
        .exclude(status=SignupStatus.CANCELLED)
        .values_list("person_id", "shift__point_id")
    )


def _name(person: Person, *, show: bool, colleague: bool) -> str:
    # A colleague who stands at the same point is known by name: shown in full; anyone else's name is
    # masked for a reader who does not see personal data (a volunteer).
    return person.name if show or colleague else mask_name(person.name)


def taker_names(offers: list[ShiftOffer], reader: Any) -> dict[int, str]:
    """The name of the person each offer hands its shift to, as `reader` (the sender) sees them in the
    picker (`candidates_for`): in full for a reader who sees personal data or a colleague at the shift's
    point, masked otherwise. So the confirmation and "offered to …" never name more than the list did.
    {offer pk: name}; offers with `signup__shift` and `to_person` loaded; one query."""
    show = bool(getattr(reader, "sees_personal_data", False))
    met = met_at({o.to_person_id for o in offers}, [o.signup.shift for o in offers])
    return {
        o.pk: _name(o.to_person, show=show, colleague=(o.to_person_id, o.signup.shift.point_id) in met)
        for o in offers
    }


def _floor_only(room: str) -> str:
    """A room with its last two characters masked ("1-202" → "1-2**"): the staircase and floor tell
    neighbours apart, the door is not shown. Short rooms are masked whole."""
    return room[:-2] + "**" if len(room) > 2 else "*" * len(room)


def offered_to(person_id: int | None, shift_ids: Any) -> dict[int, str]:
    """The shifts among `shift_ids` someone offers to this person and they have not answered yet:
    {shift pk: offer code}. Such a shift is theirs to accept, so pages show that link instead of "sign up"
    (signing up as well would book them twice); {} without a person."""
    if not person_id:
        return {}
    return dict(
        ShiftOffer.objects.filter(
            to_person_id=person_id, status=OfferStatus.PENDING, signup__shift_id__in=shift_ids
        ).values_list("signup__shift_id", "code")
    )
