"""Messages that must reach people in both languages at once (import errors, API errors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language


@dataclass(frozen=True)
class Msg:
    zh: str
    en: str

    def format(self, **kwargs: Any) -> Msg:
        return Msg(zh=self.zh.format(**kwargs), en=self.en.format(**kwargs))

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    def __str__(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh
