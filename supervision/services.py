"""Drop-off points, the duty roster and device tokens."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.roles import MANAGE_AREA
from audit.services import audit_bulk_created, audit_created, audit_updated, saved_user, snapshot
from grid.models import GridNode, Level, Person
from grid.scope import OUT_OF_SCOPE, Scope
from lib.bilingual import Msg
from lib.clock import SHANGHAI, local_day, local_time
from lib.codes import next_code
from lib.idempotency import hold_key, idempotency_uuid
from lib.images import clean_jpeg
from supervision.ingest.observations import points_for
from supervision.models import (
    Bin,
    DropOffPoint,
    Holiday,
    Observation,
    ObservationPhoto,
    OfferStatus,
    OpeningWindow,
    PurityCheck,
    PurityLevel,
    Shift,
    ShiftOffer,
    ShiftSignup,
    SignupStatus,
)
from supervision.plausibility import windows_on
from supervision.selectors import ACTIVE, is_full


def _require_point(actor: Any, point: DropOffPoint) -> None:
    """PermissionDenied unless the actor may work at the point (`points_for`: the same scope as the pages;
    a micro-grid's people work at their residential area's points)."""
    if actor is not None and not points_for(actor).filter(pk=point.pk).exists():
        raise PermissionDenied(str(OUT_OF_SCOPE))


@transaction.atomic
def point_create(
    *,
    actor: Any,
    community: GridNode,
    name: str,
    code: str | None = None,
    address: str = "",
    manager: str = "",
    manager_contact: str = "",
    bins: dict[str, int] | None = None,
    windows: list[tuple[int, datetime.time, datetime.time]] | None = None,
    holiday_windows: list[tuple[datetime.time, datetime.time]] | None = None,
) -> DropOffPoint:
    Scope.of(actor).require(community)
    if community.level != Level.COMMUNITY:
        raise ValidationError(
            str(Msg("投放点属于居民区。", "A drop-off point belongs to a residential area."))
        )
    if code is None:
        code = next_code(DropOffPoint, f"{community.code}-P", 2)
    assert community.subdistrict is not None
    point = DropOffPoint(
        subdistrict=community.subdistrict,
        community=community,
        code=code,
        name=name,
        address=address,
        manager=manager,
        manager_contact=manager_contact,
    )
    point.full_clean()
    point.save()
    for category, count in (bins or {"recyclable": 1, "hazardous": 1, "wet": 2, "dry": 2}).items():
        Bin.objects.create(point=point, category=category, count=count)
    for weekday, start, end in windows or []:
        OpeningWindow.objects.create(point=point, weekday=weekday, start=start, end=end)
    for start, end in holiday_windows or []:
        for weekday in range(7):
            OpeningWindow.objects.create(point=point, weekday=weekday, start=start, end=end, holiday=True)
    audit_created(actor=actor, obj=point)
    return point


@transaction.atomic
def shifts_generate(*, points: list[DropOffPoint], start: datetime.date, days: int) -> int:
    """One shift per opening window per day (holiday windows on holidays). Re-running adds nothing twice."""
    end = start + datetime.timedelta(days=days - 1)
    holidays = {h.day: h for h in Holiday.objects.filter(day__gte=start, day__lte=end)}
    new = []
    for point in points:
        for n in range(days):
            day = start + datetime.timedelta(days=n)
            for w in windows_on(point, day, holidays):
                new.append(
                    Shift(subdistrict_id=point.subdistrict_id, point=point, day=day, start=w.start, end=w.end)
                )
    Shift.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
    return len(new)


SHIFT_OVER = Msg(
    "该班次已结束，不能再报名。", "This shift is already over; it can no longer be signed up for."
)


def shift_is_over(shift: Shift, now: datetime.datetime | None = None) -> bool:
    """True once the shift's end (its `day` at `end`, Shanghai time) has passed; `now` (aware) defaults to
    the clock. The one test of "over" used by the sign-up check and by the pages that offer shifts."""
    return (now or timezone.now()) >= shift.ends_at


SHIFT_FULL = Msg(
    "该班次已满（已报 {n} / 需 {needed}），不能再报名。",
    "This shift is full ({n} signed up / {needed} needed); it can no longer be signed up for.",
)


@transaction.atomic
def shift_signup(*, actor: Any, shift: Shift, person: Person, assigned: bool = False) -> ShiftSignup:
    """Sign `person` up (again) for the shift. The actor must work at the shift's point; someone signing up
    another person (a secretary assigning) must have that person in scope. ValidationError (zh/en) when a
    person signs up for a shift that is over, or for one that is full (`selectors.is_full`: as many signed
    up as it needs; one already signed up stays so). Staff assigning (`assigned`) may overfill a window on
    purpose, as the roster decides; the system (actor None: demo data, back-filled history) may do both."""
    _require_point(actor, shift.point)
    if actor is not None and shift_is_over(shift):
        raise ValidationError(str(SHIFT_OVER))
    if actor is not None and person.pk != actor.person_id:
        Scope.of(actor).require(person.node)
    if actor is not None and not assigned:
        # The shift row locked until the end, so two volunteers at once cannot both take its last place.
        Shift.objects.select_for_update().filter(pk=shift.pk).values_list("pk").first()
        others = (
            ShiftSignup.objects.filter(subdistrict_id=shift.subdistrict_id, shift=shift, status__in=ACTIVE)
            .exclude(person=person)
            .count()
        )
        if is_full(others, shift.needed):
            raise ValidationError(str(SHIFT_FULL.format(n=others, needed=shift.needed)))
    return _signup(actor=actor, shift=shift, person=person, assigned=assigned)


def _signup(*, actor: Any, shift: Shift, person: Person, assigned: bool) -> ShiftSignup:
    signup, created = ShiftSignup.objects.get_or_create(
        shift=shift,
        person=person,
        defaults={
            "status": SignupStatus.ASSIGNED if assigned else SignupStatus.SIGNED_UP,
            "subdistrict_id": shift.subdistrict_id,
        },
    )
    if not created and signup.status in (SignupStatus.CANCELLED, SignupStatus.SWAPPED):
        before = snapshot(signup)
        signup.status = SignupStatus.ASSIGNED if assigned else SignupStatus.SIGNED_UP
        signup.save(update_fields=["status"])
        audit_updated(actor=actor, obj=signup, before=before)
    elif created:
        audit_created(actor=actor, obj=signup)
    return signup


STARTED = Msg(
    "该时段已开始，不能再撤销报名。", "This window has started; the sign-up can no longer be withdrawn."
)
NOT_BY_STAFF = Msg(
    "只能撤销工作人员代报的报名；本人报名请由本人换班或取消。",
    "Only a sign-up made by staff can be withdrawn here; a person's own sign-up is theirs to hand over.",
)


@transaction.atomic
def shift_signup_withdraw(*, actor: Any, signup: ShiftSignup) -> ShiftSignup:
    """Withdraw a sign-up that staff made (status "assigned") before its window starts: a secretary who put
    the wrong person on a window takes it back. The actor must be roster staff (MANAGE_AREA) at the
    point and have the person in scope; a person's own sign-up stays theirs (hand-over by offer)."""
    signup = (
        ShiftSignup.objects.select_for_update(of=("self",))  # lock the sign-up, not the joined rows
        .select_related("shift__point", "person__node")
        .get(pk=signup.pk)
    )
    shift = signup.shift
    if actor is not None:
        if not actor.has_role(MANAGE_AREA):
            raise PermissionDenied(str(OUT_OF_SCOPE))
        _require_point(actor, shift.point)
        Scope.of(actor).require(signup.person.node)
    if signup.status != SignupStatus.ASSIGNED:
        raise ValidationError(str(NOT_BY_STAFF))
    if signup.checked_in_at is not None or timezone.now() >= shift.starts_at:
        raise ValidationError(str(STARTED))
    before = snapshot(signup)
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status"])
    audit_updated(actor=actor, obj=signup, before=before)
    return signup


