"""Volunteers' pages (shifts, check-in, the offline recorder) and the numbers for staff."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import User
from accounts.roles import MANAGE_AREA, READ_COVERAGE, READ_POINTS, RECORD_SORTING
from grid.presenters import household_view
from grid.scope import OUT_OF_SCOPE, Scope, get_node_for_user, home_node
from guide.models import CategoryKey
from lib.clock import local_time, local_today
from lib.confirm import confirm_first
from lib.masking import mask_name
from lib.periods import last_days, query_days
from supervision.handover import candidates_for, offered_to, taker_for, taker_names
from supervision.ingest.observations import points_for
from supervision.models import (
    DropOffPoint,
    OfferStatus,
    PurityCheck,
    PurityLevel,
    Shift,
    ShiftOffer,
    ShiftSignup,
    purity_word,
)
from supervision.selectors import (
    by_household_group,
    by_point,
    gaps,
    handed_over,
    my_signups,
    numbers_by_child,
    offer_readable,
    points_readable,
    purity_checks_recent,
    repeat_offenders,
    trend,
    weekly,
    with_people,
)
from supervision.services import (
    check_in_opens,
    duty_minutes,
    offers_for,
    purity_checks_record,
    shift_check_in,
    shift_check_out,
    shift_check_out_undo,
    shift_is_over,
    shift_offer,
    shift_offer_answer,
    shift_signup,
    shift_signup_cancel,
)
from supervision.templatetags.roster import listed

OPEN_SHIFTS_SHOWN = 60  # per week: a residential area's points × two windows × 7 days fit at the demo's size
NUMBER_SPANS = range(1, 367)  # ?days= on the numbers page: any span up to a year
PURITY_DAYS = 7  # the point page shows staff the purity checks of this many days, today included


def _today() -> datetime.date:
    return local_today()


def _weeks(today: datetime.date) -> tuple[tuple[datetime.date, datetime.date], ...]:
    """(first day, last day) of this calendar week from `today` on, and of next week: weeks run Monday to
    Sunday, as the headings "this week" / "next week" say."""
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    return ((today, sunday), (sunday + datetime.timedelta(days=1), sunday + datetime.timedelta(days=7)))


def _started(shift: Shift, now: datetime.datetime) -> bool:
    return now >= shift.starts_at


def _point_for_user(user: User, code: str) -> DropOffPoint:
    point = points_for(user).filter(code=code).select_related("community").first()
    if point is None:
        raise Http404
    return point


@require_GET
@role_required(READ_POINTS)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _home_page(request)


def _home_page(request: AuthenticatedHttpRequest, status: int = 200) -> HttpResponse:
    """The duty page; a refused form of it (the hand-over) answers it again with `status` 400 and the
    message, rather than a redirect that would read as done."""
    user = request.user
    today = _today()
    if not user.has_role(RECORD_SORTING):
        # The area lead oversees the points of their area: the points, tomorrow's gaps, no duty of their own.
        node = home_node(user)
        return render(
            request,
            "supervision/home.html",
            {
                "overseer": True,
                "points": list(points_readable(user).order_by("code")[:50]),
                "gaps": gaps(node, today + datetime.timedelta(days=1)),
                "node": node,
                "can_edit": False,
            },
            status=status,
        )
    points = list(points_for(user).order_by("code")[:50])
    mine = my_signups(user.person_id, today, days=14) if user.person_id else []
    # Shifts offered to me and not answered yet are answered, not signed up for again (a double booking).
    offered_me = offered_to(
        user.person_id,
        Shift.objects.filter(
            point__in=points, day__gte=today, day__lt=today + datetime.timedelta(days=14)
        ).values("pk"),
    )
    taken = {s.shift_id for s in mine} | set(offered_me)
    now = timezone.now()

    def open_in_week(start: datetime.date, last: datetime.date) -> list[Shift]:
        # Each week bounded on its own, so a busy week cannot push next week (a volunteer signs up a week
        # ahead) off the page; shifts already over today are not offered (the service refuses them too).
        week = Shift.objects.filter(point__in=points, day__gte=start, day__lte=last)
        shifts = (
            with_people(week.exclude(pk__in=taken))  # "3 signed up / 1 needed", full or not
            .select_related("point")
            .order_by("day", "start", "point__code")
        )
        return [s for s in shifts[:OPEN_SHIFTS_SHOWN] if not shift_is_over(s, now)]

    offers = list(offers_for(user))
    # My open offers by sign-up, and the offers I may answer. The person I offered a shift to is named as
    # the picker named them (supervision.handover.taker_names): masked unless a colleague at that point.
    sent = [o for o in offers if o.signup.person_id == user.person_id]
    sent_names = taker_names(sent, user)
    offered = {o.signup_id: (sent_names[o.pk], o.code) for o in sent}
    # Whom each shift can be handed to (volunteers and party members free then), named as my role may see.
    free = candidates_for(mine, user)
    context = {
        "points": points,
        # (sign-up, (name it is offered to, offer code) or None, over?, candidates, started?): a shift that is
        # over is not handed over; an open offer can be withdrawn from here; a sign-up can be cancelled until
        # its window starts (services.shift_signup_cancel).
        "mine": [
            (s, offered.get(s.pk), shift_is_over(s.shift, now), free.get(s.pk, []), _started(s.shift, now))
            for s in mine
        ],
        "to_answer": [o for o in offers if o.signup.person_id != user.person_id],
        # My shifts someone accepted from me: they left "mine", the sender is told who has them now.
        "handed_over": handed_over(user.person_id, today) if user.person_id else [],
        # (heading, open shifts, list id, first day, last day): calendar weeks, Monday to Sunday in Shanghai
        # (`_weeks`): this week from today to Sunday, then next Monday to Sunday; both within the 14 days
        # that `mine` and `offered_me` cover.
        "open_weeks": [
            (heading, open_in_week(first, last), list_id, first, last)
            for heading, list_id, (first, last) in zip(
                (_("Open shifts this week"), _("Open shifts next week")),
                ("open-this-week", "open-next-week"),
                _weeks(today),
                strict=True,
            )
        ],
        "today": today,
        "has_person": bool(user.person_id),
    }
    context["can_edit"] = user.has_role(MANAGE_AREA)
    if user.has_role(MANAGE_AREA):
        node = home_node(user)
        context["gaps"] = gaps(node, today + datetime.timedelta(days=1))
        context["node"] = node
    return render(request, "supervision/home.html", context, status=status)


@require_POST
@role_required(RECORD_SORTING)
def signup(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    shift = get_object_or_404(Shift, code=code, point__in=points_for(user))
    if user.person is None:
        messages.error(request, _("Your account is not linked to a person on the grid."))
    else:
        try:
            shift_signup(actor=user, shift=shift, person=user.person)
            messages.success(request, _("Signed up."))
        except ValidationError as exc:  # e.g. the shift is already over
            messages.error(request, "; ".join(exc.messages))
    return redirect("supervision:home")


@require_POST
@role_required(RECORD_SORTING)
def signup_cancel(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Cancel my own sign-up before its window starts, after a confirmation (lib.confirm): the place frees up
    for someone else. Another person's sign-up is 404."""
    user = request.user
    signup_obj = get_object_or_404(
        ShiftSignup.objects.select_related("shift__point"), code=code, person_id=user.person_id or 0
    )
    shift = signup_obj.shift
    ask = confirm_first(
        request,
        title=_("Cancel your sign-up?"),
        consequences=[
            f"{shift.day:%m-%d} {shift.start:%H:%M}–{shift.end:%H:%M} {shift.point.name}",
            _("Your place is freed for someone else. You can sign up again while the shift is still open."),
        ],
        back=reverse("supervision:home"),
        button=_("Cancel the sign-up"),
        final=False,
    )
    if ask is not None:
        return ask
    try:
        shift_signup_cancel(actor=user, signup=signup_obj)
        messages.success(request, _("Sign-up cancelled; the place is free again."))
    except ValidationError as exc:  # the window has started
        messages.error(request, "; ".join(exc.messages))
    return redirect("supervision:home")


