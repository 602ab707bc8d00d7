"""Chinese line breaking (禁则) for reportlab paragraphs.

reportlab's `wordWrap="CJK"` wraps between any two characters and keeps a character listed in
`ALL_CANNOT_START` on the line before (it "hangs" in the margin). Its list is the Japanese one: 、。」』】 are
there, but the full-width comma, semicolon, colon, question and exclamation marks, closing quotes and book
title marks Chinese uses are not, so a report line could start with "，" or "；". Importing this module adds
them; `breaks_ok` is the rule itself, for tests of any text a PDF shows. Runs of closing marks and opening
marks at a line's end are handled by re-splitting (below), and `markup` keeps quotes next to their word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

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

# Opening marks: never the last character of a line (they belong to the word that follows).
OPENING = "（《「『【〔〈“‘("

# reportlab hangs ONE closing mark in the margin; a second in a row ("）。", "%）；", "”。") started the next
# line. And an opening mark could end a line. The wrappers below split as reportlab does, then, while some line
# starts with a closing mark (or the line before ends with an opening one), give the line before one character
# less room and split again: the last character of the word moves down with its punctuation.
_word_split = textsplit.wordSplit
_frag_split = paragraph.cjkFragSplit  # type: ignore[attr-defined]


def _line_text(line: Any) -> str:
    # wordSplit: [extra space, text]; cjkFragSplit: a FragLine whose words are frags with a text.
    if isinstance(line, list | tuple):
        return str(line[1])
    return "".join(str(getattr(w, "text", "")) for w in getattr(line, "words", []))


def _bad_line(lines: list[Any]) -> int | None:
    """The index of the first line that must give up a character, or None."""
    texts = [_line_text(line) for line in lines]
    for k in range(1, len(texts)):
        if texts[k].lstrip()[:1] in CLOSING:
            return k - 1
        if texts[k - 1].rstrip()[-1:] in OPENING:
            return k - 1
    return None


def _refit(split: Callable[..., Any], lines_of: Callable[[Any], list[Any]], step: float, widths: Any) -> Any:
    widths = list(widths) if isinstance(widths, list | tuple) else [widths]
    result = None
    for _attempt in range(6):  # a run of punctuation is short; a pathological text keeps reportlab's split
        result = split(widths)
        k = _bad_line(lines_of(result))
        if k is None:
            return result
        while len(widths) <= k + 1:  # reportlab reuses the last width for the lines after the list
            widths.append(widths[-1])
        widths[k] -= step
    return result


def _word_split_kinsoku(
    word: str, maxWidths: Any, fontName: str, fontSize: float, encoding: str = "utf8"
) -> Any:
    return _refit(lambda w: _word_split(word, w, fontName, fontSize, encoding), list, fontSize, maxWidths)


def _frag_split_kinsoku(frags: Any, maxWidths: Any, calcBounds: Any, encoding: str = "utf8") -> Any:
    size = max((getattr(f, "fontSize", 10) for f in frags), default=10)
    return _refit(
        lambda w: _frag_split(frags, w, calcBounds, encoding), lambda r: list(r.lines), size, maxWidths
    )


# The paragraph module imported `wordSplit` into its own globals: that is the name it calls.
paragraph.wordSplit = _word_split_kinsoku  # type: ignore[attr-defined]
paragraph.cjkFragSplit = _frag_split_kinsoku  # type: ignore[attr-defined]

# The CID font sets “ ” ‘ ’ in a full-width box with the mark at its outer edge, so “优” read "“ 优 ”". In a
# Latin font they are as narrow as the mark: `markup` sets them so, for Paragraph text (escaped first).
QUOTE_FONT = "Times-Roman"
_QUOTES = re.compile("([“”‘’])")


def markup(text: str) -> str:
    """`text` as Paragraph markup: escaped (reportlab reads it as markup), quotes in a narrow Latin font."""
    return _QUOTES.sub(rf'<font name="{QUOTE_FONT}">\1</font>', escape(text))


def breaks_ok(lines: list[str]) -> bool:
    """True when no line (as text extracted from a PDF) starts with closing punctuation."""
    return not any(line.lstrip()[:1] in CLOSING for line in lines if line.strip())
