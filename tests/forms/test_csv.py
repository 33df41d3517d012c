"""CSV files that polars cannot split with quoting: a stray quote is text, and a file that
cannot be split at all is an unreadable file, never an exception."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from formfiles import LINXIA_TITLE, OLD_HEADER

from pipelines.forms.reader import read_form


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read(path: Path, raw: Path):
    return read_form(path.read_bytes(), path.relative_to(raw).as_posix())


def test_stray_quote_is_text(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "心内科.csv", [
        LINXIA_TITLE,
        "统计周期：2021年3月",
        "填报科室：心内科",
        ",".join(OLD_HEADER),
        '张"三,10,1,0,0,0,0,0,0,0',
        "李四,5,0,0,0,0,0,0,0,2",
    ])
    parsed = read(path, tmp_path)
    assert [i.code for i in parsed.issues] == []
    (report,) = parsed.reports
    people = {r.person_name: {v.metric_code: v.value for v in r.values if v.value}
              for r in report.rows}
    assert people == {
        '张"三': {"total_visits": 10.0, "surgeries": 1.0},
        "李四": {"total_visits": 5.0, "new_techniques": 2.0},
    }


def test_stray_quote_in_a_note(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "心内科.csv", [
        LINXIA_TITLE,
        "统计周期：2021年3月",
        "填报科室：心内科",
        ",".join(OLD_HEADER),
        "张三,10,1,0,0,0,0,0,0,0",
        '备注:说明"见附件',
    ])
    parsed = read(path, tmp_path)
    assert [i.code for i in parsed.issues] == []
    (report,) = parsed.reports
    assert [(r.row_number, r.person_name) for r in report.rows] == [(5, "张三")]


def test_csv_polars_cannot_split_is_unreadable(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def cannot_split(*args: object, **kwargs: object) -> pl.DataFrame:
        raise pl.exceptions.ComputeError("CSV malformed")

    monkeypatch.setattr(pl, "read_csv", cannot_split)
    path = write_lines(tmp_path / "心内科.csv", [",".join(OLD_HEADER), "张三,10,1,0,0,0,0,0,0,0"])
    parsed = read(path, tmp_path)
    assert parsed.reports == []
    assert [(i.code, i.detail) for i in parsed.issues] == [
        ("unreadable_file", "CSV 内容无法分列，请检查引号和分隔符")]
