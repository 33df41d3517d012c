"""Names bangfu gives what it writes for people, where more than one writer names the same
thing (`bangfu check --annotate` and the site's 退回清单 name a returned copy alike), and how a
submitted name or text is written into a document that is XML (a workbook, a Word file)."""

from __future__ import annotations

import re
from pathlib import PurePath

# What XML 1.0 cannot hold: control characters other than tab and line breaks. A file's name
# may have them (any byte but / is allowed on Linux), and so may a cell's text.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text with each character XML cannot hold written as \\xNN, as bangfu writes a
    file name's bytes that are not UTF-8 (pipelines.warehouse.manifest.recorded_name)."""
    return NOT_IN_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def annotated_name(file_name: str) -> str:
    """The returned copy's file name: the submitted name, marked, always .xlsx (a converted
    file keeps its own kind in the name: 心内科_csv_问题标注.xlsx)."""
    path = PurePath(file_name)
    kind = "" if path.suffix.lower() in (".xlsx", "") else f"_{path.suffix.lower()[1:]}"
    return f"{path.stem}{kind}_问题标注.xlsx"
