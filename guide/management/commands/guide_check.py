from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from guide.services import consistency_flag


class Command(BaseCommand):
    help = (
        "Check the sorting knowledge base against itself (tips and the battery rule against answers, "
        "near-synonyms in other bins); flag what disagrees and put it in the review queue."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = consistency_flag(actor=None)
        for name in flagged:
            self.stdout.write(name)
        self.stdout.write(f"{len(flagged)} items flagged for review")