NOT_YOURS = Msg("只能取消本人的报名。", "Only your own sign-up can be cancelled.")


@transaction.atomic
def shift_signup_cancel(*, actor: Any, signup: ShiftSignup) -> ShiftSignup:
    """A volunteer cancels their own sign-up before its window starts (issue 14): the place frees up for
    someone else, and an open hand-over offer of it is withdrawn with it. Only the sign-up's own person, at
    a point they work at; ValidationError (zh/en) once the window has started or they have checked in."""
    signup = ShiftSignup.objects.select_for_update().select_related("shift__point").get(pk=signup.pk)
    shift = signup.shift
    if actor is None or actor.person_id != signup.person_id:
        raise PermissionDenied(str(NOT_YOURS))
    _require_point(actor, shift.point)
    if signup.checked_in_at is not None or timezone.now() >= shift.starts_at:
        raise ValidationError(str(STARTED))
    if signup.status not in (SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED):
        return signup  # already cancelled or handed over: nothing to do (a second tap)
    for offer in ShiftOffer.objects.filter(signup=signup, status=OfferStatus.PENDING):
        _offer_close(actor=actor, offer=offer, status=OfferStatus.WITHDRAWN)
    before = snapshot(signup)
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status"])
    audit_updated(actor=actor, obj=signup, before=before, reason="sign-up cancelled by its person")
    return signup


