"""Activities per node (list and month calendar), one activity (register, QR check-in, attendance, close,
photos), attendance export."""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import Role, User
from accounts.roles import ORGANISE_EVENTS
from activities.models import PARTY_KINDS, Activity, ActivityKind, ActivityStatus
from activities.selectors import expected_attendees, open_to_everyone, with_signed_up
from activities.services import (
    activity_check_in,
    activity_check_in_many,
    activity_check_in_undo,
    activity_close,
    activity_create,
    activity_photo_add,
    activity_publish,
    activity_register,
    can_cancel,
    can_close,
    check_in_window,
    is_party_member,
    may_join,
    minutes_left,
    registration_cancel,
    who_may_join,
)
from grid.models import GridNode, Person
from grid.scope import Scope, concerns, get_node_for_user, held_for
from lib.clock import local_time
from lib.confirm import CONFIRMED, confirm_first, went_back
from lib.forms import attempt
from lib.periods import query_month
from lib.qr import qr_svg
from lib.uploads import file_response
from lib.validation import form_pk
from lib.xlsx import xlsx_response

EVERYONE = frozenset(Role.values)


def activities_for(node: GridNode) -> QuerySet[Activity]:
    """Held at the node, inside it, or at a node above it (a sub-district event is everyone's)."""
    return Activity.objects.filter(held_for(node))


def _month(request: HttpRequest) -> datetime.date:
    return query_month(request).start


@require_http_methods(["GET", "POST"])
@role_required(EVERYONE)
def node_activities(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = get_node_for_user(user, code)
    error = ""
    if request.method == "POST":
        if not user.has_role(ORGANISE_EVENTS):
            raise Http404

        def write() -> Activity:
            day = datetime.date.fromisoformat(request.POST.get("day", ""))
            start = datetime.time.fromisoformat(request.POST.get("start", "") or "09:00")
            end = datetime.time.fromisoformat(request.POST.get("end", "") or "11:00")
            tz = timezone.get_current_timezone()
            return activity_create(
                actor=user,
                node=node,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                starts_at=datetime.datetime.combine(day, start, tzinfo=tz),
                ends_at=datetime.datetime.combine(day, end, tzinfo=tz),
                place=request.POST.get("place", ""),
                capacity=int(request.POST.get("capacity", "0") or 0),
                credit_minutes=int(request.POST.get("credit_minutes", "0") or 0),
                points=int(request.POST.get("points", "0") or 0),
                programme=request.POST.get("programme", ""),
                publish=request.POST.get("publish") == "1",
            )

        created, error = attempt(write, unreadable=_("Give the day, times and numbers in the form shown."))
        if created is not None:
            return redirect("activities:detail", code=created.code)
    month = _month(request)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    visible = activities_for(node).exclude(status=ActivityStatus.CANCELLED)
    if not user.has_role(ORGANISE_EVENTS):
        visible = visible.exclude(status=ActivityStatus.DRAFT)
    if not (user.has_role(ORGANISE_EVENTS) or user.role == Role.PARTY_MEMBER or is_party_member(user.person)):
        # What only party members may join is offered to those who organise events, party-member logins and
        # members of any login (a resident may be one: the service checks membership); not to others.
        visible = open_to_everyone(visible)
    # Each activity marked "已报名" when the reader has signed up, in the list's own query.
    visible = with_signed_up(visible, person_id=user.person_id)
    in_view = list(
        visible.filter(starts_at__date__gte=weeks[0][0], starts_at__date__lte=weeks[-1][-1])
        .select_related("node")
        .annotate(
            came=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
            registered=Count("registrations"),
        )
        .order_by("starts_at")
    )
    by_day: dict[datetime.date, list[Activity]] = {}
    for a in in_view:
        by_day.setdefault(timezone.localtime(a.starts_at).date(), []).append(a)
    # The calendar's first and last weeks reach into the months around it (shown greyed there); the list,
    # the phone's agenda and the export are this month's only.
    in_month = [a for a in in_view if timezone.localtime(a.starts_at).date().month == month.month]
    if request.GET.get("export") == "xlsx" and user.has_role(ORGANISE_EVENTS):
        return xlsx_response(
            f"activities-{node.code}-{month:%Y-%m}.xlsx",
            [_("Code"), _("Day"), _("Kind"), _("Title"), _("Where"), _("Status"), _("Attended")],
            [
                (
                    a.code,
                    timezone.localtime(a.starts_at).strftime("%Y-%m-%d %H:%M"),
                    a.get_kind_display(),
                    a.title,
                    a.node.name,
                    a.get_status_display(),
                    a.came,
                )  # type: ignore[attr-defined]
                for a in in_month
            ],
        )
    now = timezone.now()
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "activities/node.html",
        {
            "node": node,
            "month": month,
            "previous": previous,
            "following": following,
            "weeks": [[(d, by_day.get(d, [])) for d in week] for week in weeks],
            "activities": in_month,
            # What is coming whatever month is shown: on a phone the calendar is hidden, and an event two
            # days ahead sat behind "2026-12 →" (issue 14).
            # An activity under way heads it ("进行中"): it began before now, and the secretary at the door
            # looked for it here in vain. Started earlier, it sorts first.
            "upcoming": visible.filter(
                Q(starts_at__gte=now, starts_at__lt=now + datetime.timedelta(days=30))
                | Q(status=ActivityStatus.PUBLISHED, starts_at__lte=now, ends_at__gt=now)
            )
            .select_related("node")
            .order_by("starts_at")[:10],
            "can_export": user.has_role(ORGANISE_EVENTS),
            # Each kind with whether only party members may join it (PARTY_KINDS): the form says so by the
            # choice, and has no default, so that a party-only kind is never taken by not choosing.
            "kinds": [(value, label, value in PARTY_KINDS) for value, label in ActivityKind.choices],
            "party_kinds": [label for value, label in ActivityKind.choices if value in PARTY_KINDS],
            "can_create": user.has_role(ORGANISE_EVENTS),
            "error": error,
        },
        status=400 if error else 200,
    )


