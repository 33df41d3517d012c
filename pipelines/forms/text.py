"""Text as submitters type it: full-width characters, padding, stray spaces."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

_Result = TypeVar("_Result")
# The same texts are looked at again and again: a form's headers and labels on every sheet of
# every file, and a cell by each rule that reads it. What is made of the short texts seen last
# is kept; long ones (notes, a whole line above a table) are rarely seen twice, and keeping
# them would hold more memory than a reading worker can spare.
_KEPT_TEXTS = 4096
_SHORT_TEXT = 64  # characters


def remembering_short_texts(function: Callable[[str], _Result]) -> Callable[[str], _Result]:
    """A function of a text (one whose result depends on the text alone) that keeps its
    results for the short texts seen last."""
    kept = lru_cache(maxsize=_KEPT_TEXTS)(function)

    @wraps(function)
    def remembering(text: str) -> _Result:
        return kept(text) if len(text) <= _SHORT_TEXT else function(text)
    return remembering


_WHITESPACE = re.compile(r"\s+")


@remembering_short_texts
def fold(text: str) -> str:
    """NFKC-fold (full-width digits, letters, brackets and spaces become ASCII) and drop all
    white space. `柳\u3000佳` and `柳  佳` both become `柳佳`; `（万元）` becomes `(万元)`."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


_ASIDE = re.compile(r"\([^)]*\)")


def without_asides(key: str) -> str:
    """A label key without its bracketed asides: 合计(3人) → 合计, 心内科(心血管) → 心内科."""
    return _ASIDE.sub("", key)


@remembering_short_texts
def label_key(text: str) -> str:
    """The form in which header and label texts are compared: folded, lower-case, without a
    trailing colon."""
    return fold(text).lower().rstrip(":")


def cell_text(value: object) -> str:
    """A cell as the submitter sees it: numbers without a spurious `.0`, dates as ISO."""
    if type(value) is str:  # most cells: the checks below are for the others
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # 15 significant digits, as Excel shows a number: a formula's 3.4999999999999996 is 3.5.
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def column_letter(index: int) -> str:
    """0-based column index to its spreadsheet letters: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def a1(row_index: int, column_index: int) -> str:
    """0-based grid coordinates to an A1 reference."""
    return f"{column_letter(column_index)}{row_index + 1}"
