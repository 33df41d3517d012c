"""Names bangfu gives what it writes for people, where more than one writer names the same
thing (`bangfu check --annotate` and the site's 退回清单 name a returned copy alike)."""

from __future__ import annotations

from pathlib import PurePath


def annotated_name(file_name: str) -> str:
    """The returned copy's file name: the submitted name, marked, always .xlsx (a converted
    file keeps its own kind in the name: 心内科_csv_问题标注.xlsx)."""
    path = PurePath(file_name)
    kind = "" if path.suffix.lower() in (".xlsx", "") else f"_{path.suffix.lower()[1:]}"
    return f"{path.stem}{kind}_问题标注.xlsx"
