"""Writes for party building: organisations, members, pledges, visit plans and visits (audited; visits
idempotent by the phone's id)."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_bulk_created, audit_created, audit_updated, saved_user, snapshot
from grid.models import GridNode, Household, Level, Person
from grid.scope import OUT_OF_SCOPE, Scope
from lib.clock import local_today
from lib.codes import next_code
from lib.idempotency import hold_key, idempotency_uuid
from lib.periods import Period
from lib.uploads import clean_upload
from lib.validation import check_day, check_year
from party.models import (
    Exemplar,
    ExemplarKind,
    Inclusion,
    MemberKind,
    Milestone,
    OrgKind,
    PartyMember,
    PartyOrg,
    Pledge,
    Project,
    Responsibility,
    Talent,
    TalentKind,
    Visit,
    VisitOutcome,
    VisitPlan,
    WorkStatus,
    visit_plan_title,
)

ALLOWED_PARENT = {
    OrgKind.COMMITTEE: set(),
    OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE},
    OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH},
}


@transaction.atomic
def org_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    node: GridNode,
    parent: PartyOrg | None = None,
    code: str | None = None,
) -> PartyOrg:
    Scope.of(actor).require(node)
    if kind not in OrgKind.values:
        raise ValidationError(_("Unknown kind of party organisation."))
    if parent is None and kind != OrgKind.COMMITTEE:
        raise ValidationError(_("A branch belongs to a working committee or a general branch."))
    if parent is not None and parent.kind not in ALLOWED_PARENT[OrgKind(kind)]:
        raise ValidationError(
            _("A %(kind)s cannot sit under a %(parent)s.")
            % {"kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}
        )
    sd = node if node.level == Level.SUBDISTRICT else node.subdistrict
    if sd is None:
        raise ValidationError(_("A party organisation works in a sub-district."))
    org = PartyOrg(
        subdistrict=sd,
        kind=kind,
        name=name,
        node=node,
        parent=parent,
        code=code or next_code(PartyOrg, f"{sd.code}-PO", 3),
    )
    org.full_clean()
    org.save()
    audit_created(actor=actor, obj=org)
    return org


@transaction.atomic
def member_add(
    *,
    actor: Any,
    person: Person,
    org: PartyOrg,
    kind: str = MemberKind.RESIDENT,
    community: GridNode | None = None,
    workplace: str = "",
    reported_on: datetime.date | None = None,
) -> PartyMember:
    """A resident member serves their home residential area; an in-service member the one they report to.
    The organisation and the residential area served must lie in the actor's scope."""
    Scope.of(actor).require(org.node)
    if hasattr(person, "party_member"):
        raise ValidationError(_("%(name)s is a party member already.") % {"name": person.name})
    if community is None and person.household_id is not None:
        community = person.household.community if person.household else None
    if community is None or community.level != Level.COMMUNITY:
        raise ValidationError(_("Say which residential area the member serves."))
    Scope.of(actor).require(community)
    if kind == MemberKind.IN_SERVICE and reported_on is None:
        reported_on = local_today()
    if reported_on is not None:
        check_day(reported_on)
    member = PartyMember(
        subdistrict=org.subdistrict,
        person=person,
        org=org,
        kind=kind,
        community=community,
        workplace=workplace[:100],
        reported_on=reported_on,
    )
    member.full_clean()
    member.save()
    audit_created(actor=actor, obj=member)
    return member


PLEDGE_TEXT_VERSION = "2019版"  # the text shown on the "my four leads" page (templates/party/mine.html)


def pledge_version_label(text_version: str) -> str:
    """A pledge text's version as the reader writes it: the stored key "2019版" → "2019版" / "2019 version";
    any other key as stored."""
    if m := re.fullmatch(r"(\d{4})版", text_version):
        return _("%(year)s version") % {"year": m[1]}
    return text_version


def pledge_sign(
    *,
    actor: Any,
    member: PartyMember,
    text_version: str = PLEDGE_TEXT_VERSION,
    signed_on: datetime.date | None = None,
) -> Pledge:
    """A member signs the pledge online (themself, wherever their login's node is), or staff record a paper
    one for a member of their residential area. `signed_on`: today unless given, never in the future.
    Signing the same text again returns the first pledge unchanged. Raises PermissionDenied outside the
    actor's scope, ValidationError for an impossible day."""
    signed_on = signed_on or local_today()
    if actor is None or member.person_id != getattr(actor, "person_id", None):
        Scope.of(actor).require(member.community)
    check_day(signed_on, ahead=0)
    pledge, created = Pledge.objects.get_or_create(
        member=member,
        text_version=text_version,
        defaults={"signed_on": signed_on, "recorded_by": saved_user(actor)},
    )
    if created:
        audit_created(actor=actor, obj=pledge)
    return pledge


