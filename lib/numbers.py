"""One way to show a number, shared by pages, the report PDF and .xlsx exports.

A report once printed `464068.700000000` (a Decimal summed by SQLite) next to `87.5` and `1234`: each place
formatted on its own, or not at all. Here a figure is a `Num` (value, decimals, unit) that renders as text
with thousands separators and fixed decimals (`464,068.7 kg`, `1,234户`, `87.5%`), and that an .xlsx writer
keeps as a number cell with the matching `number_format` (so the district can still add the column up).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeAlias

DASH = "—"  # what a missing value shows, everywhere

# What a figure may arrive as: a database value (Decimal, int, float), a typed-in string, or nothing.
Numeric: TypeAlias = Decimal | int | float | str | None

# Units written straight after the number (Chinese units and %); Latin units take a space: "12.5 kg".
_TIGHT = {"%", "户", "吨", "人", "次", "个", "天", "分", "千克", "千克/天"}


def _decimal(value: Numeric) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    try:  # str() first: Decimal(0.1) would carry the float's binary noise
        return Decimal(str(value))
    except ArithmeticError:
        return None


def fmt(value: Numeric, decimals: int = 0, unit: str = "", *, signed: bool = False) -> str:
    """`value` with thousands separators and exactly `decimals` decimals (half up), then `unit`:
    fmt(464068.7, 1, "kg") == "464,068.7 kg"; fmt(1234, unit="户") == "1,234户"; None → "—".
    For unit "%" the value is a fraction: fmt(0.875, 1, "%") == "87.5%". `signed` shows "+" on gains."""
    number = _decimal(value)
    if number is None or not number.is_finite():
        return DASH
    if unit == "%":
        number *= 100
    quantum = Decimal(1).scaleb(-decimals)
    number = number.quantize(quantum, ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # never "-0.0"
    text = f"{number:{'+' if signed and number else ''},.{decimals}f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit in _TIGHT else f"{text} {unit}"


@dataclass(frozen=True)
class Num:
    """A figure for a table cell: `str()` is its text (see `fmt`); `excel_value` / `excel_format` are what an
    .xlsx cell holds (a number, and a format showing the same decimals and unit). For "%" the value is a
    fraction, as Excel's own % format expects."""

    value: Numeric
    decimals: int = 0
    unit: str = ""
    signed: bool = False

    def __str__(self) -> str:
        return fmt(self.value, self.decimals, self.unit, signed=self.signed)

    @property
    def excel_value(self) -> float | int | None:
        number = _decimal(self.value)
        if number is None or not number.is_finite():
            return None
        return int(number) if self.decimals == 0 and self.unit != "%" else float(number)

    @property
    def excel_format(self) -> str:
        digits = "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        if self.unit == "%":
            shown = f"{digits}%"
        elif self.unit:
            shown = digits + (f'"{self.unit}"' if self.unit in _TIGHT else f'" {self.unit}"')
        else:
            shown = digits
        return f"+{shown};-{shown};{shown}" if self.signed else shown


def num(value: Numeric, decimals: int = 0, unit: str = "", *, signed: bool = False) -> Num:
    """Shorthand for Num(...), for building table rows."""
    return Num(value, decimals, unit, signed)


def pct(rate: Numeric, decimals: int = 1, *, signed: bool = False) -> Num:
    """A share (0..1) shown as a percentage: pct(0.875) → "87.5%"."""
    return Num(rate, decimals, "%", signed)


def hours(minutes: int | None) -> Num:
    """Minutes shown as hours, the one rule of every page: whole hours without decimals ("0", "2"), others to
    one decimal ("1.5"), so a sentence reads "0 小时" beside "满 1 小时", never "0.0 小时"."""
    if minutes is None:
        return Num(None)
    return Num(Decimal(minutes) / 60, 0 if minutes % 60 == 0 else 1)
