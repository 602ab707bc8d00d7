"""Every disputable change is audited by the service that makes it, and the entry lands in the sub-district
of the record it concerns (its own key, else that of what it hangs off), so the sub-district admin finds it
on /audit/ filtered by the person who acted."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from audit.models import Action, AuditEntry
from audit.presenter import present
from audit.selectors import AuditFilters, filter_entries, visible_entries
from grid.services.people_accounts import account_create, account_link, claim_redeem
from grid.services.records import person_create
from lib.clock import local_today
from tests.conftest import Grid
from tests.files import pdf_bytes
from tests.personas import make_user
from units.models import CommitmentStatus
from units.services import (
    attendance_mark,
    commitment_add,
    commitment_update,
    liaison_add,
    meeting_create,
    unit_create,
)

pytestmark = pytest.mark.django_db


def _found_by_admin(admin: User, actor: User, model: str) -> list[AuditEntry]:
    """What the sub-district admin's /audit/ lists for that person and kind of record."""
    qs = filter_entries(visible_entries(admin), AuditFilters(actor=actor.username, kind=model))
    return list(qs)


def test_account_created_with_a_claim_code_is_in_the_admins_log(
    grid: Grid, personas: dict[str, User]
) -> None:
    admin = personas[Role.SUBDISTRICT_ADMIN]
    wange = person_create(actor=None, node=grid.c1, name="王娥")
    user, _code = account_create(actor=admin, person=wange, username="walk_wange", role=Role.VOLUNTEER)
    [created] = _found_by_admin(admin, admin, "accounts.User")
    assert created.action == Action.CREATE and created.object_id == str(user.pk)
    assert created.subdistrict_id == grid.sd.pk and created.changes["person_id"] == wange.pk
    [claim] = _found_by_admin(admin, admin, "accounts.AccountClaim")
    assert claim.action == Action.CREATE and claim.changes["user_id"] == user.pk
    view = present([created])[0]
    assert "walk_wange" in view.record


def test_claiming_an_account_is_in_the_admins_log(grid: Grid, personas: dict[str, User]) -> None:
    admin = personas[Role.SUBDISTRICT_ADMIN]
    wange = person_create(actor=None, node=grid.c1, name="王娥")
    user, code = account_create(actor=admin, person=wange, username="walk_wange", role=Role.VOLUNTEER)
    claim_redeem(code=code, password="a-long-Passphrase-1", password2="a-long-Passphrase-1")
    entries = _found_by_admin(admin, user, "")
    # The password itself never enters the log: the claim's use says who took the account up, and when.
    [used] = entries
    assert used.model == "accounts.AccountClaim" and used.action == Action.UPDATE
    assert used.actor_id == user.pk and used.changes["used_by_id"] == [None, user.pk]


def test_secretary_linking_an_account_is_in_the_admins_log(grid: Grid, personas: dict[str, User]) -> None:
    admin, secretary = personas[Role.SUBDISTRICT_ADMIN], personas[Role.COMMUNITY_SECRETARY]
    unlinked = make_user("walk_unlinked", Role.VOLUNTEER, grid.c1)
    ding = person_create(actor=None, node=grid.c1, name="丁志伟")
    account_link(actor=secretary, user=unlinked, person=ding)
    [entry] = _found_by_admin(admin, secretary, "accounts.User")
    assert entry.object_id == str(unlinked.pk) and entry.changes == {"person_id": [None, ding.pk]}
    view = present([entry])[0]
    assert [(r.old, r.new) for r in view.rows] == [("—", "丁志伟")]


@pytest.fixture
def school(grid: Grid, personas: dict[str, User]) -> Any:
    school = unit_create(actor=None, subdistrict=grid.sd, name="育婴堂路小学", kind="school")
    liaison = personas[Role.UNIT_LIAISON]
    liaison.person = person_create(actor=None, node=grid.sd, name="王联络")
    liaison.save()
    liaison_add(actor=None, unit=school, person=liaison.person, primary=True)
    return school


def test_a_units_commitment_done_with_a_file_is_in_the_admins_log(
    grid: Grid, personas: dict[str, User], school: Any
) -> None:
    admin, liaison = personas[Role.SUBDISTRICT_ADMIN], personas[Role.UNIT_LIAISON]
    commitment = commitment_add(actor=None, unit=school, year=2026, title="结对居民区开展垃圾分类宣传")
    upload = SimpleUploadedFile("evidence.pdf", pdf_bytes(), content_type="application/pdf")
    commitment_update(actor=liaison, commitment=commitment, status=CommitmentStatus.DONE, evidence=upload)
    [entry] = _found_by_admin(admin, liaison, "units.Commitment")
    assert entry.object_id == str(commitment.pk) and entry.actor_id == liaison.pk
    assert entry.changes["status"] == ["pledged", "done"] and entry.changes["evidence"][1]


def test_meeting_attendance_is_in_the_admins_log(grid: Grid, personas: dict[str, User], school: Any) -> None:
    admin = personas[Role.SUBDISTRICT_ADMIN]
    meeting = meeting_create(actor=admin, subdistrict=grid.sd, title="联席会议", day=local_today())
    invited = _found_by_admin(admin, admin, "units.Attendance")
    assert [e.action for e in invited] == [Action.CREATE]  # the invitation is on record too
    attendance_mark(actor=admin, meeting=meeting, unit=school, present=True, representative="李老师")
    entry = _found_by_admin(admin, admin, "units.Attendance")[0]
    assert entry.action == Action.UPDATE and entry.changes["present"] == [False, True]
    assert entry.subdistrict_id == grid.sd.pk


def test_an_unbound_account_is_nobodys_sub_district(grid: Grid) -> None:
    from audit.services import subdistrict_of

    assert subdistrict_of(User(username="root")) is None
    assert subdistrict_of(grid.m1) == grid.sd.pk
