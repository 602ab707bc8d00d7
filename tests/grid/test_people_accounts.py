"""Linking accounts to people (issue 14): staff link or create accounts within their scope, audited; a person
claims an account with a one-time code; an unlinked account is told what to do; the demo links its logins."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AccountClaim, Role, User
from audit.models import AuditEntry
from grid.services.people_accounts import (
    account_create,
    account_link,
    claim_issue,
    claim_redeem,
    format_code,
    normalize_code,
    same_branch,
    who_links,
)
from grid.services.records import person_create
from tests.conftest import Grid, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(grid: Grid) -> Any:
    """A resident of the first residential area with no account."""
    return person_create(actor=None, node=grid.c1, name="陈卡罗", phone="13600000001", household=grid.h1)


def test_secretary_links_an_unlinked_volunteer_and_it_is_audited(
    grid: Grid, personas: dict[str, User], carol: Any
) -> None:
    secretary, volunteer = personas[Role.COMMUNITY_SECRETARY], personas[Role.VOLUNTEER]
    account_link(actor=secretary, user=volunteer, person=carol)
    volunteer.refresh_from_db()
    assert volunteer.person_id == carol.pk
    entry = AuditEntry.objects.get(model="accounts.User", object_id=str(volunteer.pk))
    assert entry.actor_id == secretary.pk and entry.changes["person_id"] == [None, carol.pk]


def test_linking_refuses_other_areas_other_roles_and_double_links(
    grid: Grid, personas: dict[str, User], carol: Any
) -> None:
    volunteer = personas[Role.VOLUNTEER]
    with pytest.raises(PermissionDenied):  # the other residential area's secretary
        account_link(actor=personas["outsider"], user=volunteer, person=carol)
    with pytest.raises(PermissionDenied):  # a grid worker is no linker
        account_link(actor=personas[Role.GRID_WORKER], user=volunteer, person=carol)
    stranger = person_create(actor=None, node=grid.c2, name="乙居民")
    with pytest.raises(ValidationError):  # an admin may, but not across residential areas
        account_link(actor=personas[Role.SUBDISTRICT_ADMIN], user=volunteer, person=stranger)
    account_link(actor=personas[Role.SUBDISTRICT_ADMIN], user=volunteer, person=carol)
    with pytest.raises(ValidationError):  # carol has an account now
        account_link(actor=personas[Role.SUBDISTRICT_ADMIN], user=personas[Role.PARTY_MEMBER], person=carol)
    other = person_create(actor=None, node=grid.c1, name="丁")
    with pytest.raises(ValidationError):  # the volunteer is linked already
        account_link(actor=personas[Role.SUBDISTRICT_ADMIN], user=volunteer, person=other)


def test_account_created_for_a_person_is_claimed_once_with_its_code(
    grid: Grid, personas: dict[str, User], carol: Any
) -> None:
    secretary = personas[Role.COMMUNITY_SECRETARY]
    with pytest.raises(ValidationError):  # staff roles are not handed out here
        account_create(actor=secretary, person=carol, username="carol", role=Role.COMMUNITY_SECRETARY)
    with pytest.raises(ValidationError):  # taken, whatever the case
        account_create(actor=secretary, person=carol, username="SECRETARY", role=Role.VOLUNTEER)
    user, code = account_create(actor=secretary, person=carol, username="carol", role=Role.VOLUNTEER)
    assert user.node == grid.c1 and user.person == carol and not user.has_usable_password()
    claim = AccountClaim.objects.get(user=user)
    assert claim.code_hash != code and code not in str(claim.__dict__)  # only the hash is stored
    with pytest.raises(ValidationError):  # the two passwords differ: nothing is used up
        claim_redeem(code=code, password="a-long-Passphrase-1", password2="other")
    with pytest.raises(ValidationError):  # Django's validators
        claim_redeem(code=code, password="123", password2="123")
    typed = format_code(code).lower().replace("-", " ")  # as read off paper
    claimed = claim_redeem(code=typed, password="a-long-Passphrase-1", password2="a-long-Passphrase-1")
    assert claimed.pk == user.pk and User.objects.get(pk=user.pk).check_password("a-long-Passphrase-1")
    with pytest.raises(ValidationError):  # once only
        claim_redeem(code=code, password="another-Passphrase-2", password2="another-Passphrase-2")
    assert AuditEntry.objects.filter(model="accounts.AccountClaim", reason="claim code used").count() == 1


def test_a_grid_workers_account_sits_at_their_micro_grid(grid: Grid, personas: dict[str, User]) -> None:
    worker_person = grid.w_other.person
    admin = personas[Role.SUBDISTRICT_ADMIN]
    user, _ = account_create(actor=admin, person=worker_person, username="zhao", role=Role.GRID_WORKER)
    assert user.node_id == grid.w_other.microgrid_id
    with pytest.raises(ValidationError):
        account_create(
            actor=admin,
            person=person_create(actor=None, node=grid.c1, name="戊"),
            username="wu",
            role=Role.GRID_WORKER,
        )


def test_expired_or_malformed_codes_are_refused(grid: Grid, personas: dict[str, User], carol: Any) -> None:
    _, code = account_create(
        actor=personas[Role.COMMUNITY_SECRETARY], person=carol, username="carol", role=Role.VOLUNTEER
    )
    AccountClaim.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for bad in (code, "", "0" * 12, "x" * 500, "ABCD-EFGH-JKMN"):
        with pytest.raises(ValidationError):
            claim_redeem(code=bad, password="a-long-Passphrase-1", password2="a-long-Passphrase-1")
    assert normalize_code("ab cd-ef") == ""


def test_a_link_code_links_the_account_that_uses_it(
    grid: Grid, personas: dict[str, User], carol: Any
) -> None:
    code = claim_issue(actor=personas[Role.COMMUNITY_SECRETARY], person=carol)
    with pytest.raises(ValidationError):  # nobody logged in: whose account?
        claim_redeem(code=code)
    volunteer = personas[Role.VOLUNTEER]
    assert claim_redeem(code=code, redeemer=volunteer).person_id == carol.pk


def test_the_staff_page_lists_unlinked_accounts_and_links_one(
    grid: Grid, personas: dict[str, User], carol: Any
) -> None:
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    page = secretary.get("/accounts/people/", {"q": "陈卡罗"}).content.decode()
    assert "volunteer" in page and "陈卡罗" in page and "13600000001" in page
    assert "乙居民" not in secretary.get("/accounts/people/", {"q": "乙"}).content.decode()
    for typed in ("13600000001", "136 0000 0001", "+86 136-0000-0001"):  # a phone as people type it
        assert "陈卡罗" in secretary.get("/accounts/people/", {"q": typed}).content.decode(), typed
    response = secretary.post(
        f"/accounts/people/{carol.code}/link/", {"account": str(personas[Role.VOLUNTEER].pk), "q": "陈"}
    )
    assert response.status_code == 302 and User.objects.get(username="volunteer").person_id == carol.pk
    # Another area's person is not found; nonsense ids are "no such account", never a 500.
    stranger = person_create(actor=None, node=grid.c2, name="乙居民")
    assert secretary.post(f"/accounts/people/{stranger.code}/link/", {"account": "x"}).status_code == 404
    other = person_create(actor=None, node=grid.c1, name="己")
    assert (
        secretary.post(
            f"/accounts/people/{other.code}/link/", {"account": "99999999999999999999"}
        ).status_code
        == 302
    )
    assert User.objects.filter(person=other).count() == 0
    assert client_for(personas[Role.VOLUNTEER]).get("/accounts/people/").status_code == 403


def test_staff_create_an_account_and_the_person_claims_it_on_the_web(
    grid: Grid, personas: dict[str, User], carol: Any
) -> None:
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    page = secretary.post(
        f"/accounts/people/{carol.code}/account/", {"username": "carol", "role": Role.VOLUNTEER}
    ).content.decode()
    code = page.split('id="claim-code">')[1].split("<")[0]
    from django.test import Client

    anonymous = Client()
    step = anonymous.post("/accounts/claim/", {"code": code}).content.decode()
    assert "carol" in step and 'name="password2"' in step
    wrong = anonymous.post("/accounts/claim/", {"code": "ZZZZ", "password": "x", "password2": "x"})
    assert wrong.status_code == 400
    done = anonymous.post(
        "/accounts/claim/",
        {"code": code, "password": "a-long-Passphrase-1", "password2": "a-long-Passphrase-1"},
    )
    assert done.status_code == 302 and anonymous.get("/").context["user"].username == "carol"


def test_an_unlinked_volunteer_is_told_whom_to_ask(grid: Grid, personas: dict[str, User]) -> None:
    personas[Role.COMMUNITY_SECRETARY].first_name = "书记"
    personas[Role.COMMUNITY_SECRETARY].save()
    volunteer = personas[Role.VOLUNTEER]
    assert [u.username for u in who_links(volunteer)] == ["secretary", "admin"]
    for path in ("/", "/supervision/"):
        html = client_for(volunteer).get(path).content.decode()
        assert 'id="unlinked-help"' in html and "书记" in html and 'action="/accounts/claim/"' in html
    linked = client_for(personas[Role.GRID_WORKER]).get("/").content.decode()
    assert 'id="unlinked-help"' not in linked


def test_every_field_demo_login_is_linked_to_a_person_of_its_area() -> None:
    from grid.services.demo import DEMO_LOGINS, demo_generate

    demo_generate(scale=0.03)
    demo_generate(scale=0.03)  # again: the links stay
    field = {Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.VOLUNTEER, Role.PARTY_MEMBER, Role.RESIDENT}
    users = User.objects.filter(username__in=[u for _, u in DEMO_LOGINS]).select_related(
        "person__node", "node"
    )
    people = set()
    for user in users:
        if user.role in field:
            assert user.person is not None and user.node is not None, user.username
            assert same_branch(user.node, user.person)
            people.add(user.person_id)
    assert len(people) == len(field) + 1  # two volunteers, each their own person


def test_a_claimed_account_is_welcomed_by_the_persons_name(grid: Grid, personas: dict[str, User]) -> None:
    from django.contrib.messages import get_messages
    from django.test import Client

    wange = person_create(actor=None, node=grid.c1, name="王娥")
    _user, code = account_create(
        actor=personas[Role.SUBDISTRICT_ADMIN], person=wange, username="walk_wange", role=Role.RESIDENT
    )
    done = Client().post(
        "/accounts/claim/",
        {"code": code, "password": "a-long-Passphrase-1", "password2": "a-long-Passphrase-1"},
    )
    [welcome] = [str(m) for m in get_messages(done.wsgi_request)]
    assert "王娥" in welcome and "walk_wange" not in welcome
