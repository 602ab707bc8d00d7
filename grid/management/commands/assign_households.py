from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from grid.models import GridNode, Level
from grid.services.assignment import households_assign


class Command(BaseCommand):
    help = "Assign households to grid workers under a node (minimal change on re-runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="a residential area, or any node above (all its residential areas)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, code: str, json: bool = False, **options: Any) -> None:
        node = GridNode.objects.filter(code=code).first()
        if node is None:
            raise CommandError(f"no grid node {code!r}")
        communities = (
            [node]
            if node.level == Level.COMMUNITY
            else list(GridNode.objects.subtree(node).filter(level=Level.COMMUNITY).order_by("path"))
        )
        results = []
        for community in tqdm(communities, desc="assign", disable=json or len(communities) < 2):
            results.append(households_assign(actor=None, community=community))
        if json:
            for r in results:
                self.stdout.write(_dumps(r.as_dict()))
            return
        for r in results:
            self.stdout.write(
                f"{r.community}: {r.households} households, {r.workers} workers, {r.changed} changed, "
                f"{len(r.unassigned)} unassigned, {len(r.underloaded)} under-loaded workers"
            )
            for household, reason in list(r.unassigned.items())[:5]:
                self.stdout.write(f"  {household}: {reason}")


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)
