"""Linking accounts to the people of the grid (here, where `Person` lives: accounts imports no domain app), and claim codes that let a person take up an account.

A volunteer signs up for shifts, a party member has four leads, a resident has a household: all through the
`Person` their account is linked to. Staff (a residential-area secretary, a sub-district admin) link an
existing account to a person of their part of the grid, or create an account for a person and hand them a
one-time claim code with which the person chooses the password. Every change is audited.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AccountClaim, Role, User
from accounts.roles import MANAGE_AREA, WORK_THROUGH_PERSON
from audit.services import audit_created, audit_updated, saved_user, snapshot
from grid.models import GridNode, Person
from grid.scope import OUT_OF_SCOPE, Scope
from lib.bilingual import Msg

# The roles staff may give an account they create: field roles only, never staff ones (that is the back
# office's, with its own checks), so a secretary cannot make a peer or a superior.
GRANTABLE = (Role.VOLUNTEER, Role.PARTY_MEMBER, Role.GRID_WORKER, Role.RESIDENT)
CLAIM_DAYS = 14
# No 0/O, 1/I/L: the code is read off paper or a phone screen and typed in.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12

NOT_STAFF = Msg("只有居民区书记或街道管理员可以关联账号。", "Only a secretary or an admin links accounts.")
ALREADY_LINKED = Msg("该账号已关联到一个人。", "This account is already linked to a person.")
PERSON_TAKEN = Msg("此人已有账号。", "This person already has an account.")
OTHER_AREA = Msg(
    "账号和此人不在同一居民区。", "The account and the person are not in the same part of the grid."
)
BAD_CODE = Msg("认领码无效、已用过或已过期。", "The claim code is wrong, already used or expired.")
BAD_ROLE = Msg("不能授予这个角色。", "This role cannot be given here.")
NOT_A_WORKER = Msg("此人不是网格员。", "This person is not a grid worker.")
BAD_USERNAME = Msg(
    "用户名须为 3–30 个字母、数字或 @.+-_。", "A username is 3–30 letters, digits or @.+-_ characters."
)
USERNAME_TAKEN = Msg("该用户名已被使用。", "This username is taken.")
PASSWORDS_DIFFER = Msg("两次输入的密码不一致。", "The two passwords differ.")
LOG_IN_FIRST = Msg(
    "请先用您的账号登录，再输入认领码。", "Log in with your account first, then enter the code."
)


def normalize_code(raw: str) -> str:
    """What the person typed ("abcd-efgh jkmn") → the code as issued ("ABCDEFGHJKMN"); "" for anything that
    cannot be a code (wrong length or letters), so a lookup finds nothing."""
    code = "".join(ch for ch in (raw or "").upper() if ch not in " -")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return ""
    return code


def format_code(code: str) -> str:
    """ "ABCDEFGHJKMN" → "ABCD-EFGH-JKMN" (easier to read out and type)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _require_linker(actor: Any, *nodes: GridNode | None) -> None:
    if actor is not None and not actor.has_role(MANAGE_AREA):
        raise PermissionDenied(str(NOT_STAFF))
    scope = Scope.of(actor)
    for node in nodes:
        scope.require(node)


def same_branch(account_node: GridNode | None, person: Person) -> bool:
    """An account works for a person of its own part of the grid: one node lies inside the other (a grid
    worker's account sits at the micro-grid, their person at the residential area)."""
    if account_node is None:
        return False
    a, p = account_node.path, person.node.path
    return p.startswith(a) or a.startswith(p)


def _lock_free_person(person: Person) -> Person:
    person = Person.objects.select_for_update(of=("self",)).select_related("node").get(pk=person.pk)
    if User.objects.filter(person=person).exists():
        raise ValidationError(str(PERSON_TAKEN))
    return person


def _link(*, actor: Any, user: User, person: Person, reason: str) -> User:
    """Link within the caller's transaction; the person row is locked, so two links of one person cannot
    both pass the "no account yet" check (and the one-to-one key backs that up)."""
    user = User.objects.select_for_update(of=("self",)).select_related("node").get(pk=user.pk)
    if user.person_id is not None:
        raise ValidationError(str(ALREADY_LINKED))
    person = _lock_free_person(person)
    if not same_branch(user.node, person):
        raise ValidationError(str(OTHER_AREA))
    before = snapshot(user)
    user.person = person
    try:
        with transaction.atomic():
            user.save(update_fields=["person"])
    except IntegrityError as exc:  # linked by someone else between the check and the write
        raise ValidationError(str(PERSON_TAKEN)) from exc
    audit_updated(actor=actor, obj=user, before=before, reason=reason)
    return user


@transaction.atomic
def account_link(*, actor: Any, user: User, person: Person) -> User:
    """Link the (unlinked) account `user` to `person` (who has none). The actor must be a secretary or an
    admin with both in scope. PermissionDenied (zh/en) otherwise; ValidationError (zh/en) when either is
    already linked or they lie in different parts of the grid."""
    _require_linker(actor, user.node, person.node)
    if user.is_superuser:
        raise PermissionDenied(str(OUT_OF_SCOPE))
    return _link(actor=actor, user=user, person=person, reason="account linked to person")