@transaction.atomic
def visit_plan_create(
    *, actor: Any, microgrid: GridNode, period: Period, members: Iterable[PartyMember] = ()
) -> VisitPlan:
    """One plan per micro-grid and quarter: asking again returns it, with any new visitors added. The
    micro-grid must be in the actor's scope, the visitors members serving its residential area."""
    Scope.of(actor).require(microgrid)
    members = list(members)
    if any(m.community_id != microgrid.parent_id for m in members):
        raise PermissionDenied(str(OUT_OF_SCOPE))
    if microgrid.level != Level.MICROGRID or microgrid.subdistrict is None:
        raise ValidationError(_("Visits are planned per micro-grid."))
    if period.kind != "quarter":
        raise ValidationError(_("Visits are planned per quarter."))
    plan, created = VisitPlan.objects.get_or_create(
        microgrid=microgrid,
        quarter=period.key,
        defaults={
            "subdistrict": microgrid.subdistrict,
            "title": visit_plan_title(microgrid.name, period),
            "created_by": saved_user(actor),
        },
    )
    if created:
        audit_created(actor=actor, obj=plan)
    visit_plan_members_add(actor=actor, plan=plan, members=members)  # each new visitor audited
    return plan


@transaction.atomic
def visit_plan_members_add(
    *, actor: Any, plan: VisitPlan, members: Iterable[PartyMember]
) -> list[PartyMember]:
    """Add visitors to an existing plan (members serving its residential area); returns those newly added,
    by name (the ones already going are left as they were), audited as the plan's change of visitors."""
    microgrid = plan.microgrid
    Scope.of(actor).require(microgrid)
    members = list(members)
    if any(m.community_id != microgrid.parent_id for m in members):
        raise PermissionDenied(str(OUT_OF_SCOPE))
    going = set(plan.members.values_list("pk", flat=True))
    new = sorted({m.pk: m for m in members if m.pk not in going}.values(), key=lambda m: m.person.name)
    if new:
        plan.members.add(*new)
        links = list(VisitPlan.members.through.objects.filter(visitplan=plan, partymember__in=new))
        for link in links:  # the join rows carry no sub-district: the plan's, for the audit log's key
            link.subdistrict_id = plan.subdistrict_id  # type: ignore[attr-defined]
        audit_bulk_created(actor=actor, objs=links, reason=f"visitor added to the plan {plan.code}")
    return new


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    household: Household,
    day: datetime.date,
    outcome: str,
    issue: str = "",
    follow_up: str = "",
    visitors: Iterable[PartyMember] = (),
    plan: VisitPlan | None = None,
    client_id: uuid.UUID,
) -> tuple[Visit, bool]:
    Scope.of(actor).require_household(household)
    client_id = idempotency_uuid(client_id)  # the nil UUID would be one key shared by every client
    hold_key("visit", client_id)
    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, False
    if outcome not in VisitOutcome.values:
        raise ValidationError(_("Choose how the visit went."))
    check_day(day)
    if day > local_today():
        raise ValidationError(_("A visit cannot be in the future."))
    microgrid_id = household.building.microgrid_id
    if plan is not None and plan.microgrid_id != microgrid_id:
        raise ValidationError(_("This household is not in the plan's micro-grid."))
    visit = Visit.objects.create(
        subdistrict_id=household.subdistrict_id,
        household=household,
        microgrid_id=microgrid_id,
        plan=plan,
        day=day,
        outcome=outcome,
        issue=issue.strip()[:300],
        follow_up=follow_up.strip()[:300],
        client_id=client_id,
        recorded_by=saved_user(actor),
    )
    visit.visitors.add(*visitors)
    audit_created(actor=actor, obj=visit)
    return visit, True


def visit_follow_up_done(*, actor: Any, visit: Visit) -> Visit:
    Scope.of(actor).require(visit.microgrid)
    before = snapshot(visit)
    visit.follow_up_done = True
    visit.save(update_fields=["follow_up_done", "updated_at"])
    audit_updated(actor=actor, obj=visit, before=before)
    return visit


# --- the model's frame: responsibilities, projects, exemplars, talent ----------------------------------


def responsibility_add(
    *, actor: Any, org: PartyOrg, item: str, owner: str, due: datetime.date | None = None
) -> Responsibility:
    Scope.of(actor).require(org.node)
    if not item.strip() or not owner.strip():
        raise ValidationError(_("Say what the organisation answers for and who owns it."))
    if due is not None:
        check_day(due)
    line = Responsibility.objects.create(org=org, item=item.strip()[:200], owner=owner.strip()[:50], due=due)
    audit_created(actor=actor, obj=line)
    return line


