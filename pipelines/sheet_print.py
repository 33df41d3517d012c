"""How tall a spreadsheet row must be for its wrapped text to print whole.

Excel and LibreOffice grow a row to fit wrapped text only when a person edits it; a row written
by a program keeps the default height, so a paragraph in a wrapped cell prints as its first line
("请在“统计周…", the rest cut). The writers of printed workbooks (the templates' instructions,
the annotated workbook's 问题清单, the 退回清单) set each row's height from its text with this.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable

# A column's width is counted in the widths of the digit 0 of the default font; a Chinese
# character is two of them. One cell keeps about one such unit free for its padding.
CELL_PADDING = 1
LINE_SPACING = 1.35  # a line's height as a multiple of the font size, in points
# "One page wide, as many tall as needed" is written as at most this many pages tall: Excel's
# own 0 ("automatic") makes LibreOffice (7.4) ignore the fit and cut the right-hand columns.
PAGES_TALL = 99


def text_width(text: str) -> int:
    """The text's width in column units: 2 for a wide (Chinese, full-width) character, else 1."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrapped_lines(text: str, column_width: float) -> int:
    """Lines the text takes in a wrapped cell `column_width` units wide."""
    usable = max(column_width - CELL_PADDING, 1)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def row_height(cells: Iterable[tuple[object, float]], font_size: float = 11) -> float:
    """The height in points of a row of (value, column width) cells, every text wrapped."""
    lines = max((wrapped_lines(str(value), width) for value, width in cells
                 if value is not None and value != ""), default=1)
    return round(lines * font_size * LINE_SPACING + 3, 1)

