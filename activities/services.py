"""Activities: create, publish, register, check in at the door (idempotent), close with a summary (credits
minutes and points to those who came), photos."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivityStatus,
    Registration,
)
from audit.services import (
    audit_bulk_field_changed,
    audit_created,
    audit_updated,
    records_delete,
    saved_user,
    snapshot,
)
from grid.models import GridNode, Level, Person
from grid.scope import Scope
from lib import attendance
from lib.bilingual import Msg
from lib.clock import local_time
from lib.codes import next_code
from lib.idempotency import hold_key
from lib.images import clean_jpeg
from lib.validation import check_fields, check_moment, check_text
from points.services import points_credit_each

# The doors' window (an hour before the start until half an hour after the end) is the one attendance rule
# of `lib.attendance`, which joint meetings share.
DOORS_OPEN = attendance.OPENS_BEFORE
DOORS_CLOSE = attendance.CLOSES_AFTER


def check_in_window(activity: Activity) -> attendance.Window:
    """When `activity_check_in` takes a check-in (the page offers its list only then)."""
    return attendance.window(activity.starts_at, activity.ends_at)


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    node: GridNode,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    capacity: int = 0,
    credit_minutes: int = 0,
    points: int = 0,
    programme: str = "",
    speaker: Person | None = None,
    org: Any = None,
    unit: Any = None,
    publish: bool = False,
) -> Activity:
    Scope.of(actor).require(node)
    sd = node if node.level == Level.SUBDISTRICT else node.subdistrict
    if sd is None:
        raise ValidationError(_("An activity is held in a sub-district."))
    if not kind:  # the form has no default kind: a party-only kind chosen by default shut out non-members
        raise ValidationError(_("Choose the kind of activity."))
    if kind not in ActivityKind.values:
        raise ValidationError(_("Unknown kind of activity."))
    if ends_at <= starts_at:
        raise ValidationError(_("An activity ends after it starts."))
    if not title.strip():
        raise ValidationError(_("Give the activity a title."))
    check_moment(starts_at)
    # Places, minutes and points within what the model's fields hold (≥ 0, a 32-bit column): no IntegrityError.
    numbers = check_fields(Activity, capacity=capacity, credit_minutes=credit_minutes, points=points)
    capacity, credit_minutes, points = numbers["capacity"], numbers["credit_minutes"], numbers["points"]
    check_text(title=title, place=place, programme=programme)
    activity = Activity.objects.create(
        subdistrict=sd,
        node=node,
        code=next_code(Activity, f"{sd.code}-A", 4),
        kind=kind,
        title=title.strip()[:120],
        starts_at=starts_at,
        ends_at=ends_at,
        place=place[:120],
        capacity=capacity,
        credit_minutes=credit_minutes,
        points=points,
        programme=programme,
        speaker=speaker,
        org=org,
        unit=unit,
        status=ActivityStatus.PUBLISHED if publish else ActivityStatus.DRAFT,
        created_by=saved_user(actor),
    )
    audit_created(actor=actor, obj=activity)
    return activity


def activity_publish(*, actor: Any, activity: Activity) -> Activity:
    Scope.of(actor).require(activity.node)
    if activity.status != ActivityStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    before = snapshot(activity)
    activity.status = ActivityStatus.PUBLISHED
    activity.save(update_fields=["status", "updated_at"])
    audit_updated(actor=actor, obj=activity, before=before)
    return activity


FOR_PARTY_MEMBERS = Msg(
    "本活动面向党员（如主题党日），只接受党员报名和签到。",
    "This activity is for party members (a theme party day, say): only party members register and check in.",
)


def may_join(activity: Activity, person: Person | None) -> bool:
    """Whether `person` may take part: anyone for most kinds, only an active party member for the kinds meant
    for members (PARTY_KINDS). The one rule the service enforces and the pages offer by."""
    return person is not None and person.pk in who_may_join(activity, [person])


def who_may_join(activity: Activity, people: Iterable[Person]) -> set[int]:
    """The pks of those among `people` that `may_join` takes, for a whole list at once (the attendance list
    offers a tick box to these only: ticking anyone else would be refused). No query for a kind open to
    everyone, one for a kind meant for party members."""
    pks = {p.pk for p in people}
    if not activity.for_party_members or not pks:
        return pks
    return set(Person.objects.filter(pk__in=pks, party_member__active=True).values_list("pk", flat=True))


def is_party_member(person: Person | None) -> bool:
    """An active party member (membership, not the login's role: a resident may be a member). One query."""
    return person is not None and Person.objects.filter(pk=person.pk, party_member__active=True).exists()


@transaction.atomic
def activity_register(*, actor: Any, activity: Activity, person: Person) -> Registration:
    """Registering twice changes nothing; a full activity takes no more registrations. The activity must
    concern the actor (held at, below or above their node) and the person must be in its reach; an activity
    meant for party members takes party members only (`may_join`), whoever registers them."""
    Scope.of(actor).require(activity.node, above=True)
    if actor is not None and person.pk != actor.person_id:
        Scope.of(actor).require(person.node)  # staff register people of their own node only
    hold_key("registration", f"{activity.pk}:{person.pk}")
    existing = Registration.objects.filter(activity=activity, person=person).first()
    if existing is not None:
        return existing
    if activity.status != ActivityStatus.PUBLISHED:
        raise ValidationError(_("This activity is not open for registration."))
    if not may_join(activity, person):
        raise ValidationError(str(FOR_PARTY_MEMBERS))
    locked = Activity.objects.select_for_update().get(pk=activity.pk)  # places are counted one at a time
    if locked.capacity and locked.registrations.count() >= locked.capacity:
        raise ValidationError(_("This activity is full."))
    registration = Registration.objects.create(activity=activity, person=person)
    audit_created(actor=actor, obj=registration)
    return registration


TOO_LATE_TO_CANCEL = Msg(
    "活动已开始，不能再取消报名。", "The activity has started: registration can no longer be cancelled."
)
CAME_ALREADY = Msg("已签到的报名不能取消。", "A registration that has checked in cannot be cancelled.")


def can_cancel(registration: Registration, now: datetime.datetime | None = None) -> bool:
    """Whether `registration_cancel` would take this registration back (the page shows the button then)."""
    now = now or timezone.now()
    return (
        now < registration.activity.starts_at
        and registration.checked_in_at is None
        and not registration.minutes
    )


@transaction.atomic
def registration_cancel(
    *, actor: Any, activity: Activity, person: Person, now: datetime.datetime | None = None
) -> bool:
    """Take a registration back before the activity starts: the place frees up. Returns False when there was
    nothing to cancel (a second tap). Raises ValidationError once the activity has started, or when the
    person has checked in (check-in opens an hour early) or carries credited minutes.

    The row is deleted, not marked cancelled: before the start, unchecked and uncredited, it is an intention,
    not evidence of attendance; deleting it keeps every count of registrations (places, attendance, reports,
    the party frame) right without a status filter in each, and `records_delete` keeps the row as it was in
    the audit log (who registered, when, and who cancelled). Rows that are evidence are refused, not deleted.
    """
    Scope.of(actor).require(activity.node, above=True)
    if actor is not None and person.pk != actor.person_id:
        Scope.of(actor).require(person.node)  # staff cancel for people of their own node only
    # Locked like a check-in would lock it: a check-in at the door and a cancel cannot interleave.
    registration = (
        Registration.objects.select_for_update()
        .select_related("activity")
        .filter(activity=activity, person=person)
        .first()
    )
    if registration is None:
        return False
    now = now or timezone.now()
    if now >= registration.activity.starts_at:
        raise ValidationError(str(TOO_LATE_TO_CANCEL))
    if not can_cancel(registration, now):
        raise ValidationError(str(CAME_ALREADY))
    records_delete(actor=actor, objs=[registration], reason="registration cancelled before the start")
    return True


@transaction.atomic
def activity_check_in(
    *,
    actor: Any,
    activity: Activity,
    person: Person,
    now: datetime.datetime | None = None,
    reason: str = "checked in at the door",
    after_the_doors: bool = False,
) -> tuple[Registration, bool]:
    """At the door (QR on the activity, or staff with the list). Walk-ins are registered on the spot, places
    permitting. A second check-in keeps the first time. A new check-in is audited (minutes and points
    follow from it). The doors take check-ins from an hour before the start to half an hour after the end;
    `after_the_doors` (staff with the list) also takes them after that, until the activity is ended and
    credited: someone who came but did not scan is added from the sign-in sheet."""
    now = now or timezone.now()
    if activity.status != ActivityStatus.PUBLISHED:
        raise ValidationError(_("This activity is not open for check-in."))
    state = check_in_window(activity).state(now)
    if state == attendance.BEFORE or (state == attendance.CLOSED and not after_the_doors):
        raise ValidationError(
            _("Check-in is open from an hour before the start until half an hour after the end.")
        )
    registration = activity_register(actor=actor, activity=activity, person=person)
    # Locked as `registration_cancel` locks it; if a cancel won the race the person walks in afresh.
    locked = Registration.objects.select_for_update().filter(pk=registration.pk).first()
    registration = locked or activity_register(actor=actor, activity=activity, person=person)
    # The reloaded row gets the objects in hand: its audit entry finds the sub-district through them
    # (audit.services.subdistrict_of) instead of one query per person ticked on a list.
    registration.activity, registration.person = activity, person
    if registration.checked_in_at is not None:
        return registration, False
    before = snapshot(registration)
    registration.checked_in_at = now
    registration.save(update_fields=["checked_in_at"])
    audit_updated(actor=actor, obj=registration, before=before, reason=reason)
    return registration, True


@transaction.atomic
def activity_check_in_many(
    *, actor: Any, activity: Activity, people: Iterable[Person], now: datetime.datetime | None = None
) -> list[Registration]:
    """Staff tick several people present at once (the attendance list): each checked in as
    `activity_check_in` does (walk-ins registered, places permitting), from the opening of the doors until
    the activity is ended (after the doors close: from the sign-in sheet), each new check-in audited.
    Returns the registrations newly checked in, by name; people already checked in are left as they were."""
    Scope.of(actor).require(activity.node)
    late = check_in_window(activity).state(now or timezone.now()) == attendance.CLOSED
    reason = "recorded by staff after the doors closed" if late else "checked in by staff"
    done: list[Registration] = []
    for person in {p.pk: p for p in people}.values():
        registration, new = activity_check_in(
            actor=actor, activity=activity, person=person, now=now, reason=reason, after_the_doors=True
        )
        if new:
            done.append(registration)
    return sorted(done, key=lambda r: r.person.name)


ALREADY_CREDITED = Msg(
    "活动已结束并计入时长和积分，签到不能再撤销。",
    "The activity has been ended and credited: its check-ins can no longer be undone.",
)


@transaction.atomic
def activity_check_in_undo(*, actor: Any, activity: Activity, person: Person) -> bool:
    """Take back a check-in ticked by mistake, while the activity is open (before it is ended and minutes
    and points are credited): the person stays registered, the change is audited. Returns False when the
    person was not checked in (a second tap)."""
    Scope.of(actor).require(activity.node)
    if actor is not None:
        Scope.of(actor).require(person.node)
    registration = Registration.objects.select_for_update().filter(activity=activity, person=person).first()
    if registration is None or registration.checked_in_at is None:
        return False
    if activity.status != ActivityStatus.PUBLISHED or registration.minutes:
        raise ValidationError(str(ALREADY_CREDITED))
    before = snapshot(registration)
    registration.checked_in_at = None
    registration.save(update_fields=["checked_in_at"])
    audit_updated(actor=actor, obj=registration, before=before, reason="check-in undone")
    return True


NOT_STARTED = Msg(
    "活动尚未开始，不能结束并计入时长和积分。",
    "The activity has not started yet: it cannot be ended and credited.",
)
ENDS_LATER = Msg(
    "活动按计划还有 {minutes} 分钟（{ends} 结束）：提前结束后签到即关闭，迟到的人无法再签到或补登。请确认提前结束。",
    "The activity is scheduled to run {minutes} more minutes (until {ends}): ending it now closes check-in "
    "for anyone still coming, at the door and from the sign-in sheet. Confirm to end it early.",
)


def can_close(activity: Activity, now: datetime.datetime | None = None) -> bool:
    """Whether `activity_close` would take it now: published and started (the page offers it only then;
    before the scheduled end only with `end_early`, see `minutes_left`)."""
    return activity.status == ActivityStatus.PUBLISHED and (now or timezone.now()) >= activity.starts_at


def minutes_left(activity: Activity, now: datetime.datetime | None = None) -> int:
    """Whole minutes until the scheduled end, rounded up (a minute for the last seconds); 0 at or after it.
    Ending before then needs `activity_close(end_early=True)`: the page asks first and says this many."""
    left = activity.ends_at - (now or timezone.now())
    if left <= datetime.timedelta(0):
        return 0
    return -(-int(left.total_seconds()) // 60)


@transaction.atomic
def activity_close(
    *,
    actor: Any,
    activity: Activity,
    summary: str,
    now: datetime.datetime | None = None,
    end_early: bool = False,
) -> int:
    """Held: the summary is kept, those who checked in get the minutes and points (once). Returns how many.
    Raises ValidationError (zh/en) for an activity that is not published or has not started yet: nobody
    could have come to it, and credits cannot be taken back. Before the scheduled end it is refused
    (ENDS_LATER, saying how many minutes remain) unless `end_early` says the staff member confirmed it:
    ending closes check-in, so a tap too early would shut out latecomers to a theme day still under way.
    An early end is audited as such."""
    Scope.of(actor).require(activity.node)
    now = now or timezone.now()
    if activity.status != ActivityStatus.PUBLISHED:
        raise ValidationError(_("Only a published activity can be closed."))
    if now < activity.starts_at:
        raise ValidationError(str(NOT_STARTED))
    left = minutes_left(activity, now)
    if left and not end_early:
        ends = f"{local_time(activity.ends_at):%H:%M}"
        raise ValidationError(str(ENDS_LATER.format(minutes=left, ends=ends)))
    if not summary.strip():
        raise ValidationError(_("Write a short summary of how it went."))
    before = snapshot(activity)
    activity.status = ActivityStatus.DONE
    activity.summary = summary.strip()
    activity.save(update_fields=["status", "summary", "updated_at"])
    reason = f"ended {left} minutes before the scheduled end" if left else ""
    audit_updated(actor=actor, obj=activity, before=before, reason=reason)
    came = list(
        activity.registrations.filter(checked_in_at__isnull=False).select_related("person__household")
    )
    credited = [r for r in came if r.minutes != activity.credit_minutes]
    Registration.objects.filter(pk__in=[r.pk for r in credited]).update(minutes=activity.credit_minutes)
    # The minutes credited are audited as each registration's change (0 → 60), in one INSERT for all of them:
    # the log showed the registrations as checked in with 0 minutes after the activity was ended.
    # (r.activity is this activity, set by the related manager: naming a registration asks no query.)
    audit_bulk_field_changed(
        actor=actor,
        model=Registration,
        field="minutes",
        rows=[(r.pk, str(r), activity.subdistrict_id, r.minutes, activity.credit_minutes) for r in credited],
        reason=reason,
    )
    # Each attendee's credit is audited, in one INSERT for all of them (points_credit_each).
    points_credit_each(
        actor=actor,
        credits=[
            (r.person.household, activity.points, f"activity:{activity.code}:{r.person_id}")
            for r in came
            if r.person.household is not None
        ],
        reason=activity.title[:100],
    )
    return len(came)


def activity_photo_add(*, actor: Any, activity: Activity, data: Any) -> ActivityPhoto:
    """`data`: the upload (UploadedFile or bytes); stored re-encoded as JPEG by the upload gate."""
    Scope.of(actor).require(activity.node)
    photo = ActivityPhoto(activity=activity, uploaded_by=saved_user(actor))
    photo.image.save(f"{activity.code}-{uuid.uuid4().hex[:8]}.jpg", ContentFile(clean_jpeg(data)), save=False)
    photo.save()
    audit_created(actor=actor, obj=photo)
    return photo
