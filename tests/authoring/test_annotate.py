"""`bangfu check --annotate`: each faulty file back as the submitter's own workbook, its faulty
cells filled and commented, a first sheet 问题清单 listing exactly the file's issues, values
untouched, for .xlsx, .xls and GBK CSV alike."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from formfiles import activity_sheet, write_csv, write_xls, write_xlsx

from pipelines.authoring.annotate import (
    FILLS,
    LIST_HEADER_ROW,
    LIST_SHEET,
    CopyJob,
    annotated,
    annotated_name,
    write_copies,
)
from pipelines.cli import main
from pipelines.forms.reader import read_form
from pipelines.forms.text import cell_text
from pipelines.forms.workbook import open_file
from pipelines.settings import read_limits

ZEROS = [0] * 8
# A negative count, text in a number cell, a nameless row, a decimal count, a name that looks
# like a formula, and a totals row that does not add up (a warning).
ROWS = [
    ["张三", -5, *ZEROS],
    ["=李四+1", "十二", *ZEROS],
    ["", 3, *ZEROS],
    ["@王五", 2.5, *ZEROS],
    ["合计", 99, *ZEROS],
]


def faulty_sheet():
    return activity_sheet(period="2021年3月", labels=["填报科室：儿科"], rows=ROWS)


@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The three faulty files, `bangfu check --json --annotate` run on them once, and what
    each file's issues were."""
    folder = tmp_path_factory.mktemp("submitted")
    files = {
        "xlsx": write_xlsx(folder / "儿科_2021年3月.xlsx", faulty_sheet()),
        "xls": write_xls(folder / "儿科_2021年3月.xls", faulty_sheet()),
        "csv": write_csv(folder / "儿科_2021年3月.csv", faulty_sheet(), encoding="gbk"),
    }
    out = tmp_path_factory.mktemp("returned")
    capture = tmp_path_factory.mktemp("stdout") / "check.json"
    with pytest.MonkeyPatch.context() as env, capture.open("w", encoding="utf-8") as fh:
        env.setattr("sys.stdout", fh)
        assert main(["check", "--json", "--annotate", str(out), *map(str, files.values())]) == 1
    result = json.loads(capture.read_text(encoding="utf-8"))
    issues = {entry["file"]: entry["issues"] for entry in result["files"]}
    assert sorted(Path(p).name for p in result["annotated"]) == sorted(
        annotated_name(path.name) for path in files.values())
    return {
        kind: {"source": path, "issues": issues[str(path)],
               "copy": out / annotated_name(path.name)}
        for kind, path in files.items()
    }


