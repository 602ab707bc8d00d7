"""Demo data for bin-side supervision: points, windows, shifts and a week of records with rhythm.

About one point per 400 households (the city's 300–500), opening 07:00–09:00 and 18:30–20:30 as at 洪南山宅,
households served by the nearest point (in building order), and records whose correct rate improves over
the days, with a few habitual offenders for the secretaries' lists.
"""

from __future__ import annotations

import datetime
import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction

from accounts.models import Role
from grid.models import GridNode, Household, Level, Person
from lib.clock import SHANGHAI, local_today
from supervision.ingest.rows import Row
from supervision.ingest.writers import write_rows
from supervision.models import DropOffPoint, Shift
from supervision.outcomes import OUTCOMES
from supervision.services import point_create, shift_signup, shifts_generate

MORNING = (datetime.time(7, 0), datetime.time(9, 0))
EVENING = (datetime.time(18, 30), datetime.time(20, 30))
EVENING_NEEDED = 2  # people per evening window in the coming days (demo_people_for_logins)
HOLIDAY = [(datetime.time(7, 30), datetime.time(10, 0)), (datetime.time(18, 0), datetime.time(20, 30))]
PROPERTY = ["永业物业", "静安置业物业", "明华物业", "上房物业", "古北物业", "锦江物业"]


def supervision_demo_exists(sd: GridNode) -> bool:
    return DropOffPoint.objects.filter(subdistrict=sd).exists()


