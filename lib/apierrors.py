"""An API error that carries a stable code and its message in both languages."""

from __future__ import annotations

from lib.bilingual import Msg


class ApiError(Exception):
    def __init__(self, status: int, code: str, msg: Msg):
        super().__init__(msg.en)
        self.status, self.code, self.msg = status, code, msg