def work_update(*, actor: Any, obj: Responsibility | Project, status: str, note: str = "") -> None:
    Scope.of(actor).require(obj.org.node if isinstance(obj, Responsibility) else obj.node)
    if status not in WorkStatus.values:
        raise ValidationError(_("Unknown status."))
    before = snapshot(obj)
    obj.status = status
    if isinstance(obj, Responsibility) and note.strip():
        obj.note = note.strip()[:300]
    obj.save()
    audit_updated(actor=actor, obj=obj, before=before)


@transaction.atomic
def project_create(
    *,
    actor: Any,
    node: GridNode,
    inclusion: str,
    year: int,
    title: str,
    owner: str,
    org: PartyOrg | None = None,
) -> Project:
    Scope.of(actor).require(node)
    if org is not None:
        Scope.of(actor).require(org.node, above=True)  # a project may answer to the committee above
    if inclusion not in Inclusion.values:
        raise ValidationError(_("Say where the project is written in."))
    if not title.strip() or not owner.strip():
        raise ValidationError(_("A project needs a title and an owner."))
    sd = node if node.level == Level.SUBDISTRICT else node.subdistrict
    if sd is None:
        raise ValidationError(_("A party organisation works in a sub-district."))
    check_year(year)
    project = Project.objects.create(
        subdistrict=sd,
        node=node,
        inclusion=inclusion,
        year=year,
        title=title.strip()[:150],
        owner=owner.strip()[:80],
        org=org,
    )
    audit_created(actor=actor, obj=project)
    return project


def milestone_add(*, actor: Any, project: Project, title: str, due: datetime.date | None = None) -> Milestone:
    Scope.of(actor).require(project.node)
    if not title.strip():
        raise ValidationError(_("Name the milestone."))
    if due is not None:
        check_day(due)
    milestone = Milestone.objects.create(project=project, title=title.strip()[:150], due=due)
    audit_created(actor=actor, obj=milestone)
    if project.status == WorkStatus.DONE:  # new work reopens a finished project
        work_update(actor=actor, obj=project, status=WorkStatus.ACTIVE)
    return milestone


@transaction.atomic
def milestone_done(
    *, actor: Any, milestone: Milestone, day: datetime.date, evidence_note: str = "", evidence: Any = None
) -> Milestone:
    """Reached only with evidence; the project is done when all its milestones are."""
    Scope.of(actor).require(milestone.project.node)
    if not evidence_note.strip() and evidence is None:
        raise ValidationError(_("Say what shows the milestone was reached (or attach a file)."))
    # Checked by content, whatever the upload claims to be (lib.uploads); stored re-encoded if an image.
    clean = clean_upload(evidence) if evidence is not None else None
    before = snapshot(milestone)
    check_day(day)
    milestone.done_on = day
    milestone.evidence_note = evidence_note.strip()[:300]
    if clean is not None:
        clean.save_to(milestone.evidence, getattr(evidence, "name", None), default="evidence")
    milestone.save()
    audit_updated(actor=actor, obj=milestone, before=before)
    project = milestone.project
    open_left = project.milestones.filter(done_on__isnull=True).exists()
    status = WorkStatus.ACTIVE if open_left else WorkStatus.DONE
    if project.status != status:
        work_update(actor=actor, obj=project, status=status)
    return milestone


def exemplar_choose(
    *,
    actor: Any,
    subdistrict: GridNode,
    year: int,
    kind: str,
    name: str,
    reason: str,
    household: Household | None = None,
    person: Person | None = None,
    unit: Any = None,
) -> Exemplar:
    scope = Scope.of(actor)
    scope.require(subdistrict)
    if person is not None:
        scope.require(person.node)
    if household is not None:
        scope.require(household.community)
    if kind not in ExemplarKind.values:
        raise ValidationError(_("Unknown kind of exemplar."))
    if not reason.strip():
        raise ValidationError(_("Say why they were chosen."))
    if sum(x is not None for x in (household, person, unit)) != 1:
        raise ValidationError(_("Choose one household, person or unit."))
    check_year(year)
    exemplar, created = Exemplar.objects.get_or_create(
        subdistrict=subdistrict,
        year=year,
        kind=kind,
        household=household,
        person=person,
        unit=unit,
        defaults={"name": name[:100], "reason": reason.strip()[:300], "chosen_by": saved_user(actor)},
    )
    if created:
        audit_created(actor=actor, obj=exemplar)
    return exemplar


def talent_add(*, actor: Any, person: Person, kind: str, topics: str) -> Talent:
    Scope.of(actor).require(person.node)
    if kind not in TalentKind.values:
        raise ValidationError(_("Unknown kind of talent."))
    if not topics.strip():
        raise ValidationError(_("Say what they can train or teach."))
    talent, created = Talent.objects.get_or_create(
        person=person,
        defaults={"subdistrict": person.subdistrict, "kind": kind, "topics": topics.strip()[:200]},
    )
    if created:
        audit_created(actor=actor, obj=talent)
    return talent