@transaction.atomic
def supervision_demo_generate(
    *, sd: GridNode, days: int = 7, seed: int = 2019, progress: Callable[[int, int], None] | None = None
) -> int:
    if supervision_demo_exists(sd):
        return 0
    rng = random.Random(seed)
    communities = list(GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code"))
    windows = [(d, *MORNING) for d in range(7)] + [(d, *EVENING) for d in range(7)]
    today = local_today()
    all_points: list[DropOffPoint] = []
    for c_no, community in enumerate(communities, start=1):
        members = list(
            Household.objects.filter(community=community)
            .order_by("building__code", "stairwell", "room")
            .values_list("id", flat=True)
        )
        n_points = max(1, math.ceil(len(members) / 400))
        for p_no in range(1, n_points + 1):
            point = point_create(
                actor=None,
                community=community,
                name=f"{community.name.removesuffix('居民区')}{p_no}号投放点",
                code=f"{community.code}-P{p_no:02d}",
                manager=rng.choice(PROPERTY),
                manager_contact="021-" + str(rng.randrange(10**7, 10**8)),
                windows=windows,
                holiday_windows=HOLIDAY,
            )
            share = members[(p_no - 1) * len(members) // n_points : p_no * len(members) // n_points]
            Household.objects.filter(pk__in=share).update(drop_off_point=point)
            all_points.append(point)
        if progress:
            progress(c_no, len(communities) * 2)
    shifts_generate(points=all_points, start=today - datetime.timedelta(days=days), days=days + 8)

    # A week of records: ~70% of households drop off each day, in the windows.
    offenders = set()
    rows: list[Row] = []
    served: list[tuple[int, int, int]] = list(
        Household.objects.filter(subdistrict=sd, drop_off_point__isnull=False).values_list(
            "id", "community_id", "drop_off_point_id"
        )
    )
    for hid, _c, _p in served:
        if rng.random() < 0.02:
            offenders.add(hid)
    # One habitual offender per residential area (no draw from rng: the rest of the demo stays as it was),
    # who drops off daily and mostly wrong, so each secretary's repeat-offender preview has a case to
    # confirm under the evidence rule (mistakes on 4+ different days, enforcement.services_proposal).
    habitual = set({c: hid for hid, c, _p in reversed(served)}.values())
    offenders |= habitual
    outcomes = OUTCOMES  # correct, mixed, bag not broken, corrected, refused
    for d in range(days, 0, -1):
        day = today - datetime.timedelta(days=d)
        good = 0.80 + 0.1 * (days - d) / max(days, 1)  # compliance improves over the week
        for hid, community_id, point_id in served:
            if rng.random() > 0.7 and hid not in habitual:
                continue
            start, end = rng.choice((MORNING, EVENING))
            minute = rng.randrange((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute))
            local = datetime.datetime.combine(day, start, tzinfo=SHANGHAI) + datetime.timedelta(
                minutes=minute
            )
            p_good = 0.1 if hid in habitual else 0.35 if hid in offenders else good
            outcome = "correct" if rng.random() < p_good else rng.choices(outcomes[1:], (50, 25, 15, 10))[0]
            category = rng.choices(("wet", "dry", "recyclable", "hazardous"), (45, 40, 13, 2))[0]
            rows.append(
                Row(
                    uuid.UUID(int=rng.getrandbits(128)),
                    sd.pk,
                    community_id,
                    point_id,
                    hid if rng.random() < 0.9 or hid in habitual else None,
                    local,
                    day,
                    category,
                    outcome,
                    "dry"
                    if outcome == "mixed" and category == "wet"
                    else ("wet" if outcome == "mixed" else ""),
                )
            )
        if progress:
            progress(len(communities) + (days - d + 1) * len(communities) // days, len(communities) * 2)
    for i in range(0, len(rows), 20_000):
        write_rows(rows[i : i + 20_000], recorded_by=None)
    return len(rows)


def demo_people_for_logins(sd: GridNode, users: list[Any]) -> None:
    """Field logins get a person (if the demo gave them none) and shifts over the coming days, so their
    pages have content whenever the demo is opened. The roster is extended to two weeks from today
    (idempotent: re-running `generate-demo` moves it along). The first volunteer login stands at the first
    point of their residential area in both of today's windows (so one is not over at most hours of the
    day) and every evening this week, leaving next week open to sign up for; other volunteers take the
    next three mornings (a neighbour to hand a shift to); everyone else the next three mornings too.
    Evening windows from today on need two people (the evening peak), so each residential area's evenings
    today and tomorrow are short of one: the secretary's "unstaffed windows → sign someone up" has
    something to do on any day the demo is opened (issue 17)."""
    today = local_today()
    points = list(DropOffPoint.objects.filter(subdistrict=sd, active=True).order_by("code"))
    shifts_generate(points=points, start=today, days=14)
    Shift.objects.filter(
        subdistrict=sd, day__gte=today, day__lt=today + datetime.timedelta(days=14), start__gte=EVENING[0]
    ).update(needed=EVENING_NEEDED)
    volunteers = sorted((u for u in users if u.role == Role.VOLUNTEER), key=lambda u: u.username)
    for user in users:
        if user.person_id is None:
            user.person = Person.objects.create(
                subdistrict=sd, node=user.node, name=f"{user.get_role_display()}（演示）"
            )
            user.save(update_fields=["person"])
        community = user.node if user.node.level == Level.COMMUNITY else user.node.parent
        upcoming = Shift.objects.filter(
            point__community=community, day__gte=today, day__lt=today + datetime.timedelta(days=7)
        ).order_by("day", "start", "point__code")
        first_point = upcoming.values_list("point_id", flat=True).first()
        at_point = upcoming.filter(point_id=first_point)
        if volunteers and user.pk == volunteers[0].pk:
            shifts = [s for s in at_point if s.day == today or s.start >= EVENING[0]]
        elif user in volunteers:
            shifts = [s for s in at_point if s.day > today and s.start < EVENING[0]][:3]
        else:
            shifts = [s for s in upcoming if s.start < EVENING[0]][:3]
        for shift in shifts:
            shift_signup(actor=None, shift=shift, person=user.person)


def duty_demo_generate(*, sd: GridNode, seed: int = 2019) -> int:
    """Who stood at the bins and what they saw: sign-ups for the past week's windows (and the next two days),
    and a purity check per bin per staffed window. Each residential area has its own level of care, so the
    assessment and rankings have something to tell. Idempotent: skipped once any purity check exists."""
    from supervision.models import PurityCheck, PurityLevel, ShiftSignup, SignupStatus

    if PurityCheck.objects.filter(subdistrict_id=sd.pk).exists():
        return 0
    rng = random.Random(seed + 7)
    today = local_today()
    communities = list(GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code"))
    care = {c.pk: rng.uniform(0.78, 1.0) for c in communities}
    signups: list[ShiftSignup] = []
    checks: list[PurityCheck] = []
    for community in communities:
        volunteers = list(
            Person.objects.filter(household__community=community)
            .order_by("pk")
            .values_list("pk", flat=True)[:40]
        )
        if not volunteers:
            continue
        q = care[community.pk]
        shifts = (
            Shift.objects.filter(point__community=community, day__lt=today + datetime.timedelta(days=2))
            .exclude(signups__isnull=False)
            .select_related("point")
            .prefetch_related("point__bins")
            .order_by("day", "start", "point__code")
        )
        for shift in shifts:
            if rng.random() > q + 0.05:
                continue
            past = shift.day < today
            start, end = shift.starts_at, shift.ends_at
            signups.append(
                ShiftSignup(
                    subdistrict_id=sd.pk,
                    shift=shift,
                    person_id=rng.choice(volunteers),
                    status=SignupStatus.SIGNED_UP,
                    checked_in_at=start if past else None,
                    checked_out_at=end if past else None,
                    minutes=int((end - start).total_seconds() // 60) if past else 0,
                )
            )
            if not past:
                continue
            for bin_ in shift.point.bins.all():
                roll = rng.random()
                level = (
                    PurityLevel.CLEAN
                    if roll < q - 0.05
                    else (PurityLevel.SLIGHT if roll < q + 0.08 else PurityLevel.SERIOUS)
                )
                checks.append(
                    PurityCheck(
                        client_id=uuid.UUID(int=rng.getrandbits(128)),
                        subdistrict_id=sd.pk,
                        point=shift.point,
                        shift=shift,
                        category=bin_.category,
                        level=level,
                        checked_at=end - datetime.timedelta(minutes=10),
                        day=shift.day,
                    )
                )
    with transaction.atomic():
        ShiftSignup.objects.bulk_create(signups, batch_size=2000, ignore_conflicts=True)
        PurityCheck.objects.bulk_create(checks, batch_size=2000)
    return len(checks)
