"""Layouts that used to be read quietly wrong (issue 15): a department column, several
reports on a sheet, separate months, titles after names, two departments in a label, hidden
rows and sheets. Each test writes the file and asserts exactly what is read, or the code."""

from __future__ import annotations

from pathlib import Path

from formfiles import activity_sheet, write_csv, write_xls, write_xlsx

from pipelines.forms.reader import read_form


def read(path: Path, raw: Path):
    return read_form(path.read_bytes(), path.relative_to(raw).as_posix())


def codes(parsed) -> list[str]:
    return [issue.code for issue in parsed.issues]


def people(report) -> list[tuple[str | None, str | None, str | None, float | None]]:
    """(name, key, title, total_visits) of each person row."""
    return [
        (r.person_name, r.person_key, r.person_title,
         next(v.value for v in r.values if v.metric_code == "total_visits"))
        for r in report.rows if r.row_kind == "person"
    ]


def zeros(n: int = 8) -> list[int]:
    return [0] * n


def test_a_title_in_brackets_after_a_name_is_no_part_of_the_person(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年3月", labels=["填报科室：心内科"], rows=[
        ["张三（主任医师）", 10, *zeros(8)],
        ["李四(副主任)", 20, *zeros(8)],
        ["王 五", 30, *zeros(8)],
    ])
    for path in (write_xlsx(tmp_path / "a.xlsx", sheet), write_xls(tmp_path / "a.xls", sheet),
                 write_csv(tmp_path / "a.csv", sheet)):
        parsed = read(path, tmp_path)
        assert codes(parsed) == []
        (report,) = parsed.reports
        assert people(report) == [
            ("张三", "张三", "主任医师", 10), ("李四", "李四", "副主任", 20),
            ("王 五", "王五", None, 30)]