def _activity(user: User, code: str) -> Activity:
    activity = Activity.objects.filter(code=code).select_related("node", "speaker", "org", "unit").first()
    if activity is None:
        raise Http404
    if not concerns(user, activity.node):
        raise Http404
    if activity.status == ActivityStatus.DRAFT and not user.has_role(ORGANISE_EVENTS):
        raise Http404
    return activity


def _staff_of(user: User, activity: Activity) -> bool:
    return user.has_role(ORGANISE_EVENTS) and (
        user.node is None or activity.node.path.startswith(user.node.path)
    )


@require_http_methods(["GET", "POST"])
@role_required(EVERYONE)
def detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    activity = _activity(user, code)
    staff = _staff_of(user, activity)
    error = ""
    # "Back" from the question before ending: the page again, its summary as typed (lib.confirm `keep`).
    back = went_back(request)
    if request.method == "POST" and not back:
        action = request.POST.get("action")
        asked = _confirm_irreversible(request, user, activity, staff, action)
        if asked is not None:
            return asked

        def write() -> None:
            if action == "register" and user.person is not None:
                activity_register(actor=user, activity=activity, person=user.person)
            elif action == "cancel" and user.person is not None:
                registration_cancel(actor=user, activity=activity, person=user.person)
            elif action == "publish" and staff:
                activity_publish(actor=user, activity=activity)
            elif action == "check_in" and staff:
                people = _pickable_many(user, activity, request)
                if not people:
                    raise ValidationError(_("Tick the people who came."))
                checked = activity_check_in_many(actor=user, activity=activity, people=people)
                names = "、".join(r.person.name for r in checked)
                messages.success(
                    request,
                    ngettext(
                        "%(n)s person checked in: %(names)s.",
                        "%(n)s people checked in: %(names)s.",
                        len(checked),
                    )
                    % {"n": len(checked), "names": names}
                    if checked
                    else _("Those ticked were checked in already."),
                )
            elif action == "undo_check_in" and staff:
                person = _pickable(user, activity, request)
                if person is None:
                    raise ValidationError(_("Choose a person."))
                if activity_check_in_undo(actor=user, activity=activity, person=person):
                    messages.success(
                        request,
                        _("%(name)s's check-in is undone; they stay registered.") % {"name": person.name},
                    )
            elif action == "close" and staff:
                # `end_early` comes only from the confirmation page that said how many minutes remain.
                came = activity_close(
                    actor=user,
                    activity=activity,
                    summary=request.POST.get("summary", ""),
                    end_early=request.POST.get("end_early") == "1",
                )
                messages.success(request, ended_message(activity, came))
            elif action == "photo" and staff and (upload := request.FILES.get("photo")) is not None:
                activity_photo_add(actor=user, activity=activity, data=upload)
            else:
                raise Http404

        _done, error = attempt(write)
        if not error:
            # Say what happened (the page alone changes little: a button swapped for another).
            said = {"register": _("Registered."), "cancel": _("Registration cancelled.")}.get(action or "")
            if said:
                messages.success(request, said)
            return redirect("activities:detail", code=activity.code)
    registrations = list(activity.registrations.select_related("person").order_by("person__name"))
    if staff and request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"attendance-{activity.code}.xlsx",
            [_("Name"), _("Registered"), _("Checked in"), _("Minutes credited")],
            [
                (
                    r.person.name,
                    timezone.localtime(r.registered_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(r.checked_in_at).strftime("%H:%M") if r.checked_in_at else "—",
                    r.minutes,
                )
                for r in registrations
            ],
        )
    q = request.GET.get("q", "").strip()
    candidates = (
        list(
            # The people picker lists only people at the staff member's node or below.
            Scope.of(user)
            .filter(Person.objects.filter(subdistrict_id=activity.subdistrict_id), "node")
            .filter(name__icontains=q)
            .order_by("name")[:10]
        )
        if staff and q
        else []
    )
    # The attendance list to tick: registered and expected people (the meeting's node's members).
    expected = (
        expected_attendees(activity, Scope.of(user))
        if staff and activity.status == ActivityStatus.PUBLISHED
        else []
    )
    listed = {e.pk for e, _r in expected}
    candidates = [p for p in candidates if p.pk not in listed]
    checkin_url = request.build_absolute_uri(reverse("activities:checkin", args=[activity.code]))
    mine = next((r for r in registrations if user.person_id and r.person_id == user.person_id), None)
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "registrations": registrations if staff else [],
            "count": len(registrations),
            "came": sum(r.checked_in_at is not None for r in registrations),
            "mine": mine,
            "can_cancel": mine is not None and can_cancel(mine),
            # Offered by the service's own rule: an activity for party members only to party members.
            "may_join": mine is None and may_join(activity, user.person),
            "can_close": can_close(activity),
            # Ending before the scheduled end closes check-in for latecomers: the page says so by the button.
            "minutes_left": minutes_left(activity),
            "doors": check_in_window(activity),  # the list to tick only while check-in is open
            "staff": staff,
            "candidates": candidates,
            "expected": expected,
            # Only those the service would check in get a tick box (a theme party day: members); the others
            # are listed with the reason, not offered a tick that ends in a refusal.
            "joinable": who_may_join(activity, [*candidates, *(p for p, _r in expected)]),
            "q": q,
            "qr_svg": qr_svg(checkin_url, scale=4) if staff else "",
            "checkin_url": checkin_url,
            "photos": activity.photos.all(),
            "summary_typed": request.POST.get("summary", "") if back else "",
            "error": error,
        },
        status=400 if error else 200,
    )


