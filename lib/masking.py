"""Masking personal data for roles that do not need it."""

from __future__ import annotations


def mask_phone(value: str) -> str:
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else value[:3] + "****"
    return "*" * len(value)


def mask_id_number(value: str) -> str:
    """An ID number's last 4 characters at most (the birth date and region code in its first 14 identify a
    person): "11010519491231002X" → "**************002X"; shorter than 8, all stars."""
    if len(value) < 8:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_name(value: str) -> str:
    return value[:1] + "*" * (len(value) - 1) if value else value


def mask_room(value: str) -> str:
    """The exact address is the room: keep the floor's first digit off, show nothing identifying."""
    return "***" if value else value
