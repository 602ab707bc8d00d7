"""lib.tables.label_cells and {% labelled %}: the column headings a phone prints before each cell's value."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

from lib.tables import label_cells

TABLE = (
    '<table class="list"><thead><tr><th>Code</th><th colspan="2">Contact &amp; phone</th>'
    '<th><a href="?o=s">Status</a></th></tr></thead><tbody>'
    '<tr><td><a href="/h/1/">H1</a></td><td>Wang</td><td class="num">138</td><td>open</td></tr>'
    '<tr><td colspan="4" class="muted">No households.</td></tr></tbody></table>'
)


def test_every_body_cell_gets_its_column_heading() -> None:
    out = label_cells(TABLE)
    labels = re.findall(r'<td[^>]*data-label="([^"]*)"', out)
    # A colspan heading labels each column it spans; a link inside a heading gives its text.
    assert labels == ["Code", "Contact &amp; phone", "Contact &amp; phone", "Status"]
    assert '<td class="num" data-label="Contact &amp; phone">138</td>' in out
    assert '<td colspan="4" class="muted">No households.</td>' in out  # a lone "empty" cell: no label
    assert out.split("</thead>")[0] == TABLE.split("</thead>")[0]  # the header row is left alone


def test_a_heading_with_quotes_is_escaped_and_existing_labels_are_kept() -> None:
    table = (
        '<table><thead><tr><th>"Leads" &lt;4&gt;</th><th>B</th></tr></thead>'
        '<tbody><tr><td>1</td><td data-label="own">2</td></tr></tbody></table>'
    )
    out = label_cells(table)
    assert '<td data-label="&quot;Leads&quot; &lt;4&gt;">1</td>' in out
    assert '<td data-label="own">2</td>' in out and out.count("data-label") == 2


def test_a_table_without_headings_is_unchanged() -> None:
    table = "<table><tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
    assert label_cells(table) == table


def test_the_template_tag_labels_rendered_rows() -> None:
    template = Template(
        "{% load tables %}{% labelled %}<table><thead><tr><th>Name</th><th>Phone</th></tr></thead><tbody>"
        "{% for n, p in rows %}<tr><td>{{ n }}</td><td>{{ p }}</td></tr>{% endfor %}</tbody></table>{% endlabelled %}"
    )
    out = template.render(Context({"rows": [("<b>x</b>", "1"), ("y", "2")]}))
    assert out.count('data-label="Name"') == 2 and out.count('data-label="Phone"') == 2
    assert "&lt;b&gt;x&lt;/b&gt;" in out  # the content stays escaped


def test_every_list_with_headings_in_the_templates_is_labelled() -> None:
    """A new table.list with a <thead> must sit inside {% labelled %}, or a phone shows values without
    their headings (the calendar is the exception: a phone gets its agenda instead)."""
    missing = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'<table class="list[^"]*"[^>]*>', text):
            body = text[match.start() : text.index("</table>", match.end())]
            labelled = text[: match.start()].endswith("{% labelled %}")
            if "<thead" in body and "calendar" not in match.group(0) and not labelled:
                missing.append(f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}")
    assert missing == []
