"""Bounded work per file, and nothing guessed: zip directories judged before inflating, rows
counted before reading, cell text capped, a worker's time limit; formulas saved without a
result, macros and links to other workbooks reported. Every file is built here."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from formfiles import LINXIA_TITLE, OLD_HEADER, activity_sheet, write_xls, write_xlsx

from pipelines.bounded import chunk_size
from pipelines.forms import workbook
from pipelines.forms.pool import read_forms
from pipelines.forms.reader import read_form
from pipelines.settings import ReadLimits, read_limits


def good_form(path: Path, rows=None) -> Path:
    return write_xlsx(path, activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=rows or [["张三", 5, 0, 0, 0, 0, 0, 0, 0, 0]]))


def with_parts(source: Path, target: Path, replace: dict[str, bytes] | None = None,
               add: dict[str, bytes] | None = None) -> Path:
    """A copy of a workbook with parts replaced or added (as Excel would have written them)."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, replace.get(item.filename, src.read(item)))
        for name, data in add.items():
            out.writestr(name, data)
    return target


def bomb(tmp_path: Path, inflated_mb: int) -> Path:
    """A workbook whose sheet is megabytes of blanks: a few kilobytes on disk."""
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>' + b" " * (inflated_mb << 20)
             + b"</sheetData></worksheet>")
    return with_parts(good_form(tmp_path / "form.xlsx"), tmp_path / "bomb.xlsx",
                      replace={"xl/worksheets/sheet1.xml": sheet})


def rejection(path: Path, limits: ReadLimits) -> tuple[str, str]:
    with pytest.raises(workbook.FileRejected) as rejected:
        workbook.open_file(path, path.read_bytes(), limits)
    return rejected.value.issue.code, rejected.value.issue.message


def test_a_zip_bomb_is_judged_by_its_directory(tmp_path: Path) -> None:
    path = bomb(tmp_path, 20)
    assert path.stat().st_size < 100_000
    code, message = rejection(path, ReadLimits(inflated_mb=10))
    assert code == "zip_too_large" and "超过上限 10 MB" in message
    code, message = rejection(path, ReadLimits(inflation_ratio=50))
    assert code == "zip_too_large" and "超过上限 50 倍" in message
    code, message = rejection(path, ReadLimits(zip_entries=5))
    assert code == "zip_too_large" and "超过上限 5 个" in message


def test_too_many_rows_is_rejected_before_reading(tmp_path: Path) -> None:
    rows = [[f"人员{i}", 1, 0, 0, 0, 0, 0, 0, 0, 0] for i in range(60)]
    many = good_form(tmp_path / "many.xlsx", rows)
    code, message = rejection(many, ReadLimits(rows_per_sheet=50))
    assert code == "too_many_rows" and "超过上限 50 行" in message and "Sheet1" in message
    csv = tmp_path / "many.csv"
    csv.write_text(LINXIA_TITLE + "\n" + ",".join(OLD_HEADER) + "\n"
                   + "".join(f"人员{i},1,0,0,0,0,0,0,0,0\n" for i in range(60)), encoding="utf-8")
    code, message = rejection(csv, ReadLimits(rows_per_sheet=50))
    assert code == "too_many_rows" and "文件有 63 行" in message


def test_long_cell_text_is_capped_with_a_marker(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "long.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=[["张三", 5, 0, 0, 0, 0, 0, 0, 0, 0]], below=[["备注：" + "很长的说明" * 1_000]]))
    parsed = read_form(path.read_bytes(), "long.xlsx")
    (capped,) = [i for i in parsed.issues if i.code == "text_truncated"]
    assert capped.severity == "warning" and capped.cell == "A6"
    assert "5003 个字符，上限为 2000 个字符" in capped.message
    opened = workbook.open_file(path, path.read_bytes())
    text = opened.sheets[0].rows[5][0]
    assert len(text) == 2000 + len(workbook.TRUNCATION_MARK) and text.endswith("…[已截断]")


def test_formulas_without_results_are_reported_not_guessed(tmp_path: Path) -> None:
    book = openpyxl.Workbook()  # openpyxl saves formulas without results, as scripts do
    sheet = book.active
    for row in [[LINXIA_TITLE], ["统计周期：2021年3月"], ["填报科室：儿科"], OLD_HEADER,
                ["张三", 5, 1, 0, 0, 0, 0, 0, 0, 0], ["李四", "=B5*2", 0, 0, 0, 0, 0, 0, 0, 0]]:
        sheet.append(row)
    book.save(tmp_path / "formula.xlsx")
    parsed = read_form((tmp_path / "formula.xlsx").read_bytes(), "formula.xlsx")
    (issue,) = [i for i in parsed.issues if i.code == "formula_without_value"]
    assert (issue.cell, issue.row_number, issue.severity, issue.value_found) == (
        "B6", 6, "error", "=B5*2")
    (li,) = [row for report in parsed.reports for row in report.rows if row.person_name == "李四"]
    (visits,) = [v for v in li.values if v.cell == "B6"]
    assert visits.value is None and visits.raw_text == "=B5*2"  # never read as a blank (0)


def test_formulas_without_results_before_and_after_a_hidden_row(tmp_path: Path) -> None:
    """A worksheet's XML is read once for its hidden rows and its formulas: those of a sheet
    read before the first hidden row is found, and those of the sheets after it, are all
    reported."""
    book = openpyxl.Workbook()
    for sheet, month in ((book.active, "3月"), (book.create_sheet(), "4月")):
        sheet.title = month
        for row in [[LINXIA_TITLE], [f"统计周期：2021年{month}"], ["填报科室：儿科"], OLD_HEADER,
                    ["张三", 5, 1, 0, 0, 0, 0, 0, 0, 0], ["李四", "=B5*2", 0, 0, 0, 0, 0, 0, 0, 0],
                    ["王五", 7, 0, 0, 0, 0, 0, 0, 0, 0]]:
            sheet.append(row)
    book["4月"].row_dimensions[7].hidden = True  # 王五
    book.save(tmp_path / "months.xlsx")
    parsed = read_form((tmp_path / "months.xlsx").read_bytes(), "months.xlsx")
    assert sorted((i.code, i.sheet, i.cell) for i in parsed.issues) == [
        ("formula_without_value", "3月", "B6"), ("formula_without_value", "4月", "B6"),
        ("hidden_rows", "4月", "A7")]
    assert [[row.person_name for row in report.rows] for report in parsed.reports] == [
        ["张三", "李四", "王五"], ["张三", "李四"]]


def test_macros_and_external_links_are_reported(tmp_path: Path) -> None:
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
            'Target="file:///C:/统计/汇总表.xlsx" TargetMode="External"/></Relationships>'.encode())
    path = with_parts(good_form(tmp_path / "form.xlsx"), tmp_path / "macro.xlsm", add={
        "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro",
        "xl/externalLinks/externalLink1.xml": b"<externalLink/>",
        "xl/externalLinks/_rels/externalLink1.xml.rels": rels,
    })
    parsed = read_form(path.read_bytes(), "macro.xlsm")
    codes = {i.code: i for i in parsed.issues}
    assert {"macro_workbook", "external_links"} <= codes.keys()
    assert "汇总表.xlsx" in codes["external_links"].message
    assert parsed.reports and not parsed.has_file_error  # the saved values are still read


