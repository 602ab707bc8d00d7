from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from guide.services import guide_load_dataset


class Command(BaseCommand):
    help = "Load the sorting knowledge base (published Shanghai list, English names, synonyms). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(total=0, desc="guide", unit="item")

        def progress(done: int, total: int) -> None:
            bar.total, bar.n = total, done
            bar.refresh()

        created = guide_load_dataset(progress=progress)
        bar.close()
        self.stdout.write(f"{created} items added")
