from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grid.models import GridNode
from grid.selectors import coverage_report


class Command(BaseCommand):
    help = "Print the coverage (全覆盖) report for a node."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, code: str, json: bool = False, **options: Any) -> None:
        node = GridNode.objects.filter(code=code).first()
        if node is None:
            raise CommandError(f"no grid node {code!r}")
        r = coverage_report(node)
        data = {
            "node": node.code,
            "households": r.root.households,
            "assigned": r.root.assigned,
            "unassigned": r.root.unassigned,
            "workers": r.root.workers,
            "overloaded_workers": [w.code for w in r.overloaded],
            "underloaded_workers": [w.code for w in r.underloaded],
            "microgrids_out_of_range": [s.node.code for s in r.microgrids_out_of_range],
        }
        if json:
            self.stdout.write(_dumps(data))
            return
        for key, value in data.items():
            self.stdout.write(f"{key}: {value if not isinstance(value, list) else len(value)}")


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)