def _pickable(user: User, activity: Activity, request: HttpRequest) -> Person | None:
    """The person chosen in the form, if the staff member's picker could list them (their node or below)."""
    return (
        Scope.of(user)
        .filter(Person.objects.filter(subdistrict_id=activity.subdistrict_id), "node")
        .filter(pk=form_pk(request.POST.get("person")))
        .first()
    )


def _pickable_many(user: User, activity: Activity, request: HttpRequest) -> list[Person]:
    """The people ticked in the attendance list that the staff member's picker could list."""
    ids = [pk for pk in (form_pk(v) for v in request.POST.getlist("person")[:500]) if pk]
    if not ids:
        return []
    return list(
        Scope.of(user)
        .filter(Person.objects.filter(subdistrict_id=activity.subdistrict_id), "node")
        .filter(pk__in=ids)
        .select_related("node")
    )


def ended_message(activity: Activity, came: int) -> str:
    """What ending said it did ("已结束：3 人每人计入 120 分钟、20 积分"): `came`, those credited
    (activity_close's answer)."""
    if not came:
        return _("Ended. Nobody had checked in: no minutes or points were credited.")
    return ngettext(
        "Ended: %(n)s person credited %(minutes)s minutes and %(points)s points.",
        "Ended: %(n)s people credited %(minutes)s minutes and %(points)s points each.",
        came,
    ) % {"n": came, "minutes": activity.credit_minutes, "points": activity.points}


def activity_when_where(activity: Activity) -> str:
    """The activity's day, hours and place in one line ("2026-12-03 14:00–16:00 · 居民区活动室"), as its page
    gives them: what a confirmation names besides the title."""
    starts, ends = local_time(activity.starts_at), local_time(activity.ends_at)
    return _("When: %(when)s · Where: %(place)s") % {
        "when": f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}",
        "place": " · ".join(p for p in (activity.place, activity.node.name) if p),
    }