CHECKED_IN = Msg("已签到的班次不能换班。", "A shift already checked in cannot be swapped.")
NOT_OPEN = Msg("该换班请求已处理。", "This hand-over has already been answered.")


def _is_approver(actor: Any, community: GridNode) -> bool:
    return actor is None or (actor.has_role(MANAGE_AREA) and Scope.of(actor).covers(community))


@transaction.atomic
def shift_offer(*, actor: Any, signup: ShiftSignup, to: Person) -> ShiftOffer:
    """Offer my sign-up to `to` (someone of the point's residential area). Nothing moves yet; an earlier
    open offer of the same sign-up is withdrawn. Raises PermissionDenied (not the owner / not in scope) or
    ValidationError (checked in, offered to oneself, not of that residential area)."""
    signup = (
        ShiftSignup.objects.select_for_update().select_related("shift__point__community").get(pk=signup.pk)
    )
    community = signup.shift.point.community
    if not (actor is None or actor.person_id == signup.person_id or _is_approver(actor, community)):
        raise PermissionDenied(str(OUT_OF_SCOPE))
    if signup.checked_in_at or signup.status not in (SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED):
        raise ValidationError(str(CHECKED_IN))
    if to.pk == signup.person_id or not to.node.path.startswith(community.path):
        raise ValidationError(
            str(Msg("只能交给本居民区的其他人。", "Hand over only to someone else of this residential area."))
        )
    for old in ShiftOffer.objects.filter(signup=signup, status=OfferStatus.PENDING):
        _offer_close(actor=actor, offer=old, status=OfferStatus.WITHDRAWN)
    offer = ShiftOffer.objects.create(subdistrict_id=signup.subdistrict_id, signup=signup, to_person=to)
    audit_created(actor=actor, obj=offer, reason="shift offer")
    return offer


def _offer_close(*, actor: Any, offer: ShiftOffer, status: str) -> ShiftOffer:
    before = snapshot(offer)
    offer.status = status
    offer.decided_at = timezone.now()
    offer.decided_by = saved_user(actor)
    offer.save(update_fields=["status", "decided_at", "decided_by"])
    audit_updated(actor=actor, obj=offer, before=before, reason=f"shift offer {status}")
    return offer


@transaction.atomic
def shift_offer_answer(*, actor: Any, offer: ShiftOffer, accept: bool) -> ShiftOffer:
    """The person offered the shift (or a secretary of its residential area) accepts or declines; the
    owner may only withdraw (accept=False). Accepting moves the shift: the owner's sign-up stays, as
    swapped, and the other person is signed up (by staff when a secretary answered for them). PermissionDenied for anyone else; ValidationError when the
    offer is no longer open or the shift was checked in meanwhile."""
    offer = ShiftOffer.objects.select_for_update().get(pk=offer.pk)
    signup = (
        ShiftSignup.objects.select_for_update()
        .select_related("shift__point__community")
        .get(pk=offer.signup_id)
    )
    community = signup.shift.point.community
    mine = actor is not None and actor.person_id == offer.to_person_id
    owner = actor is not None and actor.person_id == signup.person_id
    if not (mine or _is_approver(actor, community) or (owner and not accept)):
        raise PermissionDenied(str(OUT_OF_SCOPE))
    if offer.status != OfferStatus.PENDING:
        raise ValidationError(str(NOT_OPEN))
    if not accept:
        status = OfferStatus.WITHDRAWN if owner and not mine else OfferStatus.DECLINED
        return _offer_close(actor=actor, offer=offer, status=status)
    if signup.checked_in_at or signup.status not in (SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED):
        raise ValidationError(str(CHECKED_IN))
    before = snapshot(signup)
    signup.status = SignupStatus.SWAPPED
    signup.save(update_fields=["status"])
    audit_updated(actor=actor, obj=signup, before=before, reason=f"handed over (offer {offer.pk})")
    # The person who said yes signed up themselves; a secretary answering for them signed them up (staff).
    _signup(actor=actor, shift=signup.shift, person=offer.to_person, assigned=not mine)
    return _offer_close(actor=actor, offer=offer, status=OfferStatus.ACCEPTED)


