"""The model's frame: responsibility lists, projects reached only with evidence, exemplars chosen from the
records with the reason shown, the talent pool's sessions, and the seven-mechanism report."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.services import activity_close, activity_create
from grid.models import Household
from grid.services.records import person_create
from lib.clock import SHANGHAI, local_today
from party.candidates import candidates
from party.models import Exemplar, OrgKind, Responsibility
from party.services import (
    exemplar_choose,
    milestone_add,
    milestone_done,
    org_create,
    pledge_sign,
    project_create,
    responsibility_add,
    talent_add,
    work_update,
)
from reports.frame import frame_report
from supervision.ingest import Row, write_rows
from supervision.services import point_create
from tests.conftest import Grid, client_for
from tests.personas import party_member

TODAY = local_today()


@pytest.mark.django_db
def test_projects_need_evidence_and_finish_with_their_milestones(grid: Grid) -> None:
    with pytest.raises(ValidationError):
        project_create(actor=None, node=grid.sd, inclusion="somewhere", year=TODAY.year, title="x", owner="y")
    project = project_create(
        actor=None, node=grid.sd, inclusion="practical", year=TODAY.year, title="箱房改造", owner="市容所"
    )
    first = milestone_add(actor=None, project=project, title="调研")
    second = milestone_add(actor=None, project=project, title="改造")
    with pytest.raises(ValidationError):
        milestone_done(actor=None, milestone=first, day=TODAY)
    milestone_done(actor=None, milestone=first, day=TODAY, evidence_note="调研报告")
    project.refresh_from_db()
    assert project.status == "active"
    milestone_done(actor=None, milestone=second, day=TODAY, evidence_note="验收照片")
    project.refresh_from_db()
    assert project.status == "done"
    milestone_add(actor=None, project=project, title="验收")  # more work reopens it
    project.refresh_from_db()
    assert project.status == "active"


@pytest.mark.django_db
def test_responsibility_list(grid: Grid) -> None:
    committee = org_create(actor=None, kind=OrgKind.COMMITTEE, name="党工委", node=grid.sd)
    with pytest.raises(ValidationError):
        responsibility_add(actor=None, org=committee, item="", owner="书记")
    line = responsibility_add(actor=None, org=committee, item="纳入责任制", owner="书记")
    with pytest.raises(ValidationError):
        work_update(actor=None, obj=line, status="finished")
    work_update(actor=None, obj=line, status="done", note="已纳入")
    assert Responsibility.objects.get().note == "已纳入"


def _drops(grid: Grid, household: Household, outcomes: list[str]) -> None:
    point = point_create(actor=None, community=grid.c1, name=f"点{uuid.uuid4().hex[:4]}")
    day = TODAY - datetime.timedelta(days=1)
    at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=SHANGHAI)
    write_rows(
        [
            Row(uuid.uuid4(), grid.sd.pk, grid.c1.pk, point.pk, household.pk, at, day, "wet", o, "")
            for o in outcomes
        ],
        recorded_by=None,
    )


@pytest.mark.django_db
def test_exemplars_come_from_the_records_with_reasons(grid: Grid, personas: dict) -> None:
    good, bad = list(Household.objects.filter(building=grid.b1).order_by("room")[:2])
    _drops(grid, good, ["correct"] * 6)
    _drops(grid, bad, ["correct"] * 9 + ["mixed"])
    found = candidates(grid.sd, TODAY.year, TODAY)
    households = [c for c in found["household"]]
    assert [c.household for c in households] == [good] and "6" in households[0].reason
    admin = client_for(personas["subdistrict_admin"])
    post = {
        "year": TODAY.year,
        "kind": "household",
        "name": good.code,
        "reason": households[0].reason,
        "target": good.pk,
    }
    assert admin.post("/party/exemplars/", post).status_code == 302
    assert admin.post("/party/exemplars/", post).status_code == 302  # chosen once
    assert Exemplar.objects.count() == 1 and candidates(grid.sd, TODAY.year, TODAY)["household"][0].chosen
    with pytest.raises(ValidationError):
        exemplar_choose(
            actor=None, subdistrict=grid.sd, year=TODAY.year, kind="household", name="x", reason=""
        )
    bad_post = admin.post("/party/exemplars/", {**post, "target": "999999"})
    assert bad_post.status_code == 400
    assert client_for(personas["community_secretary"]).post("/party/exemplars/", post).status_code == 404


@pytest.mark.django_db
def test_seven_mechanisms_report(grid: Grid, personas: dict) -> None:
    member = party_member(grid, household=grid.h1)
    pledge_sign(actor=None, member=member, text_version="2019版", signed_on=datetime.date(2019, 6, 1))
    speaker = person_create(actor=None, node=grid.sd, name="培训师")
    talent_add(actor=None, person=speaker, kind="trainer", topics="分类培训")
    now = timezone.now()
    talk = activity_create(
        actor=None,
        node=grid.c1,
        kind="training",
        title="培训",
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(hours=1),
        speaker=speaker,
        publish=True,
    )
    activity_close(actor=None, activity=talk, summary="完成")
    project_create(actor=None, node=grid.sd, inclusion="practical", year=TODAY.year, title="箱房", owner="所")
    mechanisms, inclusions = frame_report(grid.sd, TODAY.year, TODAY)
    figures = {m.key: dict(m.figures) for m in mechanisms}
    assert list(figures["organisation"].values())[:2] == [2, 1]
    assert list(figures["values"].values()) == ["1 / 1"]
    assert list(figures["action"].values())[0] == 1  # one activity held
    assert list(figures["talent"].values()) == [1, 1]  # one trainer, one session
    status = {i.key: (i.done, i.items) for i in inclusions}
    assert status["assessment"] == (1, 1)  # the seeded scheme is in force
    assert status["practical"] == (0, 1) and status["co_governance"] == (0, 0)
    page = client_for(personas["subdistrict_admin"]).get("/party/frame/").content.decode()
    assert page.count("data-mechanism=") == 7
    assert client_for(personas["volunteer"]).get("/party/frame/").status_code == 403
    talents = client_for(personas["subdistrict_admin"]).get("/party/talents/").content.decode()
    assert "培训师" in talents