KINDS = ["xlsx", "xls", "csv"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_issues_are_those_of_each_faulty_cell(returned: dict[str, dict], kind: str) -> None:
    assert [(i["cell"], i["code"]) for i in returned[kind]["issues"]] == [
        ("B5", "negative_value"), ("B6", "non_numeric_value"), ("A7", "missing_name"),
        ("B8", "non_integer_count"), ("B9", "totals_mismatch"),
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_every_faulty_cell_is_filled_and_commented(returned: dict[str, dict], kind: str) -> None:
    book = openpyxl.load_workbook(returned[kind]["copy"])
    assert book.sheetnames[0] == LIST_SHEET and len(book.sheetnames) == 2
    sheet = book.worksheets[1]
    faulty = {}
    for issue in returned[kind]["issues"]:
        faulty.setdefault(issue["cell"], []).append(issue)
    assert faulty
    for coordinate, issues in faulty.items():
        cell = sheet[coordinate]
        worst = "error" if any(i["severity"] == "error" for i in issues) else "warning"
        assert cell.fill.fgColor.rgb.endswith(FILLS[worst].fgColor.rgb[-6:]), coordinate
        for issue in issues:
            assert issue["message"] in cell.comment.text
    assert sheet["B9"].fill.fgColor.rgb.endswith("FFE699")  # the warning is amber
    others = [c for row in sheet.iter_rows() for c in row
              if c.coordinate not in faulty and (c.comment or c.fill.fill_type == "solid")]
    assert others == []


def _grid_values(path: Path) -> list[list[str]]:
    (sheet,) = open_file(path, path.read_bytes()).sheets
    return [[cell_text(v) for v in row] for row in sheet.rows]


@pytest.mark.parametrize("kind", KINDS)
def test_values_are_unchanged_and_formula_like_names_stay_text(
        returned: dict[str, dict], kind: str) -> None:
    source, copy = returned[kind]["source"], returned[kind]["copy"]
    # The reader skips 问题清单 (no form table on it) and reads the copy as the original.
    original = _grid_values(source)
    sheet = openpyxl.load_workbook(copy).worksheets[1]
    width = max(len(row) for row in original)
    values = [[cell_text(sheet.cell(r, c).value) for c in range(1, width + 1)]
              for r in range(1, len(original) + 1)]
    assert values == [row + [""] * (width - len(row)) for row in original]
    for coordinate, text in (("A6", "=李四+1"), ("A8", "@王五")):
        assert (sheet[coordinate].value, sheet[coordinate].data_type) == (text, "s")
    assert all(c.data_type != "f" for book_sheet in openpyxl.load_workbook(copy).worksheets
               for row in book_sheet.iter_rows() for c in row)

    again = read_form(copy.read_bytes(), copy.name)
    first = read_form(source.read_bytes(), source.name)
    assert [(r.department, r.period_start, [row.person_name for row in r.rows])
            for r in again.reports] == [
        (r.department, r.period_start, [row.person_name for row in r.rows])
        for r in first.reports]


@pytest.mark.parametrize("kind", KINDS)
def test_the_list_sheet_holds_exactly_the_files_issues_with_links(
        returned: dict[str, dict], kind: str) -> None:
    book = openpyxl.load_workbook(returned[kind]["copy"])
    listing = book[LIST_SHEET]
    header = [c.value for c in listing[LIST_HEADER_ROW]]
    assert header == ["序号", "类别", "工作表", "单元格", "行号", "列名", "填写内容", "问题",
                      "如何修改", "代码"]
    rows = list(listing.iter_rows(min_row=LIST_HEADER_ROW + 1, values_only=True))
    issues = returned[kind]["issues"]
    assert [(r[2], r[3], r[4], r[5], r[6], r[8], r[9]) for r in rows] == [
        (i["sheet"], i["cell"], i["row_number"], i["column_name"], i["value_found"],
         i["message"], i["code"]) for i in issues]
    assert [r[1] for r in rows] == [{"error": "错误", "warning": "警告"}[i["severity"]]
                                    for i in issues]
    data = book.worksheets[1].title
    links = [listing.cell(row, 4).hyperlink for row in range(LIST_HEADER_ROW + 1,
                                                              LIST_HEADER_ROW + 1 + len(rows))]
    assert [link.location for link in links] == [f"'{data}'!{i['cell']}" for i in issues]
    assert "错误 4 条" in listing["A2"].value and "警告 1 条" in listing["A2"].value


def test_a_copy_depends_on_no_time_but_the_one_it_is_given(
        returned: dict[str, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    """The site takes a copy from its previous build only where a new one would be the same
    bytes: its properties and its zip entries are dated `written`, whenever it is written."""
    written = dt.datetime(2023, 1, 6, 2, 0, tzinfo=dt.UTC)

    def copies() -> list[bytes]:
        return [annotated(file["source"].read_bytes(), file["source"].name,
                          [SimpleNamespace(**issue) for issue in file["issues"]], written)
                for file in returned.values()]

    first = copies()
    a_day_later = time.time() + 86_400
    monkeypatch.setattr(time, "time", lambda: a_day_later)
    assert copies() == first
    for copy in first:
        properties = openpyxl.load_workbook(io.BytesIO(copy)).properties
        assert properties.modified == written.replace(tzinfo=None)


def test_a_copy_that_outlasts_the_readers_time_limit_is_a_note_not_a_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies are made in the reader's bounded workers: one that takes longer than a file may
    be read (here 0.01 s, for a copy of 5,000 rows that takes a good part of a second) is
    stopped there and comes back as the reason, and nothing half written is left."""
    big = write_xlsx(tmp_path / "大表.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=[[f"人员{n}", n % 7, *ZEROS] for n in range(5_000)]))
    problem = SimpleNamespace(sheet="Sheet1", cell="B5", row_number=5, column_name="诊疗人次",
                              value_found="-5", severity="error", code="negative_value",
                              message="单元格 B5 填写了负数 -5。")
    written = dt.datetime(2023, 1, 6, 2, 0, tzinfo=dt.UTC)
    monkeypatch.setenv("BANGFU_READ_SECONDS", "0.01")
    read_limits.cache_clear()  # the limits an earlier copy in this process read are kept
    out = tmp_path / "copies"
    try:
        (slow,) = write_copies([CopyJob(big, big.name, (problem,), written, out)])
    finally:
        monkeypatch.undo()
        read_limits.cache_clear()
    assert slow.path is None
    assert slow.note.startswith("生成标注副本时读取超时（0.01）")
    assert not out.exists() or not any(out.rglob("*.xlsx*"))


def test_check_annotate_lists_a_file_it_cannot_annotate_with_the_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`bangfu check --annotate` makes its copies in the bounded workers, as a run does: a
    workbook whose sheet uses an external entity (openpyxl refuses it) is reported with the
    reason instead of stopping the check."""
    from bench.hostile_files import write_xxe_workbook

    form = write_xlsx(tmp_path / "儿科.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"], rows=[["张三", 5]]))
    xxe = write_xxe_workbook(tmp_path / "外部实体.xlsx", form)
    out = tmp_path / "returned"
    assert main(["check", "--json", "--annotate", str(out), str(xxe)]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["annotated"] == []
    (refused,) = result["not_annotated"]
    assert refused["file"] == str(xxe)
    assert refused["reason"].startswith("原文件无法用于标注（ParseError）")
    assert not out.exists() or not any(out.iterdir())
