from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from grid.models import GridNode
from grid.services.importing import SPECS, ImportRejected, grid_import


class Command(BaseCommand):
    help = "Import buildings, households, grid workers or people from .xlsx/.csv (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(SPECS))
        parser.add_argument("file")
        parser.add_argument("--node", required=True, help="the grid node the rows must fall under")

    def handle(self, *args: Any, kind: str, file: str, node: str, **options: Any) -> None:
        root = GridNode.objects.filter(code=node).first()
        if root is None:
            raise CommandError(f"no grid node {node!r}")
        path = Path(file)
        bar = tqdm(total=0, desc="import", unit="row")

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            created = grid_import(
                kind=kind,
                filename=path.name,
                data=path.read_bytes(),
                actor=None,
                root=root,
                progress=progress,
            )
        except ImportRejected as exc:
            bar.close()
            for e in exc.errors[:200]:
                self.stderr.write(f"row {e.row} [{e.column}] {e.msg.zh} / {e.msg.en}")
            raise CommandError(f"rejected: {len(exc.errors)} errors, nothing written") from None
        bar.close()
        self.stdout.write(f"imported {created} rows")
