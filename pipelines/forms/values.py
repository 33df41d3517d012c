"""Cell values as submitters write them, turned into numbers.

The reader stays lenient: it never rejects a value, it only says what number (if any) the
cell holds. Judging the number (negative, fractional count, implausible) is the suites' job.
"""

from __future__ import annotations

import datetime as dt
import re

from pipelines.forms.text import fold
from pipelines.forms.vocabulary import Vocabulary

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def parse_number(cell: object, vocab: Vocabulary, scale: float = 1.0) -> float | None:
    """The number a cell of a metric column holds; 0 for the blank-like tokens (blank, —, /,
    无 …); None when the cell holds something that is not a number (text, a date, TRUE).
    A unit written in the cell converts the number; a bare number is multiplied by `scale`,
    the factor of the unit its header names (支援经费（元）)."""
    if cell is None:
        return 0.0
    if isinstance(cell, (bool, dt.date, dt.time, dt.timedelta)):
        return None
    if isinstance(cell, (int, float)):
        return float(cell) * scale
    # NFKC leaves the minus sign (U+2212) that some input methods type: it is still a minus.
    text = fold(str(cell)).replace("\u2212", "-")
    if text.lower() in vocab.zero_tokens:
        return 0.0
    factor = scale
    for suffix, multiplier in vocab.unit_suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            text, factor = text[: -len(suffix)], multiplier
            break
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None
    return float(text) * factor
