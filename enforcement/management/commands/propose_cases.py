from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from enforcement.services_proposal import repeat_proposal
from grid.models import GridNode, Level
from lib.clock import local_today


class Command(BaseCommand):
    help = (
        "List, per sub-district, the households the evidence rule offers for a case (read only: cases are "
        "opened by a secretary or the admin from the preview page)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = local_today()
        for sd in GridNode.objects.filter(level=Level.SUBDISTRICT):
            found = repeat_proposal(actor=None, node=sd, today=today)
            offered = sum(1 for c in found if c.offered)
            self.stdout.write(
                f"{sd.code}: {offered} households meet the rule, {len(found) - offered} listed only"
            )
