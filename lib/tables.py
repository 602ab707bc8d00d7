"""Column labels on every table cell, so a phone can show each row as a card of "label: value" pairs.

app.css lays ``table.list`` out as cards at ≤ 640 px and prints each cell's ``data-label`` before its value;
this module writes those labels from the table's own header row, so a template never repeats its headings.
Used through ``{% load tables %}{% labelled %}<table …>…</table>{% endlabelled %}`` (lib/templatetags).
"""

from __future__ import annotations

import html
import re

# The tags that shape a table; anything else inside a cell is left as it is.
_ROW = re.compile(r"<tr\b.*?</tr>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<(td|th)\b([^>]*)>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")
_COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_THEAD = re.compile(r"<thead\b.*?</thead>", re.IGNORECASE | re.DOTALL)
_TH = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.IGNORECASE | re.DOTALL)


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment: tags dropped, entities decoded, white space collapsed."""
    return _SPACE.sub(" ", html.unescape(_ANY_TAG.sub(" ", fragment))).strip()


def _span(attrs: str) -> int:
    found = _COLSPAN.search(attrs)
    return max(1, int(found.group(1))) if found else 1


def _headings(head: str) -> list[str]:
    """One heading per column, from the last row of a <thead> (colspan repeats a heading)."""
    rows = _ROW.findall(head)
    if not rows:
        return []
    labels: list[str] = []
    for attrs, inner in _TH.findall(rows[-1]):
        labels.extend([_text(inner)] * _span(attrs))
    return labels


def _label_row(row: str, labels: list[str]) -> str:
    cells = list(_CELL.finditer(row))
    if len(cells) == 1 and len(labels) > 1:
        return row  # a lone cell ("no rows", a note) is not one column's value
    out: list[str] = []
    last = 0
    column = 0
    for cell in cells:
        name, attrs = cell.group(1), cell.group(2)
        span = _span(attrs)
        if "data-label" not in attrs and column < len(labels) and labels[column]:
            out.append(row[last : cell.start()])
            out.append(f'<{name}{attrs} data-label="{html.escape(labels[column])}">')
            last = cell.end()
        column += span
    out.append(row[last:])
    return "".join(out)


def label_cells(markup: str) -> str:
    """Return ``markup`` with ``data-label="<column heading>"`` on every body cell that has none.

    A row with a single cell (an "empty list" message) gets no label; a cell spanning several columns gets
    the first one's. Tables without a <thead> are returned unchanged. Input and output are HTML strings.
    """
    head = _THEAD.search(markup)
    labels = _headings(head.group(0)) if head else []
    if not head or not labels:
        return markup
    body_from = head.end()
    return markup[:body_from] + _ROW.sub(lambda m: _label_row(m.group(0), labels), markup[body_from:])
