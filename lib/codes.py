"""Human-readable, stable codes: a prefix and the next free number (ZJXL-07-B012, ZJXL-07-P03, …)."""

from __future__ import annotations

import re
from typing import Any


def highest_number(model: Any, prefix: str) -> int:
    """The highest number in use after the prefix (0 if none). Gaps left by deletions stay gaps, so a printed
    code never comes to mean something else."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    codes = model._default_manager.filter(code__startswith=prefix).values_list("code", flat=True)
    return max((int(m.group(1)) for c in codes if (m := pattern.fullmatch(c))), default=0)


def next_code(model: Any, prefix: str, width: int) -> str:
    return f"{prefix}{highest_number(model, prefix) + 1:0{width}d}"


class CodeCounter:
    """Hands out consecutive codes per prefix for a batch (an import), asking the database once per prefix."""

    def __init__(self, model: Any, width: int):
        self.model, self.width = model, width
        self.last: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        if prefix not in self.last:
            self.last[prefix] = highest_number(self.model, prefix)
        self.last[prefix] += 1
        return f"{prefix}{self.last[prefix]:0{self.width}d}"
