"""Text as submitters type it: full-width characters, padding, stray spaces."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKC-fold (full-width digits, letters, brackets and spaces become ASCII) and drop all
    white space. `柳\u3000佳` and `柳  佳` both become `柳佳`; `（万元）` becomes `(万元)`."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


_ASIDE = re.compile(r"\([^)]*\)")


def without_asides(key: str) -> str:
    """A label key without its bracketed asides: 合计(3人) → 合计, 心内科(心血管) → 心内科."""
    return _ASIDE.sub("", key)


def label_key(text: str) -> str:
    """The form in which header and label texts are compared: folded, lower-case, without a
    trailing colon."""
    return fold(text).lower().rstrip(":")


def cell_text(value: object) -> str:
    """A cell as the submitter sees it: numbers without a spurious `.0`, dates as ISO."""
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
