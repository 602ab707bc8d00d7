"""Chinese line breaking (禁则) for reportlab paragraphs.

reportlab's `wordWrap="CJK"` wraps between any two characters and keeps a character listed in
`ALL_CANNOT_START` on the line before (it "hangs" in the margin). Its list is the Japanese one: 、。」』】 are
there, but the full-width comma, semicolon, colon, question and exclamation marks, closing quotes and book
title marks Chinese uses are not, so a report line could start with "，" or "；". Importing this module adds
them; `breaks_ok` is the rule itself, for tests of any text a PDF shows.
"""

from __future__ import annotations

from reportlab.lib import textsplit
from reportlab.platypus import paragraph

# Punctuation that closes or follows: never the first character of a line (GB/T 15834 and common practice).
CLOSING = "，。、；：？！）》」』】〕〉”’％…,.;:?!)%"

_EXTENDED = textsplit.ALL_CANNOT_START + "".join(c for c in CLOSING if c not in textsplit.ALL_CANNOT_START)
# Both wrappers look the name up in their own module globals at wrap time (`textsplit.wordSplit` for a
# paragraph of one style, `paragraph.cjkFragSplit` for mixed styles), so rebinding it in both is enough and
# leaves reportlab's files untouched; assigning the same value again is harmless.
textsplit.ALL_CANNOT_START = _EXTENDED
paragraph.ALL_CANNOT_START = _EXTENDED  # type: ignore[attr-defined]


def breaks_ok(lines: list[str]) -> bool:
    """True when no line (as text extracted from a PDF) starts with closing punctuation."""
    return not any(line.lstrip()[:1] in CLOSING for line in lines if line.strip())