def slow_csv(path: Path) -> Path:
    """A form the reader needs a second or more for: 19,000 people, every column filled."""
    path.write_text(",".join(OLD_HEADER) + "\n" + "".join(
        f"张{n},{n % 9},0,1,2,3,4,5,6,7\n" for n in range(19_000)), encoding="utf-8")
    return path


def sheet_placed_past_the_end(path: Path) -> Path:
    """An .xls whose sheet record (BOUNDSHEET) says its sheet starts far past the end of the
    file: calamine panics on it. xlwt writes the workbook stream from the first sector on."""
    content = bytearray(path.read_bytes())
    position = 512
    while int.from_bytes(content[position:position + 2], "little") != 0x85:
        position += 4 + int.from_bytes(content[position + 2:position + 4], "little")
    content[position + 6] = 0xFF  # a high byte of the sheet's stream position
    path.write_bytes(bytes(content))
    return path


def test_a_file_that_makes_the_parser_panic_costs_only_itself(tmp_path: Path) -> None:
    damaged = sheet_placed_past_the_end(write_xls(tmp_path / "损坏.xls", activity_sheet(
        period="2021年3月", rows=[["张三", 10, 1, 0, 0, 0, 0, 0, 0, 0]])))
    with pytest.raises(BaseException, match="out of range for slice"):
        python_calamine.CalamineWorkbook.from_path(str(damaged))
    assert [issue.code for issue in read_form(damaged.read_bytes(), "损坏.xls").issues] == [
        "unreadable_file"]
    read = read_forms([(damaged, "损坏.xls"), (good_form(tmp_path / "好.xlsx"), "好.xlsx")])
    assert [[issue.code for issue in form.issues] for form in read] == [["unreadable_file"], []]
    assert len(read[1].reports) == 1


def test_workers_have_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = good_form(tmp_path / "good.xlsx")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (3 << 20))
    monkeypatch.setenv("BANGFU_MAX_FILE_MB", "2")
    read_limits.cache_clear()
    try:
        fine, too_large = read_forms([(good, "good.xlsx"), (big, "big.csv")])
        assert fine.reports and not fine.issues
        assert [i.code for i in too_large.issues] == ["file_too_large"]
        assert "超过上限 2 MB" in too_large.issues[0].message
        # A form the reader needs well over a second for, against a limit of a millisecond:
        # the pool's timer looks every tenth of a second, so a file read faster than that
        # could still finish in time on a quiet machine.
        slow_form = slow_csv(tmp_path / "slow.csv")
        monkeypatch.setenv("BANGFU_READ_SECONDS", "0.001")
        read_limits.cache_clear()
        (slow,) = read_forms([(slow_form, "slow.csv")])
        assert [i.code for i in slow.issues] == ["read_time_limit"]
    finally:
        read_limits.cache_clear()


def test_a_file_past_its_limit_costs_only_itself_not_its_chunk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are read in chunks, yet the limit is each file's: the slow form shares a task
    with a good one (its chunk's time is the sum of its files' limits, more than the slow
    form needs), is stopped at its own limit, and the chunk's other file is read again."""
    good = good_form(tmp_path / "good.xlsx")
    jobs = [(good, f"good{n}.xlsx") for n in range(6)]
    jobs.insert(3, (slow_csv(tmp_path / "slow.csv"), "slow.csv"))
    assert chunk_size(len(jobs), workers=1) == 2  # chunks: 0–1, 2–3 (good2 and slow), 4–5, 6
    monkeypatch.setenv("BANGFU_READ_SECONDS", "0.5")
    read_limits.cache_clear()
    try:
        parsed = read_forms(jobs, workers=1)
    finally:
        read_limits.cache_clear()
    assert [[i.code for i in form.issues] for form in parsed] == [
        [], [], [], ["read_time_limit"], [], [], []]
    assert all(form.reports for n, form in enumerate(parsed) if n != 3)
