"""Demo cases for the enforcement officer's journey (issue 17 of wastegrid): one case referred to law
enforcement and one already decided, both walked through the services (audited, resting on the habitual
offenders' bin-side records, after a rectification notice whose deadline has passed)."""

from __future__ import annotations

import datetime

from django.db import transaction

from accounts.models import Role, User
from enforcement.models import Case, CaseStatus, CaseStep, Tier
from enforcement.services import case_decide, case_step
from enforcement.services_proposal import repeat_cases_confirm, repeat_proposal
from grid.models import GridNode, Level
from lib.clock import SHANGHAI, local_today

OFFICER_STATUSES = [CaseStatus.REFERRED, CaseStatus.DECIDED]
DEMO_MARK = "demo_officer"  # kept in the first step's data: a second run finds its cases and adds none


def _backdate(step: CaseStep, day: datetime.date, hour: int) -> None:
    # Steps are stamped "now" (auto_now_add); the demo's replayed history reads right only on its own days.
    at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)
    CaseStep.objects.filter(pk=step.pk).update(at=at)


@transaction.atomic
def cases_demo_generate(sd: GridNode) -> int:
    """Open two cases on habitual offenders outside the first residential area (whose secretary keeps a
    case to confirm), take both through persuasion, a rectification notice and its deadline, refusal and
    referral, and let the demo officer decide the second. Idempotent; returns the cases created."""
    if CaseStep.objects.filter(case__subdistrict=sd, data__demo=DEMO_MARK).exists():
        return 0
    today = local_today()
    first = GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code").first()
    # The demo's records cover the past week: a proposal four days ago sees mistakes on up to four days.
    offered: list[str] = []
    proposed_on = today
    for back in (4, 3):
        proposed_on = today - datetime.timedelta(days=back)
        offered = [
            c.household.code
            for c in repeat_proposal(actor=None, node=sd, today=proposed_on)
            if c.offered and (first is None or c.household.community_id != first.pk)
        ][:2]
        if len(offered) == 2:
            break
    if not offered:
        return 0
    deadline = today - datetime.timedelta(days=2 if proposed_on < today - datetime.timedelta(days=3) else 1)
    cases = repeat_cases_confirm(actor=None, node=sd, today=proposed_on, household_codes=offered)
    officer = User.objects.filter(role=Role.ENFORCEMENT_OFFICER, node=sd).order_by("username").first()
    for i, case in enumerate(cases):
        opened = case.steps.get()
        CaseStep.objects.filter(pk=opened.pk).update(data={**opened.data, "demo": DEMO_MARK})
        _backdate(opened, proposed_on, 9)
        steps = [
            (CaseStatus.PERSUASION, proposed_on, "上门劝导，仍未分类投放"),
            (CaseStatus.NOTICE, proposed_on, ""),
            (CaseStatus.REFUSED, deadline + datetime.timedelta(days=1), "期限届满仍混投"),
            (CaseStatus.REFERRED, deadline + datetime.timedelta(days=1), ""),
        ]
        for hour, (status, day, note) in enumerate(steps, start=10):
            step = case_step(
                actor=None,
                case=case,
                status=status,
                note=note,
                deadline=deadline if status == CaseStatus.NOTICE else None,
                on=day,
            )
            _backdate(step, day, hour)
        if i == 1 and officer is not None:
            tier = Tier.objects.filter(article=case.article).order_by("fine_min").first()
            amount = tier.fine_min if tier else case.article.fine_min
            case_decide(officer=officer, case=case, amount=amount, tier=tier, note="首次拒不改正")
    return Case.objects.filter(pk__in=[c.pk for c in cases], status__in=OFFICER_STATUSES).count()
