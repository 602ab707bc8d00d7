from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from contests.bank import bank_generate
from contests.models import Question


class Command(BaseCommand):
    help = "Fill the contest question bank from the knowledge base and the regulation questions (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-kind", type=int, default=120)

    def handle(self, *args: Any, per_kind: int, **options: Any) -> None:
        added = bank_generate(per_kind=per_kind)
        self.stdout.write(f"{added} questions added; the bank has {Question.objects.count()}.")
