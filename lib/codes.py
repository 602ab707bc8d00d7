"""Human-readable, stable codes: a prefix and the next free number (ZJXL-07-B012, ZJXL-07-P03, …)."""

from __future__ import annotations

import re
from typing import Any


def next_code(model: Any, prefix: str, width: int) -> str:
    """The prefix with one more than the highest number in use after it. Gaps left by deletions stay gaps,
    so a printed code never comes to mean something else."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    codes = model._default_manager.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(m.group(1)) for c in codes if (m := pattern.fullmatch(c))]
    return f"{prefix}{max(numbers, default=0) + 1:0{width}d}"
