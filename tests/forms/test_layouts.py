"""Sheets as people lay them out: where the header is, what the columns are called, how many
sheets a workbook has, what sits under the table; and capacity workbooks."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import xlsxwriter
from formfiles import (
    NEW_HEADER,
    OLD_HEADER,
    SHAOXING_TITLE,
    FormSheet,
    activity_sheet,
    write_xlsx,
)
from msoffcrypto.format.ooxml import OOXMLFile

from pipelines.forms.reader import read_form


def read(path: Path, raw: Path):
    return read_form(path.read_bytes(), path.relative_to(raw).as_posix())


def person_values(report, name: str) -> dict[str, float | None]:
    row = next(r for r in report.rows if r.person_key == name)
    return {v.metric_code: v.value for v in row.values}


def test_header_deep_down_with_renamed_reordered_and_extra_columns(tmp_path: Path) -> None:
    header = ["序号", "手术台次", "专家姓名", "职称", "门诊量", "急诊人次", "远程会诊", "培训人次"]
    sheet = activity_sheet(period="2021年3月", labels=["填报科室：心内科"], header=header,
                           rows=[[1, 4, "张三", "主任医师", 88, 9, 2, 40]])
    sheet.above[1:1] = [[f"说明第{i}行"] for i in range(14)]  # the header lands on row 18
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert [i.code for i in parsed.issues] == []
    (report,) = parsed.reports
    assert report.header_row == 18
    assert person_values(report, "张三") == {
        "surgeries": 4, "outpatient_visits": 88, "emergency_visits": 9, "telemedicine": 2,
        "training_attendees": 40}
    assert {c.metric_code: c.column_letter for c in report.columns} == {
        "surgeries": "B", "outpatient_visits": "E", "emergency_visits": "F", "telemedicine": "G",
        "training_attendees": "H"}


def test_header_below_row_20_is_not_searched(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年3月", rows=[["张三", 1, 0, 0, 0, 0, 0, 0, 0, 0]])
    sheet.above[1:1] = [[f"说明第{i}行"] for i in range(20)]
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert [i.code for i in parsed.issues] == ["no_header"]


def test_one_sheet_per_month_each_its_own_report(tmp_path: Path) -> None:
    sheets = [
        activity_sheet(title="2021年心内科对口支援工作统计表", name=f"{month}月",
                       labels=["受援单位：和政县医院"],
                       rows=[["张三", 10 * month, 0, 0, 0, 0, 0, 0, 0, 0]])
        for month in (1, 2, 3)
    ]
    parsed = read(write_xlsx(tmp_path / "x.xlsx", *sheets), tmp_path)
    assert [i.code for i in parsed.issues] == []
    assert [(r.sheet, r.period_start, r.period_end, r.department) for r in parsed.reports] == [
        ("1月", dt.date(2021, 1, 1), dt.date(2021, 1, 31), "心内科"),
        ("2月", dt.date(2021, 2, 1), dt.date(2021, 2, 28), "心内科"),
        ("3月", dt.date(2021, 3, 1), dt.date(2021, 3, 31), "心内科"),
    ]
    assert [person_values(r, "张三")["total_visits"] for r in parsed.reports] == [10, 20, 30]


def test_one_sheet_per_department_summary_and_hidden_sheets(tmp_path: Path) -> None:
    def department(name: str, visits: int, hidden: bool = False) -> FormSheet:
        sheet = activity_sheet(period="2021年第2季度", name=name,
                               rows=[[f"{name}医生", visits, 0, 0, 0, 0, 0, 0, 0, 0]])
        sheet.hidden = hidden
        return sheet

    path = write_xlsx(tmp_path / "x.xlsx", department("儿科", 5), department("产科", 7),
                      department("汇总", 12), department("口腔科", 99, hidden=True))
    parsed = read(path, tmp_path)
    assert [(r.sheet, r.department) for r in parsed.reports] == [("儿科", "儿科"), ("产科", "产科")]
    assert [(i.code, i.sheet, i.severity) for i in parsed.issues] == [
        ("summary_sheet", "汇总", "warning")]


def test_totals_notes_and_sign_off_lines_are_not_people(tmp_path: Path) -> None:
    sheet = activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=[["张三", 5, 1, 0, 0, 0, 0, 0, 0, 0], [None] * 10, ["李四", 6, 0, 0, 0, 0, 0, 0, 0, 0],
              ["", "", "", "", "", "", "", "", "", ""], ["小 计", 11, 1]],
        below=[["备注：讲座请附签到表"], ["王五", 99], ["填报人：赵六", "", "审核人：钱七"]],
    )
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    (report,) = parsed.reports
    assert [(r.row_number, r.row_kind, r.person_key) for r in report.rows] == [
        (5, "person", "张三"), (7, "person", "李四"), (9, "totals", None)]


def test_sign_off_line_without_notes_ends_the_table(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年3月", labels=["填报科室：儿科"],
                           rows=[["张三", 5, 1, 0, 0, 0, 0, 0, 0, 0]],
                           below=[["填报人：赵六"], ["王五", 99]])
    (report,) = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path).reports
    assert [r.person_key for r in report.rows] == ["张三"]


def test_duplicate_and_missing_required_columns(tmp_path: Path) -> None:
    duplicated = activity_sheet(period="2021年3月", labels=["填报科室：儿科"],
                                header=["姓名", "手术例数", "开展手术例数"], rows=[["张三", 1, 2]])
    parsed = read(write_xlsx(tmp_path / "dup.xlsx", duplicated), tmp_path)
    assert [(i.code, i.column_name, i.cell) for i in parsed.issues] == [
        ("duplicate_column", "开展手术例数", "C4")]
    assert person_values(parsed.reports[0], "张三") == {"surgeries": 1}

    nameless = activity_sheet(period="2021年3月", labels=["填报科室：儿科"],
                              header=OLD_HEADER[1:], rows=[[5, 1, 0, 0, 0, 0, 0, 0, 0]])
    parsed = read(write_xlsx(tmp_path / "nameless.xlsx", nameless), tmp_path)
    assert [(i.code, i.column_name, i.severity) for i in parsed.issues] == [
        ("missing_required_column", "姓名", "error")]


def test_header_only_form_has_no_rows(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年3月", labels=["填报科室：儿科"], header=NEW_HEADER,
                           rows=[[None] * 15, ["", "—", "/"]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert [i.code for i in parsed.issues] == ["no_rows"]


def test_labels_win_over_title_file_name_and_folders(tmp_path: Path) -> None:
    sheet = activity_sheet(title=SHAOXING_TITLE, period="2021年3月", labels=["填报科室：针灸科"],
                           rows=[["张三", 5, 0, 0, 0, 0, 0, 0, 0, 0]])
    path = write_xlsx(tmp_path / "临夏州人民医院/和政县人民医院/儿科_2020年5月.xlsx", sheet)
    (report,) = read(path, tmp_path).reports
    assert (report.supporting_hospital, report.department, report.period_start) == (
        "绍兴市中医院", "针灸科", dt.date(2021, 3, 1))


def test_unregistered_pair_is_reported(tmp_path: Path) -> None:
    labels = ["支援单位：绍兴市中医院", "受援单位：和政县人民医院"]
    sheet = activity_sheet(title=None, labels=labels, period="2021年3月",
                           rows=[["张三", 5, 0, 0, 0, 0, 0, 0, 0, 0]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert [i.code for i in parsed.issues] == ["unknown_hospital"]
    assert "绍兴市中医院→和政县人民医院 未在名册中登记" in parsed.issues[0].message


def test_encrypted_and_disguised_files() -> None:
    plain = io.BytesIO()
    book = xlsxwriter.Workbook(plain, {"in_memory": True})
    book.add_worksheet().write(0, 0, "姓名")
    book.close()
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(plain.getvalue())).encrypt("secret", encrypted)

    assert [i.code for i in read_form(encrypted.getvalue(), "a.xlsx").issues] == ["encrypted_file"]
    html = b"<html><body><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr></table></body></html>"
    assert [i.code for i in read_form(html, "export.xls").issues] == ["unsupported_format"]
    truncated = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert [i.code for i in read_form(truncated, "old.xls").issues] == ["unreadable_file"]
    assert [i.code for i in read_form(b" \n\t", "blank.csv").issues] == ["empty_file"]


def _capacity_book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    book.close()
    return path


def test_capacity_indicator_by_year_table(tmp_path: Path) -> None:
    path = _capacity_book(tmp_path / "务川县中医院_能力指标.xlsx", {"能力指标": [
        ["务川自治县中医院服务能力指标"],
        ["指标", "单位", 2018, "2019年", "2020年度"],
        ["实际开放床位数", "张", 200, 220, ""],
        ["三四级手术占比", "%", "31.5%", 33.2, "—"],
        ["病例组合指数（CMI）", "", 0.71, "0.75", "待统计"],
        ["医院等级评审得分", "分", 80, 82, 85],
    ]})
    parsed = read(path, tmp_path)
    (report,) = parsed.reports
    assert report.form_type == "capacity" and parsed.form_type == "capacity"
    assert (report.supporting_hospital, report.recipient_hospital) == (
        "绍兴市中医院", "务川仡佬族苗族自治县中医院")
    assert (report.period_start, report.period_end) == (dt.date(2018, 1, 1), dt.date(2020, 12, 31))
    assert [(v.metric_code, v.year, v.cell, v.value) for v in report.capacity] == [
        ("cap_open_beds", 2018, "C3", 200), ("cap_open_beds", 2019, "D3", 220),
        ("cap_grade34_surgery_pct", 2018, "C4", 31.5),
        ("cap_grade34_surgery_pct", 2019, "D4", 33.2),
        ("cap_grade34_surgery_pct", 2020, "E4", 0),
        ("cap_cmi", 2018, "C5", 0.71), ("cap_cmi", 2019, "D5", 0.75), ("cap_cmi", 2020, "E5", None),
    ]
    assert [(i.code, i.row_number, i.value_found) for i in parsed.issues] == [
        ("unknown_indicator", 6, "医院等级评审得分")]


def test_capacity_one_sheet_per_year(tmp_path: Path) -> None:
    def year_sheet(year: int, beds: int) -> list[list[object]]:
        return [[f"和政县人民医院{year}年能力指标"], ["指标", "数值"],
                ["实际开放床位数", beds], ["出院人次", beds * 40], ["重症医学科（ICU）床位数", 8]]

    path = _capacity_book(tmp_path / "能力指标.xlsx",
                          {"2021年": year_sheet(2021, 300), "2022年": year_sheet(2022, 320)})
    parsed = read(path, tmp_path)
    assert [i.code for i in parsed.issues] == []
    assert [(r.sheet, r.recipient_hospital, r.period_start.year) for r in parsed.reports] == [
        ("2021年", "和政县人民医院", 2021), ("2022年", "和政县人民医院", 2022)]
    beds = [(v.year, v.value) for r in parsed.reports for v in r.capacity
            if v.metric_code == "cap_open_beds"]
    assert beds == [(2021, 300), (2022, 320)]


@pytest.mark.parametrize("name", ["~$心内科.xlsx"])
def test_office_lock_files_are_not_submissions(tmp_path: Path, name: str) -> None:
    from pipelines.warehouse.manifest import submitted_files

    (tmp_path / name).write_bytes(b"lock")
    (tmp_path / ".DS_Store").write_bytes(b"x")
    (tmp_path / "real.csv").write_text("姓名\n", encoding="utf-8")
    assert [p.name for p in submitted_files(tmp_path)] == ["real.csv"]
