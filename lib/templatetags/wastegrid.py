import re
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key, key)


_DIALABLE = re.compile(r"\+?[0-9][0-9 -]{2,19}")


@register.filter
def tel(number: str) -> str:
    """A phone number as a tap-to-call link (`tel:`); a masked one ("138****5678"), an empty one or anything
    else not dialable as plain text (escaped)."""
    number = str(number or "")
    if not _DIALABLE.fullmatch(number):
        return conditional_escape(number or "—")
    return format_html('<a href="tel:{}">{}</a>', number.replace(" ", "").replace("-", ""), number)