def _confirm_irreversible(
    request: HttpRequest, user: User, activity: Activity, staff: bool, action: str | None
) -> HttpResponse | None:
    """The confirmation page for the steps on this page that cannot be taken back (lib.confirm); None for
    the others (registering, photos) and once confirmed. Publishing cannot return to a draft, a check-in
    can be undone until the activity is ended (not asked), closing credits minutes and points for good (and before the scheduled end says how many minutes remain), a cancelled place may go to someone else."""
    if request.POST.get(CONFIRMED) == "1":
        return None  # confirmed: go ahead, without the queries that only the question needs
    back = reverse("activities:detail", args=[activity.code])
    # Every question names the activity (its title in the question, when and where as the first line): the
    # page stands alone, and a phone's back-and-forth can leave one unsure which activity it asks about.
    where = activity_when_where(activity)
    # Asked only when the step would go through; otherwise the service's refusal is the answer.
    if action == "close" and staff and can_close(activity):
        came = activity.registrations.filter(checked_in_at__isnull=False).count()
        lines = [
            where,
            _("%(n)s people who checked in are credited %(minutes)s minutes and %(points)s points each.")
            % {"n": came, "minutes": activity.credit_minutes, "points": activity.points}
            if came
            # "0 people are credited 0 minutes each" read like a fault: say plainly that nothing is credited.
            else _("Nobody has checked in yet: ending it credits no minutes or points to anyone."),
            _("The activity is marked as held; nobody can check in or register any more."),
        ]
        left = minutes_left(activity)
        if not left:
            return confirm_first(
                request,
                title=_("End “%(title)s” and credit minutes and points?") % {"title": activity.title},
                consequences=lines,
                back=back,
                button=_("End and credit"),
                keep=True,  # "Back" keeps the typed summary
            )
        # Still under way: the question says so first, and only its answer carries the flag the service
        # needs to end it early (activities.services.activity_close).
        early = _(
            "It is scheduled to end at %(end)s, %(minutes)s minutes from now: ending it now closes check-in "
            "for anyone still coming, at the door and from the sign-in sheet."
        ) % {"end": f"{local_time(activity.ends_at):%H:%M}", "minutes": left}
        return confirm_first(
            request,
            title=_("End “%(title)s” %(minutes)s minutes early and credit minutes and points?")
            % {"title": activity.title, "minutes": left},
            consequences=[where, early, *lines[1:]],
            back=back,
            button=_("End early and credit"),
            adds={"end_early": "1"},
            keep=True,
        )
    if action == "publish" and staff and activity.status == ActivityStatus.DRAFT:
        return confirm_first(
            request,
            title=_("Publish “%(title)s”?") % {"title": activity.title},
            consequences=[
                where,
                _("People can register from now on; a published activity cannot become a draft again."),
            ],
            back=back,
        )
    if action != "cancel" or not user.person_id:
        return None
    mine = activity.registrations.filter(person_id=user.person_id).first()
    if mine is not None and can_cancel(mine):
        return confirm_first(
            request,
            title=_("Cancel your registration for “%(title)s”?") % {"title": activity.title},
            consequences=[
                where,
                _(
                    "Your place is freed for someone else. You can register again while places remain; "
                    "once the activity is full you cannot."
                ),
            ],
            back=back,
            button=_("Cancel my registration"),
            final=False,  # registering again is possible: not "cannot be undone"
        )
    return None


@require_http_methods(["GET", "POST"])
@role_required(EVERYONE)
def checkin(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Where the QR at the door leads: a logged-in resident, volunteer or member checks themself in."""
    user = request.user
    activity = _activity(user, code)
    error, done = "", None
    if request.method == "POST":
        if user.person is None:
            error = _("Your account is not linked to a person on the grid; ask the staff at the door.")
        else:
            try:
                done, _new = activity_check_in(actor=user, activity=activity, person=user.person)
            except ValidationError as exc:
                error = " ".join(exc.messages)
    return render(
        request,
        "activities/checkin.html",
        {"activity": activity, "done": done, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET"])
@role_required(EVERYONE)
def photo(request: AuthenticatedHttpRequest, code: str, photo: str) -> FileResponse:
    activity = _activity(request.user, code)
    item = activity.photos.filter(code=photo).first()
    if item is None:
        raise Http404
    # Inline for the <img> tags of the activity page: photos are re-encoded JPEGs (lib.uploads).
    return file_response(item.image, inline_image=True)
