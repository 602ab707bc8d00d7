"""What supervision's management commands share: the sub-districts named by `--subdistrict`."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import QuerySet

from grid.models import GridNode, Level


def subdistricts_or_exit(command: BaseCommand, codes: list[str]) -> QuerySet[GridNode]:
    """The sub-districts of `codes` (every one when empty), by code; a code that names none is reported on
    the command's stderr and exits 2."""
    sds = GridNode.objects.filter(level=Level.SUBDISTRICT).order_by("code")
    if codes:
        sds = sds.filter(code__in=codes)
        missing = set(codes) - set(sds.values_list("code", flat=True))
        if missing:
            command.stderr.write(f"no such sub-district / 找不到街道: {', '.join(sorted(missing))}")
            raise SystemExit(2)
    return sds
