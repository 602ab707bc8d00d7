"""``{% labelled %}…{% endlabelled %}``: label every table cell with its column heading (see lib.tables)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from lib.tables import label_cells

register = template.Library()


class LabelledNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Any) -> SafeString:
        # The content is the template's own rendered (already escaped) HTML; labels are escaped by label_cells.
        return mark_safe(label_cells(self.nodelist.render(context)))  # noqa: S308


@register.tag
def labelled(parser: template.base.Parser, token: template.base.Token) -> LabelledNode:
    nodelist = parser.parse(("endlabelled",))
    parser.delete_first_token()
    return LabelledNode(nodelist)