def _new_claim(*, actor: Any, person: Person, user: User | None) -> tuple[AccountClaim, str]:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    claim = AccountClaim.objects.create(
        person=person,
        user=user,
        code_hash=_hash(code),
        issued_by=saved_user(actor),
        expires_at=timezone.now() + datetime.timedelta(days=CLAIM_DAYS),
    )
    audit_created(actor=actor, obj=claim, reason="claim code issued")
    return claim, code


@transaction.atomic
def account_create(*, actor: Any, person: Person, username: str, role: str) -> tuple[User, str]:
    """Create an account for `person` (who has none) with a field role (GRANTABLE) and no usable password,
    and a claim code the person uses to choose one (valid CLAIM_DAYS days). Returns (account, code); the
    code is not stored, only its hash. A grid worker's account sits at their micro-grid, any other at the
    person's node. PermissionDenied / ValidationError (zh/en) as `account_link`, plus a bad or taken username
    or a role that may not be given."""
    _require_linker(actor, person.node)
    if role not in GRANTABLE:
        raise ValidationError(str(BAD_ROLE))
    username = (username or "").strip()
    if not (3 <= len(username) <= 30):
        raise ValidationError(str(BAD_USERNAME))
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError(str(BAD_USERNAME)) from exc
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(str(USERNAME_TAKEN))
    person = _lock_free_person(person)
    node = person.node
    if role == Role.GRID_WORKER:
        worker = getattr(person, "grid_worker", None)
        if worker is None:
            raise ValidationError(str(NOT_A_WORKER))
        node = worker.microgrid
    user = User(username=username, role=role, node=node, person=person)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same username or person, created meanwhile
        raise ValidationError(str(USERNAME_TAKEN)) from exc
    audit_created(actor=actor, obj=user, reason="account created for person")
    _, code = _new_claim(actor=actor, person=person, user=user)
    return user, code


@transaction.atomic
def claim_issue(*, actor: Any, person: Person) -> str:
    """A claim code with which whoever logs in links their own (unlinked) account to `person` — for
    someone who already has an account, when staff cannot pick it for them. Same checks as `account_link`."""
    _require_linker(actor, person.node)
    person = _lock_free_person(person)
    _, code = _new_claim(actor=actor, person=person, user=None)
    return code


def claim_lookup(raw_code: str) -> AccountClaim | None:
    """The open claim the code belongs to (unused, not expired), or None; changes nothing."""
    code = normalize_code(raw_code)
    if not code:
        return None
    return (
        AccountClaim.objects.select_related("user", "person")
        .filter(code_hash=_hash(code), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def claim_redeem(*, code: str, redeemer: User | None = None, password: str = "", password2: str = "") -> User:
    """Use a claim code once. For a code that came with a new account: set that account's password
    (Django's password validators; `password2` must repeat it); returns the account, to be logged in. For a
    link code: link `redeemer` (the logged-in, unlinked account) to the code's person. ValidationError
    (zh/en) for a wrong, used or expired code, a refused password, or the link rules of `account_link`."""
    found = claim_lookup(code)
    if found is None:
        raise ValidationError(str(BAD_CODE))
    claim = AccountClaim.objects.select_for_update().get(pk=found.pk)
    if claim.used_at is not None:  # used by a concurrent request
        raise ValidationError(str(BAD_CODE))
    if claim.user_id is not None:
        user = User.objects.select_for_update().get(pk=claim.user_id)
        if password != password2:
            raise ValidationError(str(PASSWORDS_DIFFER))
        validate_password(password, user)
        before = snapshot(user)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_updated(actor=user, obj=user, before=before, reason="account claimed")
    else:
        if redeemer is None or not redeemer.is_authenticated:
            raise ValidationError(str(LOG_IN_FIRST))
        user = _link(
            actor=redeemer, user=redeemer, person=claim.person, reason="account linked by claim code"
        )
    before = snapshot(claim)
    claim.used_at = timezone.now()
    claim.used_by = user
    claim.save(update_fields=["used_at", "used_by"])
    audit_updated(actor=user, obj=claim, before=before, reason="claim code used")
    return user


def unlinked_accounts(actor: Any) -> Any:
    """Active accounts in the actor's scope whose role works through a person but that have none (the
    ones to link), by username."""
    return (
        Scope.of(actor)
        .filter(
            User.objects.filter(person__isnull=True, is_active=True, role__in=WORK_THROUGH_PERSON), "node"
        )
        .select_related("node")
        .order_by("username")
    )


def who_links(user: User) -> list[User]:
    """The staff an unlinked account should ask: the secretaries of their residential area (or above it),
    else the sub-district's admins; at most three, nearest first."""
    node = user.node
    if node is None:
        return []
    above = [code for code in node.path.strip("/").split("/") if code]
    staff = list(
        User.objects.filter(is_active=True, role__in=MANAGE_AREA, node__code__in=above)
        .exclude(pk=user.pk)
        .select_related("node", "person")  # named as people call them (User.display_name)
    )
    staff.sort(key=lambda u: (u.role != Role.COMMUNITY_SECRETARY, -len(u.node.path if u.node else ""), u.pk))
    return staff[:3]