def offers_for(user: Any) -> Any:
    """Open offers the user is part of: made by or to their person, and (secretaries) those at points of
    their scope."""
    qs = ShiftOffer.objects.filter(status=OfferStatus.PENDING).select_related(
        "signup__shift__point", "signup__person", "to_person"
    )
    mine = (
        Q(to_person_id=user.person_id) | Q(signup__person_id=user.person_id)
        if user.person_id
        else Q(pk__in=[])
    )
    if user.has_role(MANAGE_AREA):
        return qs.filter(mine | Scope.of(user).q("signup__shift__point__community"))
    return qs.filter(mine)


def _require_signup(actor: Any, signup: ShiftSignup) -> None:
    """PermissionDenied (zh/en) unless the actor is the sign-up's own person or a secretary of its point's
    residential area: checking in or out records minutes someone is credited with."""
    if actor is None or actor.person_id == signup.person_id:
        return
    if not _is_approver(actor, signup.shift.point.community):
        raise PermissionDenied(str(OUT_OF_SCOPE))


# Check-in opens this long before a shift's window starts (a volunteer sets the bins out before the first
# resident comes) and closes when the window ends. The minutes credited are only those inside the window.
CHECK_IN_OPENS_BEFORE = datetime.timedelta(minutes=30)


def check_in_opens(shift: Shift) -> datetime.datetime:
    """When check-in opens: `CHECK_IN_OPENS_BEFORE` before the window starts (it closes at the end)."""
    return shift.starts_at - CHECK_IN_OPENS_BEFORE


def check_in_open(shift: Shift, now: datetime.datetime | None = None) -> bool:
    """True while a check-in for the shift is taken: from `check_in_opens` until the window ends. The one
    test used by `shift_check_in` and by the pages that offer the button."""
    at = now or timezone.now()
    return check_in_opens(shift) <= at < shift.ends_at


