"""Human-readable, stable codes: a prefix and the next free number (ZJXL-07-B012, ZJXL-07-P03, …)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


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


# Records with no readable key of their own (a sign-up, a meeting, a photo, a person) are named in URLs by an
# opaque code instead of their database id ("codes, never ids"): ten characters, ~50 bits, set on creation.
OPAQUE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read out loud or typed from a screen
OPAQUE_LENGTH = 10


def opaque_code() -> str:
    """A new opaque code (the default of every `opaque_code_field`)."""
    return "".join(secrets.choice(OPAQUE_ALPHABET) for _ in range(OPAQUE_LENGTH))


def opaque_code_field() -> models.CharField[str, str]:
    """The `code` field of a record named by an opaque code: unique, indexed, filled in when the row is built
    (so `bulk_create` and services need nothing)."""
    return models.CharField(_("code"), max_length=16, unique=True, default=opaque_code, editable=False)


def backfill_opaque_codes(app_label: str, model_name: str, batch: int = 2000) -> Any:
    """A RunPython step giving every existing row of a model its opaque code, in batches (the migration adds
    the column nullable, runs this, then makes it unique)."""

    def run(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        manager = model._base_manager.using(schema_editor.connection.alias)
        while rows := list(manager.filter(code__isnull=True).only("pk")[:batch]):
            for row in rows:
                row.code = opaque_code()
            manager.bulk_update(rows, ["code"])

    return run
