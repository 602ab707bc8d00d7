from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from grid.models import GridNode
from grid.services.demo import SUBDISTRICT_CODE, demo_logins_ensure


class Command(BaseCommand):
    help = "Print the demo logins, one per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="one JSON object per line: role, username, password"
        )

    def handle(self, *args: Any, json: bool = False, **options: Any) -> None:
        sd = GridNode.objects.filter(code=SUBDISTRICT_CODE).first()
        if sd is None:
            self.stderr.write("The demo sub-district is not loaded: run `wastegrid generate-demo` first.")
            raise SystemExit(1)
        for login in demo_logins_ensure(sd):
            if json:
                self.stdout.write(_dumps(login))
            else:
                self.stdout.write(f"{login['role']:<22} {login['username']:<20} {login['password']}")


def _dumps(obj: dict[str, str]) -> str:
    return json.dumps(obj, ensure_ascii=False)
