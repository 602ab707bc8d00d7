"""Report builds as background jobs with progress."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import override

from grid.models import GridNode
from grid.scope import Scope
from lib import jobs
from lib.clock import local_today
from lib.periods import NOT_BEGUN, Period
from lib.replica import on_replica
from reports.build import report_data, report_pdf, report_xlsx
from reports.models import ReportJob, ReportStatus

log = logging.getLogger(__name__)
STEPS = 4


def report_job_create(*, actor: Any, node: GridNode, period: Period, language: str = "zh-hans") -> ReportJob:
    """Queue a report of `node` for `period`, its .xlsx in `language` (the requester's); PermissionDenied
    when the node is outside the actor's scope, ValidationError (zh/en) when the period has not begun."""
    Scope.of(actor).require(node)
    if not period.begun():
        raise ValidationError(str(NOT_BEGUN))
    job = ReportJob.objects.create(
        public_id=uuid.uuid4(),
        node=node,
        period=period.key,
        steps=STEPS,
        created_by=actor,
        language="en" if language.startswith("en") else "zh-hans",
    )
    jobs.start(report_job_run, give_up=report_job_give_up, job_id=job.pk)
    return job


def report_job_give_up(*, job_id: int) -> None:
    """The worker died on this build again and again (jobs.runner): say so on its row, not "running"."""
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportStatus.FAILED, error="后台生成多次中断，已停止重试，请重新生成。"
    )


def job_error(exc: Exception) -> str:
    """What the report page says about a failed build, in Chinese: a refusal's own message (ValidationError,
    already in Chinese under the job's language override), else that an internal error was logged (the
    exception's type, for the administrator who reads the log; its text is English and may show internals)."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return f"生成时出现内部错误（{type(exc).__name__}），已记入日志；请稍后重新生成，或联系管理员。"


def report_job_run(*, job_id: int) -> ReportJob:
    job = ReportJob.objects.select_related("node").get(pk=job_id)

    def step(n: int) -> None:
        ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.RUNNING, step=n)

    try:
        with override("zh-hans"):
            step(0)
            with on_replica():  # the heavy reads; the job's own status stays on the primary
                data = report_data(job.node, Period.parse(job.period), local_today(), en=job.language == "en")
            step(1)
            xlsx = report_xlsx(data)
            step(2)
            pdf = report_pdf(data)
            step(3)
        name = f"report-{job.node.code}-{job.period}"
        job.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
        job.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
        job.status = ReportStatus.DONE
        job.step = STEPS
        job.save(update_fields=["xlsx", "pdf", "status", "step", "updated_at"])
    except Exception as exc:
        log.exception("report %s failed", job.public_id)
        ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.FAILED, error=job_error(exc)[:500])
    job.refresh_from_db()
    return job