def duty_minutes(shift: Shift, checked_in: datetime.datetime, checked_out: datetime.datetime) -> int:
    """Whole minutes of [check-in, check-out] that fall inside the shift's window: arriving early or
    checking out late credits nothing beyond the window."""
    overlap = min(checked_out, shift.ends_at) - max(checked_in, shift.starts_at)
    return max(0, int(overlap.total_seconds() // 60))


def _hm(at: datetime.datetime) -> str:
    return local_time(at).strftime("%H:%M")


def _check_in_refusal(shift: Shift, at: datetime.datetime) -> str | None:
    """Why a check-in at `at` is refused (zh/en), or None when it is taken."""
    opens = check_in_opens(shift)
    if at < opens:
        when = local_time(opens)
        day = "" if when.date() == local_day(at) else f"{when:%m-%d} "
        return str(
            Msg(
                f"还不能签到：签到于 {day}{_hm(opens)} 开放（班次 {shift.start:%H:%M} 开始前 "
                f"{CHECK_IN_OPENS_BEFORE.seconds // 60} 分钟）。",
                f"Check-in is not open yet: it opens at {day}{_hm(opens)} "
                f"({CHECK_IN_OPENS_BEFORE.seconds // 60} minutes before the shift starts at {shift.start:%H:%M}).",
            )
        )
    if at >= shift.ends_at:
        return str(
            Msg(
                f"该班次已于 {shift.end:%H:%M} 结束，不能再签到。",
                f"This shift ended at {shift.end:%H:%M}; it can no longer be checked in to.",
            )
        )
    return None


NOT_IN_FUTURE = Msg("签到、签退时间不能晚于现在。", "A check-in or check-out time cannot be in the future.")


@transaction.atomic
def shift_check_in(*, actor: Any, signup: ShiftSignup, at: datetime.datetime | None = None) -> ShiftSignup:
    """Mark the sign-up checked in (once). PermissionDenied for anyone but its person or a secretary of
    the point's residential area. ValidationError (zh/en) unless the time checked in (`at`, default now)
    is within check-in's opening (`check_in_open`) and not in the future. A secretary correcting a past
    shift's record gives the time the person really came (`at`), which must fall in that opening too."""
    _require_signup(actor, signup)
    if signup.checked_in_at is None:
        now = timezone.now()
        when = at or now
        if when > now:
            raise ValidationError(str(NOT_IN_FUTURE))
        if (refused := _check_in_refusal(signup.shift, when)) is not None:
            raise ValidationError(refused)
        before = snapshot(signup)
        signup.checked_in_at = when
        signup.save(update_fields=["checked_in_at"])
        audit_updated(actor=actor, obj=signup, before=before)
    return signup


@transaction.atomic
def shift_check_out(*, actor: Any, signup: ShiftSignup, at: datetime.datetime | None = None) -> ShiftSignup:
    """Mark it checked out and credit the minutes of [check-in, check-out] inside the shift's window
    (`duty_minutes`: a check-out long after the end credits up to the end); the same people as
    `shift_check_in`. ValidationError (zh/en) for a check-out before the check-in or in the future."""
    _require_signup(actor, signup)
    if signup.checked_in_at is None:
        raise ValidationError(str(Msg("请先签到。", "Check in first.")))
    if signup.checked_out_at is None:
        now = timezone.now()
        when = at or now
        if when > now:
            raise ValidationError(str(NOT_IN_FUTURE))
        if when < signup.checked_in_at:
            raise ValidationError(
                str(Msg("签退时间不能早于签到时间。", "The check-out time cannot be before the check-in."))
            )
        before = snapshot(signup)
        signup.checked_out_at = when
        signup.minutes = duty_minutes(signup.shift, signup.checked_in_at, when)
        signup.save(update_fields=["checked_out_at", "minutes"])
        audit_updated(actor=actor, obj=signup, before=before)
    return signup


CHECK_OUT_FINAL = Msg(
    "该班次已结束，签退不能再撤销。", "This shift has ended; the check-out can no longer be undone."
)


def check_out_undoable(signup: ShiftSignup, now: datetime.datetime | None = None) -> bool:
    """True while a check-out can be taken back: the sign-up is checked out and its window has not ended
    (a stray tap on 签退 mid-window is undone; once the window is over the minutes stand). The one test used
    by `shift_check_out_undo` and by the pages that offer the button."""
    return signup.checked_out_at is not None and (now or timezone.now()) < signup.shift.ends_at


@transaction.atomic
def shift_check_out_undo(*, actor: Any, signup: ShiftSignup) -> ShiftSignup:
    """Take back a check-out made while the window is still open (`check_out_undoable`): the person is on
    duty again from their check-in, and the minutes are credited at the next check-out. The same people as
    `shift_check_in`; audited. ValidationError (zh/en) once the window has ended; nothing to do when the
    sign-up is not checked out (a second tap)."""
    _require_signup(actor, signup)
    signup = ShiftSignup.objects.select_for_update().select_related("shift").get(pk=signup.pk)
    if signup.checked_out_at is None:
        return signup
    if not check_out_undoable(signup):
        raise ValidationError(str(CHECK_OUT_FINAL))
    before = snapshot(signup)
    signup.checked_out_at = None
    signup.minutes = 0
    signup.save(update_fields=["checked_out_at", "minutes"])
    audit_updated(actor=actor, obj=signup, before=before, reason="check-out undone")
    return signup


MAX_PHOTO_SIDE = 1600
PHOTO_NOT_FOUND = Msg("找不到这条记录，或不在您的范围内。", "No such record within your part of the grid.")


@transaction.atomic
def photo_store(
    *, user: Any, client_id: uuid.UUID, day: datetime.date, data: Any
) -> tuple[ObservationPhoto, bool]:
    """Keep a record's photo (`data`: UploadedFile or bytes): re-encoded from pixels only (no EXIF, so no
    location or phone details), turned upright, at most 1600 px a side, through the upload gate's checks
    (lib.uploads). A second upload for the same record changes nothing."""
    client_id = idempotency_uuid(client_id)  # the nil UUID would be one key shared by every client
    # (sub-district, day, client_id) is the record's key: one index lookup per sub-district the user records in,
    # whatever the size of the table.
    points = points_for(user)
    observation = Observation.objects.filter(
        subdistrict_id__in=points.values("subdistrict_id"), day=day, client_id=client_id, point__in=points
    ).first()
    if observation is None:
        # "Not found" rather than "invalid": the API answers 404, as for any object outside the user's scope.
        raise Observation.DoesNotExist(str(PHOTO_NOT_FOUND))
    # Looked up only after the record is found in scope: another area's client id must not answer
    # "already there" (with the photo's size) instead of 404. The photo's key is the client id alone, so a
    # photo of the same id elsewhere is "not found" here too, never a second row (an IntegrityError).
    hold_key("photo", client_id)
    existing = ObservationPhoto.objects.filter(client_id=client_id).first()
    if existing is not None and existing.subdistrict_id != observation.subdistrict_id:
        raise Observation.DoesNotExist(str(PHOTO_NOT_FOUND))
    if existing is not None:
        return existing, False
    jpeg = clean_jpeg(data, max_side=MAX_PHOTO_SIDE)
    photo = ObservationPhoto(client_id=client_id, subdistrict_id=observation.subdistrict_id, uploaded_by=user)
    photo.image.save(f"{client_id}.jpg", ContentFile(jpeg), save=False)
    photo.save()
    audit_created(actor=user, obj=photo)
    return photo, True


@transaction.atomic
def purity_checks_record(
    *, actor: Any, point: DropOffPoint, levels: dict[str, str], notes: str = "", form_id: uuid.UUID | str
) -> list[PurityCheck]:
    """A shift's purity check, one row per bin whose level the check changed; returns the rows it stored,
    so the confirmation can name each bin and its level ([] when nothing changed or the form was sent
    before). `form_id` comes with the form, so a resubmitted form saves nothing twice. The check is tied
    to the shift open at the point now, if any. InvalidInput (zh/en) for a missing, malformed or nil `form_id` (lib.idempotency)."""
    _require_point(actor, point)
    form_id = idempotency_uuid(form_id)
    now = timezone.now()
    local = now.astimezone(SHANGHAI)
    shift = Shift.objects.filter(
        point=point, day=local.date(), start__lte=local.time(), end__gte=local.time()
    ).first()
    bins = set(point.bins.values_list("category", flat=True))
    rows = [
        PurityCheck(
            client_id=uuid.uuid5(form_id, category),
            subdistrict_id=point.subdistrict_id,
            point=point,
            shift=shift,
            category=category,
            level=level,
            checked_at=now,
            day=local.date(),
            notes=notes[:500],
            recorded_by=saved_user(actor),
        )
        for category, level in levels.items()
        if category in bins and level in PurityLevel.values
    ]
    # The form preselects each bin's latest level of today (views.point_detail): a bin sent back at that
    # level was read back, not checked again, and storing it would count (and credit to this recorder) a
    # check nobody made. Only changed bins are stored; a note with nothing changed is a check of the bins
    # as they stand, stored with their levels. (This form's own rows are left out of "latest": resent,
    # it must compare as it did the first time and then store nothing new.)
    latest: dict[str, str] = {}
    for category, level in (
        PurityCheck.objects.filter(point=point, day=local.date())
        .exclude(client_id__in=[r.client_id for r in rows])
        .order_by("checked_at", "pk")
        .values_list("category", "level")
    ):
        latest[category] = level
    changed = [r for r in rows if latest.get(r.category) != r.level]
    rows = changed or (rows if notes.strip() else [])
    # The form held until the transaction ends, so two sends at once cannot both miss its rows: the insert
    # needs no ignore_conflicts, and so gets the rows' ids back for the log.
    hold_key("purity", form_id)
    known = set(
        PurityCheck.objects.filter(client_id__in=[r.client_id for r in rows]).values_list(
            "client_id", flat=True
        )
    )
    new = [r for r in rows if r.client_id not in known]
    PurityCheck.objects.bulk_create(new)
    # A check's level is what a property company may dispute (a bin rated 严重混杂): each row is audited,
    # in one INSERT; each carries its sub-district, so the log's key costs no query.
    audit_bulk_created(actor=actor, objs=new, reason="purity check")
    return new
