"""Contests: list and create per node, the host's screen, the player's phone, the scoreboard, the paper."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import Role, User
from accounts.roles import ORGANISE_EVENTS
from contests import selectors
from contests.models import Contest, ContestMode, ContestStatus
from contests.paper import paper_pdf
from contests.services import (
    answer_fast,
    answer_submit,
    contest_create,
    contest_join,
    contest_next,
    contest_start,
    tap_prepare,
    time_left,
)
from contests.tickets import ticket_issue, ticket_read
from grid.models import GridNode
from grid.scope import concerns, get_node_for_user
from lib.htmx import is_htmx
from lib.qr import qr_svg

PLAYERS = frozenset(Role.values)


def _contest(user: User, code: str) -> Contest:
    """A contest is open to everyone at, above or below its node."""
    contest = Contest.objects.filter(code=code).select_related("node").first()
    if contest is None:
        raise Http404
    if not concerns(user, contest.node):
        raise Http404
    return contest


def _hosted(user: User, code: str) -> Contest:
    contest = _contest(user, code)
    if not user.has_role(ORGANISE_EVENTS):
        raise Http404
    get_node_for_user(user, contest.node.code)  # hosts run contests in their own part of the grid
    return contest


@require_http_methods(["GET", "POST"])
@role_required(PLAYERS)
def node_contests(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    node: GridNode = get_node_for_user(user, code)
    error = ""
    if request.method == "POST":
        if not user.has_role(ORGANISE_EVENTS):
            raise Http404
        try:
            contest = contest_create(
                actor=user,
                node=node,
                title=request.POST.get("title", ""),
                questions=int(request.POST.get("questions", "10") or 10),
                seconds=int(request.POST.get("seconds", "20") or 20),
                mode=request.POST.get("mode", ContestMode.INDIVIDUAL),
            )
        except ValueError:
            error = _("Give whole numbers for questions and seconds.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("contests:host", code=contest.code)
    return render(
        request,
        "contests/node.html",
        {
            "node": node,
            "contests": selectors.contests_for(node).select_related("node")[:30],
            "results": selectors.results_by_community(node),
            "can_host": user.has_role(ORGANISE_EVENTS),
            "modes": ContestMode.choices,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(ORGANISE_EVENTS)
def host(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    contest = _hosted(user, code)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "start":
                contest_start(contest=contest, actor=user)
            elif request.POST.get("action") == "next":
                contest_next(contest=contest, actor=user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("contests:host", code=contest.code)
    item = contest.items.select_related("question").filter(order=contest.current).first()
    play_url = request.build_absolute_uri(reverse("contests:play", args=[contest.code]))
    return render(
        request,
        "contests/host.html",
        {
            "contest": contest,
            "item": item,
            "count": contest.question_count,
            "left": time_left(contest),
            "play_url": play_url,
            "qr_svg": qr_svg(play_url, scale=5),
            "error": error,
            **_board_context(contest),
        },
    )


def _board_context(contest: Contest) -> dict[str, object]:
    return {
        "contest": contest,
        "entries": selectors.board(contest),
        "teams": selectors.team_board(contest) if contest.mode == ContestMode.TEAM else [],
        "players": contest.entries.count(),
    }


@require_GET
@role_required(PLAYERS)
def board(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    contest = _contest(request.user, code)
    return render(request, "contests/partials/board.html", _board_context(contest))


@require_http_methods(["GET", "POST"])
@role_required(PLAYERS)
def play(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The player's phone: the join form, then the polled header and the question."""
    user = request.user
    view = _play(user, code)
    if view is not None:
        return render(request, "contests/play.html", _state(view, user))
    contest = _contest(user, code)
    error = ""
    if request.method == "POST":
        try:
            contest_join(user=user, contest=contest, team=request.POST.get("team", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("contests:play", code=contest.code)
    return render(request, "contests/play.html", {"contest": contest, "entry": None, "error": error})


def _play(user: User, code: str) -> selectors.Play | None:
    """The user's view of contest `code` (one query); None when not joined; 404 when it does not concern them."""
    view = selectors.play(user, code)
    if view is not None and not view.concerns:
        raise Http404
    return view


def _state(
    view: selectors.Play, user: User, *, shown: str | None = None, rank: bool = True
) -> dict[str, object]:
    """The template context of the header and, when `shown` (the version of #question the phone has, from
    the poll) differs from the current one or is None, of #question. The version changes only with the
    question on screen, the player's answer and the reveal when time runs out (not with the countdown)."""
    contest = view.entry.contest
    left = time_left(contest)
    running = contest.status == ContestStatus.RUNNING
    # The right answer is shown only once the player answered or time ran out.
    reveal = running and view.question is not None and (view.answer is not None or left <= 0)
    version = f"{contest.status}.{contest.current}.{int(view.answer is not None)}.{int(reveal)}"
    return {
        "contest": contest,
        "entry": view.entry,
        "question": view.question,
        "answer": view.answer,
        "left": int(left + 0.999),
        "reveal": reveal,
        "version": version,
        "send_question": shown != version,
        "count": contest.question_count,
        "rank": view.rank if rank else None,
        # Sent with a tap (contests.tickets); only while there is a question to answer.
        "ticket": ticket_issue(user, contest) if running and not reveal else "",
    }


@require_GET
@role_required(PLAYERS)
def state(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The 1-second poll: the header, plus #question out of band when it differs from the phone's (`v`)."""
    user = request.user
    view = _play(user, code)
    if view is None:
        raise Http404
    context = _state(view, user, shown=request.GET.get("v", ""))
    if context["ticket"]:  # a question to answer: this worker's connection gets the tap ready beforehand
        tap_prepare()
    return render(request, "contests/partials/state.html", context)


@require_POST
def answer(request: HttpRequest, code: str) -> HttpResponseBase:
    """A tap: stores the answer and answers with the #question block, revealed. 200 phones tap within the
    same second: a plain tap on the question on screen, with the player's answer ticket (contests.tickets),
    is one write and reads neither the session nor the user (`_answer_fast`); anything else (no or an old
    ticket, a second tap, too late, not joined, a page without htmx) takes the full path, logged in as
    every page: one read, then answer_submit."""
    fast = _answer_fast(request, code)
    if fast is not None:
        return fast
    return _answer(request, code)


@role_required(PLAYERS)
def _answer(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    view = _play(user, code)
    if view is None:
        raise Http404
    contest, error = view.entry.contest, ""
    try:
        view.answer, _created = answer_submit(
            entry=view.entry,
            order=int(request.POST.get("order", "-1")),
            choice=int(request.POST.get("choice", "-1")),
            contest=contest,
            question=view.question,
            answered=view.answer,
        )
    except (ValueError, ValidationError) as exc:
        error = (
            " ".join(exc.messages) if isinstance(exc, ValidationError) else _("Choose one of the answers.")
        )
    if not is_htmx(request):
        return redirect("contests:play", code=contest.code)
    # The rank is left to the next poll (a second later): it changes with everyone's answers.
    context = {**_state(view, user, rank=False), "error": error}
    return render(request, "contests/partials/question.html", context, status=400 if error else 200)


def _answer_fast(request: HttpRequest, code: str) -> HttpResponse | None:
    """The tap through services.answer_fast, or None for the full path. The revealed block depends only on
    the question, the choice and the language, so each process renders it once per question and choice."""
    ticket = ticket_read(request.POST.get("ticket", ""))
    if ticket is None or not is_htmx(request):
        return None
    try:
        order, choice = int(request.POST.get("order", "")), int(request.POST.get("choice", ""))
    except ValueError:
        return None
    done = answer_fast(
        user_id=ticket.user_id,
        code=code,
        order=order,
        choice=choice,
        contest_id=ticket.contest_id,
    )
    if done is None:
        return None
    state, answer = done
    key = (get_language(), choice)
    html = state.html.get(key)
    if html is None:
        contest = state.contest
        context = {
            "contest": contest,
            "question": state.question,
            "answer": answer,
            "reveal": True,
            "version": f"{contest.status}.{contest.current}.1.1",  # as _state: answered, revealed
            "count": contest.question_count,
        }
        html = state.html[key] = render_to_string("contests/partials/question.html", context)
    return HttpResponse(html)


@require_GET
@role_required(ORGANISE_EVENTS)
def paper(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    contest = _hosted(request.user, code)
    response = HttpResponse(paper_pdf(contest), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contest.code}.pdf"'
    return response
