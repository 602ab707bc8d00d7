"""`{% load numbers %}{{ value|num }}`, `{{ value|num:"1 kg" }}`, `{{ rate|num:"1 %" }}`: the page side of
`lib.numbers.fmt` (decimals, then an optional unit), so pages, PDFs and exports show a figure alike."""

from typing import Any

from django import template

from lib.numbers import fmt

register = template.Library()


@register.filter(name="num")
def num_filter(value: Any, spec: str = "0") -> str:
    decimals, _sep, unit = str(spec).partition(" ")
    return fmt(value, int(decimals) if decimals.isdigit() else 0, unit)


@register.filter(name="signed")
def signed_filter(value: Any, spec: str = "0") -> str:
    """`{{ change|signed }}`: like `num`, with "+" on gains ("+1,204", "-87")."""
    decimals, _sep, unit = str(spec).partition(" ")
    return fmt(value, int(decimals) if decimals.isdigit() else 0, unit, signed=True)