@require_POST
@role_required(RECORD_SORTING)
def swap(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Offer one of my shifts to someone of the same residential area: picked from the volunteers and
    party members (POST `to`: a Person pk), or else found by phone number (`phone`). The shift stays mine
    until they accept (or a secretary approves); the confirmation names them as the picker does
    (supervision.handover.taker_names)."""
    user = request.user
    signup_obj = get_object_or_404(
        ShiftSignup.objects.select_related("shift__point__community"), code=code, person_id=user.person_id
    )
    try:
        to = taker_for(
            signup_obj.shift.point.community,
            user.person_id,
            picked=request.POST.get("to", ""),
            phone=request.POST.get("phone", "")[:40],
        )
        offer = shift_offer(actor=user, signup=signup_obj, to=to)
    except ValidationError as exc:  # nobody picked, a malformed or unknown number, or the service refused
        messages.error(request, "; ".join(exc.messages))
        return _home_page(request, status=400)
    # Named as the picker names them (a neighbour masked, a colleague at the point in full).
    name = taker_names([offer], user)[offer.pk]
    messages.success(
        request, _("Shift offered to %(name)s; it stays yours until they accept.") % {"name": name}
    )
    return redirect("supervision:home")


def _offer_for_user(user: User, code: str) -> ShiftOffer:
    """An offer the user is part of, or (staff reading rosters) at a point of their scope
    (`offer_readable`); anything else is 404."""
    offer = offer_readable(user, code)
    if offer is None:
        raise Http404
    return offer


@require_http_methods(["GET", "POST"])
@role_required(READ_POINTS)
def offer_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """One hand-over offer: the person offered accepts or declines, a secretary approves or declines, the
    owner withdraws. The sender and the receiver are colleagues who meet at the bins: each sees the other's
    name in full; anyone else without personal data sees them masked until the hand-over is accepted."""
    user = request.user
    offer = _offer_for_user(user, code)
    if request.method == "POST" and not user.has_role(RECORD_SORTING | MANAGE_AREA):
        raise PermissionDenied(str(OUT_OF_SCOPE))  # the area lead reads offers, never answers them
    if request.method == "POST":
        action = request.POST.get("action", "")
        # Only the owner withdraws; their "decline" is a withdrawal too (the service tells them apart by who
        # asks), said as such.
        withdraw = action != "accept" and user.person_id == offer.signup.person_id != offer.to_person_id
        if action not in ("accept", "decline", "withdraw") or (action == "withdraw" and not withdraw):
            raise Http404
        try:
            shift_offer_answer(actor=user, offer=offer, accept=action == "accept")
            done = _("Accepted.") if action == "accept" else _("Declined.")
            messages.success(request, _("Offer withdrawn; the shift stays yours.") if withdraw else done)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        return redirect("supervision:home")
    party = user.person_id is not None and user.person_id in (offer.signup.person_id, offer.to_person_id)
    show = user.sees_personal_data or offer.status == OfferStatus.ACCEPTED or party
    # The sender reads the person they offered it to as the picker named them (supervision.handover).
    sender = user.person_id is not None and user.person_id == offer.signup.person_id != offer.to_person_id
    if sender and offer.status != OfferStatus.ACCEPTED:
        to_name = taker_names([offer], user)[offer.pk]
    else:
        to_name = offer.to_person.name if show else mask_name(offer.to_person.name)
    return render(
        request,
        "supervision/offer.html",
        {
            "offer": offer,
            "shift": offer.signup.shift,
            "owner_name": offer.signup.person.name if show else mask_name(offer.signup.person.name),
            "to_name": to_name,
            "can_answer": offer.status == OfferStatus.PENDING
            and (user.person_id == offer.to_person_id or user.has_role(MANAGE_AREA)),
            "can_withdraw": offer.status == OfferStatus.PENDING and user.person_id == offer.signup.person_id,
            # The receiver is addressed as "you", not by their own name.
            "for_me": user.person_id is not None and user.person_id == offer.to_person_id,
            "pending": offer.status == OfferStatus.PENDING,
            "can_read_roster": user.has_role(READ_COVERAGE),
        },
    )


@require_POST
@role_required(RECORD_SORTING)
def check(request: AuthenticatedHttpRequest, code: str, action: str) -> HttpResponse:
    """Check in, check out, or undo a check-out (`undo`). A check-out before the window ends is confirmed
    first (lib.confirm), saying how many minutes it credits; one made by mistake while the window is still
    open can be undone (services.shift_check_out_undo)."""
    user = request.user
    if action not in ("in", "out", "undo"):
        raise Http404
    signup_obj = get_object_or_404(
        ShiftSignup.objects.select_related("shift__point"), code=code, person_id=user.person_id
    )
    shift = signup_obj.shift
    page = reverse("supervision:point_detail", args=[shift.point.code])
    now = timezone.now()
    if action == "out" and signup_obj.checked_in_at and not signup_obj.checked_out_at and now < shift.ends_at:
        credited = duty_minutes(shift, signup_obj.checked_in_at, now)
        ask = confirm_first(
            request,
            title=_("Check out before the window ends?"),
            consequences=[
                f"{shift.day:%m-%d} {shift.start:%H:%M}–{shift.end:%H:%M} {shift.point.name}",
                ngettext(
                    "Checked in at %(at)s: %(n)d minute of the window will be credited.",
                    "Checked in at %(at)s: %(n)d minutes of the window will be credited.",
                    credited,
                )
                % {"at": f"{local_time(signup_obj.checked_in_at):%H:%M}", "n": credited},
                _("The window is open until %(end)s; until then a check-out made by mistake can be undone.")
                % {"end": f"{shift.end:%H:%M}"},
            ],
            back=page,
            button=_("Check out"),
            final=False,
        )
        if ask is not None:
            return ask
    try:
        if action == "in":
            shift_check_in(actor=user, signup=signup_obj)
            messages.success(request, _("Checked in."))
        elif action == "undo":
            shift_check_out_undo(actor=user, signup=signup_obj)
            messages.success(request, _("Check-out undone: you are on duty again."))
        else:
            done = shift_check_out(actor=user, signup=signup_obj)
            messages.success(
                request,
                ngettext(
                    "Checked out: %(n)d minute on duty.", "Checked out: %(n)d minutes on duty.", done.minutes
                )
                % {"n": done.minutes},
            )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect(page)


@require_GET
@role_required(READ_POINTS)
def point_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A point's page: recorders sign up, check in and check purity here; the area lead reads it (today's
    windows and their rosters, opening hours) without recording."""
    user = request.user
    point = points_readable(user).filter(code=code).select_related("community").first()
    if point is None:
        raise Http404
    today = _today()
    now = timezone.now()
    shifts = list(with_people(Shift.objects.filter(point=point, day=today)).order_by("start"))
    mine = (
        {s.shift_id: s for s in ShiftSignup.objects.filter(shift__in=shifts, person_id=user.person_id)}
        if user.person_id
        else {}
    )
    offered_me = offered_to(user.person_id, [s.pk for s in shifts])
    # Today's purity checks: the latest level per bin (preselected), and every check's note with its time
    # (a second volunteer's check adds its note; none replaces another's), so saved checks read back whole.
    checked: dict[str, str] = {}
    notes: dict[datetime.datetime, str] = {}  # one check's rows share their time and note
    for category, level, note, at in (
        PurityCheck.objects.filter(point=point, day=today)
        .order_by("checked_at", "pk")
        .values_list("category", "level", "notes", "checked_at")
    ):
        checked[category] = level
        if note:
            notes[at] = note
    bins = list(point.bins.all())
    staff = user.has_role(READ_COVERAGE)
    return render(
        request,
        "supervision/point.html",
        {
            "point": point,
            # (shift, my sign-up or None, over?, code of an open offer of it to me or None, when check-in
            # opens if it is not open yet, else None): a shift that is over offers no sign-up or check-in;
            # one offered to me is answered there, not signed up for; check-in is offered only while it is
            # taken (services.check_in_open), and before that the page says when it opens.
            "shifts": [
                (
                    s,
                    mine.get(s.pk),
                    shift_is_over(s, now),
                    offered_me.get(s.pk),
                    local_time(check_in_opens(s)) if now < check_in_opens(s) else None,
                )
                for s in shifts
            ],
            # (bin, today's saved level or "", its label or "")
            "bins": [
                (
                    b,
                    checked.get(b.category, ""),
                    purity_word(checked[b.category]) if b.category in checked else "",
                )
                for b in bins
            ],
            "saved_notes": [(local_time(at), note) for at, note in notes.items()],
            # Staff read the point's purity checks of the last days, each with its note (selectors).
            "purity_recent": purity_checks_recent(
                point, today - datetime.timedelta(days=PURITY_DAYS - 1), today, reader=user
            )
            if staff
            else None,
            "purity_days": PURITY_DAYS,
            "windows": point.windows.filter(holiday=False).order_by("weekday", "start"),
            "levels": PurityLevel.choices,
            "form_id": uuid.uuid4(),
            "can_record": user.has_role(RECORD_SORTING),
            "can_read_roster": staff,
        },
    )


@require_POST
@role_required(RECORD_SORTING)
def purity(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    point = _point_for_user(user, code)
    levels = {
        key.removeprefix("level_"): request.POST.get(key, "")
        for key in request.POST
        if key.startswith("level_")
    }
    try:
        saved = purity_checks_record(
            actor=user,
            point=point,
            levels=levels,
            notes=request.POST.get("notes", ""),
            form_id=request.POST.get("form_id", ""),  # checked by the service
        )
    except ValidationError as exc:  # no key (refused, never made up: see lib.idempotency)
        messages.error(request, " ".join(exc.messages))
        return redirect("supervision:point_detail", code=point.code)
    # Only the rows stored are named: bins read back at today's level are not checked again (service).
    if saved:
        messages.success(request, _("Saved: %(checks)s.") % {"checks": _purity_saved(saved)})
    else:
        messages.info(request, _("Nothing changed: the levels are as already saved today."))
    return redirect("supervision:point_detail", code=point.code)


@require_GET
@ensure_csrf_cookie
@role_required(RECORD_SORTING)
def record(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    point = _point_for_user(user, code)
    # {code, building, room} per household: the recorder matches a typed room against all of them (a room
    # number alone is shared by several buildings) and names them "1号楼 1101" in its list and buttons.
    households = [
        {"code": code, "building": building, "room": room}
        for code, building, room in point.households.order_by("code").values_list(
            "code", "building__name", "room"
        )
    ]
    return render(
        request,
        "supervision/record.html",
        {"point": point, "households": households, "bins": point.bins.all()},
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The app's own worker (accounts/offline.py), under the scope the recorder registers it for: one worker's
    rules everywhere, so a page not kept shows the app's offline page under /supervision/ too. Its precache
    holds the recorder's scripts (recorder.js, lib/outbox.js, idb-keyval's umd.js, every lib/*.js)."""
    from accounts.offline import service_worker as app_worker

    return app_worker(request, allowed=reverse("supervision:home"))


def _purity_saved(rows: list[PurityCheck]) -> str:
    """The bins a purity check stored, each with its level, in the page's language and the bins' usual
    order: "湿垃圾（厨余） 纯净、干垃圾（其他） 严重混杂" / "Wet (food) waste – clean, Dry (residual) waste – serious
    mixing"."""
    order = list(CategoryKey.values)
    return listed(
        _("%(bin)s – %(level)s") % {"bin": r.get_category_display(), "level": purity_word(r.level)}
        for r in sorted(rows, key=lambda r: order.index(r.category) if r.category in order else len(order))
    )


def _purity_words(purity: dict[str, dict[str, int]]) -> list[tuple[str, list[tuple[str, int]]]]:
    """Purity counts {category key: {level key: n}} as (bin name, [(level name, n)]), in the page's language,
    bins and levels in their usual order."""
    names = dict(CategoryKey.choices)
    return [
        (
            str(names.get(cat, cat)),
            [(purity_word(lv), purity[cat][lv]) for lv in PurityLevel.values if lv in purity[cat]],
        )
        for cat in names
        if cat in purity
    ]


@require_GET
@role_required(READ_COVERAGE)
def numbers(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = get_node_for_user(user, code)
    days = query_days(request, NUMBER_SPANS, 30)
    start, end = last_days(days, _today())
    scope = Scope.of_node(node)  # once for the page's selectors
    rows = numbers_by_child(node, start, end, scope=scope)
    offenders = repeat_offenders(node, since=start, scope=scope) if user.has_role(READ_COVERAGE) else []
    return render(
        request,
        "supervision/numbers.html",
        {
            "node": node,
            "rows": [(r, _purity_words(r.purity)) for r in rows],
            "trend": trend(node, start, end, scope=scope),
            # (first day, last day, rate): a week's days within the span, so the first and last weeks say
            # which of their days count.
            "weeks": [
                (max(monday, start), min(monday + datetime.timedelta(days=6), end), rate)
                for monday, rate in weekly(node, start, end, scope=scope)
            ],
            "days": days,
            "start": start,
            "end": end,
            "points": by_point(node, start, end) if node.level == "community" else [],
            "microgrids": by_household_group(node, start, end, "microgrid")
            if node.level == "community"
            else [],
            "workers": by_household_group(node, start, end, "worker") if node.level == "community" else [],
            # Building and room say where to knock; the room is masked for roles that don't need it.
            "offenders": [(household_view(o.household, user), o) for o in offenders],
        },
    )
