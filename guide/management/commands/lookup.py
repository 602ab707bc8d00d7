from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guide import counting
from guide.presenters import answer_dict
from guide.search import QueryError, lookup, validate_query


class Command(BaseCommand):
    help = (
        "Which bin? `wastegrid lookup --json 香蕉皮 ylg`; the query `-` reads one query per line from stdin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("queries", nargs="+")
        parser.add_argument("--json", action="store_true", help="one JSON object per line, in order")

    def handle(self, *args: Any, queries: list[str], json: bool = False, **options: Any) -> None:
        for query in self._expand(queries):
            try:
                q = validate_query(query)
            except QueryError as exc:
                out: dict[str, Any] = {"query": query, "error": exc.code, "message": exc.msg.as_dict()}
            else:
                answer = lookup(q)
                counting.count(answer)
                out = answer_dict(answer)
            if json:
                self.stdout.write(_dumps(out))
            elif "error" in out:
                self.stdout.write(f"{query}\t{out['message']['zh']} / {out['message']['en']}")
            else:
                self.stdout.write(
                    f"{query}\t{out['category_name'] or '—'}\t{out['method']}\t{out['confidence']}\t{out['matched'] or ''}"
                )
                # Answers in parts, bulky waste and category names say more than a bin.
                if out["action"]:
                    self.stdout.write(f"\t{out['action']}")
                for part in out["parts"]:
                    self.stdout.write(f"\t- {part['name']}: {part['destination_name']}")
                if out["examples"]:
                    self.stdout.write(f"\t{'、'.join(out['examples'])}")
        counting.flush()

    @staticmethod
    def _expand(queries: list[str]) -> list[str]:
        out: list[str] = []
        for q in queries:
            if q == "-":
                out.extend(line.rstrip("\r\n") for line in sys.stdin)
            else:
                out.append(q)
        return out


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)
