"""Accounts and people: staff link an account to a person or create one for them; a person claims it.

Here, where `Person` lives (accounts imports no domain app); the URL names stay `accounts:people`,
`accounts:claim`… (wastegrid/accounts_urls.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import Role, User
from accounts.roles import MANAGE_AREA
from grid.models import Person
from grid.scope import Scope
from grid.services.importing import clean_phone
from grid.services.people_accounts import (
    GRANTABLE,
    account_create,
    account_link,
    claim_issue,
    claim_lookup,
    claim_redeem,
    format_code,
    same_branch,
    unlinked_accounts,
)
from lib.validation import form_pk

SEARCH_LIMIT = 20


def _person_for_user(user: User, code: str) -> Person:
    """A person of the user's scope (404 otherwise: another area's people are not shown to exist)."""
    person = Scope.of(user).filter(Person.objects.select_related("node"), "node").filter(code=code).first()
    if person is None:
        raise Http404
    return person


def _back(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("q", "").strip()[:50]
    url = reverse("accounts:people")
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


@require_http_methods(["GET"])
@role_required(MANAGE_AREA)
def people(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The accounts without a person, and a search for people (name, or phone number) to link or to create
    an account for."""
    user = request.user
    query = request.GET.get("q", "").strip()[:50]
    found: list[Person] = []
    unlinked = list(unlinked_accounts(user)[:200])
    # "Link a person" on an unlinked account (?account=<username>): the search is narrowed to that account's
    # part of the grid; before a name is typed it lists the people there without an account, a name typed
    # finds people who have one too, to be told whose account they have (a person has one account only)
    # rather than that nobody was found.
    linking = next((a for a in unlinked if a.username == request.GET.get("account")), None)
    if query or linking is not None:
        scope = Scope.of(user)
        match = Q()
        if query:
            match = Q(name__contains=query) | Q(phone=clean_phone(query))  # stored as the import cleans it
        if scope.subdistrict_id is not None:  # the table's distribution key (docs/scale.md)
            match &= Q(subdistrict_id=scope.subdistrict_id)
        people_qs = scope.filter(Person.objects.filter(match), "node")
        if linking is not None and linking.node is not None:
            # The account's branch: at or below its node, or at a node above it (same_branch).
            above = [p for p in linking.node.path.strip("/").split("/") if p]
            people_qs = people_qs.filter(
                Q(node__path__startswith=linking.node.path) | Q(node__code__in=above)
            )
            if not query:
                people_qs = people_qs.filter(user__isnull=True)
        found = list(
            people_qs.select_related("node", "household__building", "user", "grid_worker").order_by(
                "name", "pk"
            )[:SEARCH_LIMIT]
        )
    return render(
        request,
        "accounts/people.html",
        {
            "query": query,
            # Each person with the unlinked accounts of their part of the grid (the only ones that fit).
            "found": [
                (p, [linking] if linking else [a for a in unlinked if same_branch(a.node, p)]) for p in found
            ],
            "linking": linking,
            "unlinked": unlinked,
            "roles": [(role, Role(role).label) for role in GRANTABLE],
            "limit": SEARCH_LIMIT,
        },
    )


@require_POST
@role_required(MANAGE_AREA)
def person_link(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    person = _person_for_user(user, code)
    account = unlinked_accounts(user).filter(pk=form_pk(request.POST.get("account"))).first()
    if account is None:
        messages.error(request, _("Choose an account without a person."))
        return _back(request)
    try:
        account_link(actor=user, user=account, person=person)
        messages.success(
            request,
            _("%(account)s is now linked to %(name)s.") % {"account": account.username, "name": person.name},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request)


@require_POST
@role_required(MANAGE_AREA)
def person_account(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Create an account for the person, or (no username given) only a code to link an existing account;
    the page shows the code once."""
    user = request.user
    person = _person_for_user(user, code)
    username = request.POST.get("username", "")
    try:
        if username.strip():
            account, claim_code = account_create(
                actor=user, person=person, username=username, role=request.POST.get("role", "")
            )
        else:
            account, claim_code = None, claim_issue(actor=user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(request)
    link = request.build_absolute_uri(reverse("accounts:claim"))
    return render(
        request,
        "accounts/claim_issued.html",
        {"person": person, "account": account, "code": format_code(claim_code), "link": link},
    )


@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    """Take up an account with a claim code: choose the password of the account staff created (then
    logged in), or, logged in, link one's own account to one's person. Anyone may open it; a wrong code
    answers 400 with the form again."""
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()[:20]
    context: dict[str, object] = {"code": code}
    if request.method == "GET":
        return render(request, "accounts/claim.html", context)
    found = claim_lookup(code)
    context["claim"] = found
    needs_password = found is not None and found.user_id is not None
    if needs_password and "password" not in request.POST:
        return render(request, "accounts/claim.html", context)  # step two: choose the password
    redeemer = request.user if isinstance(request.user, User) else None
    try:
        account = claim_redeem(
            code=code,
            redeemer=redeemer,
            password=request.POST.get("password", ""),
            password2=request.POST.get("password2", ""),
        )
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "accounts/claim.html", context, status=400)
    if needs_password:
        login(request, account, backend="django.contrib.auth.backends.ModelBackend")
        # Greeted as people call them: the person's name (a claimed account always has one), not the login.
        messages.success(
            request, _("Welcome, %(name)s: your account is ready.") % {"name": account.display_name}
        )
    else:
        messages.success(request, _("Your account is now linked to your place on the grid."))
    return redirect("accounts:home")
