"""Sheets as people lay them out: where the header is, what the columns are called, how many
sheets a workbook has, what sits under the table; and capacity workbooks."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from formfiles import (
    LINXIA_TITLE,
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
        ("hidden_sheet", "口腔科", "warning"), ("summary_sheet", "汇总", "warning")]


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
    # 王五 under the notes is not read, and the submitter is told so.
    assert [(i.code, i.row_number) for i in parsed.issues] == [("rows_not_read", 11)]


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


def _openpyxl_book(path: Path, rows: list[list[object]],
                   merges: tuple[str, ...] = ()) -> Path:
    """A form as scripts and some WPS exports write it (openpyxl), merged ranges included."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


ABOVE = [[LINXIA_TITLE], ["统计周期：2021年3月"], ["填报科室：心内科"]]
ZHANG = ["张三", 10, 1, 0, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("line", [
    "科主任：王五", "主任签字：", "审核：王五", "填表：赵六", "日期：2021年4月2日", "经办人：赵六",
    "统计人：赵六", "报送日期：2021.4.2", "科室主任（签字）：", "单位（盖章）", "制表：赵六",
    "注意：讲座请附签到表", "附：签到表3份", "说明",
    "1.“建立特殊/特色专科数量”请附上相应医院的证明",
])
def test_sign_off_and_note_lines_are_not_people(tmp_path: Path, line: str) -> None:
    path = _openpyxl_book(tmp_path / "x.xlsx", [*ABOVE, OLD_HEADER, ZHANG, [], [line]])
    (report,) = read(path, tmp_path).reports
    assert [(r.row_number, r.person_key) for r in report.rows] == [(5, "张三")]


@pytest.mark.parametrize("label", ["共计", "累计", "汇总", "本月合计", "合计（3人）", "小计："])
def test_totals_rows_in_their_many_wordings(tmp_path: Path, label: str) -> None:
    rows = [*ABOVE, OLD_HEADER, ZHANG, ["李四", 5, *[0] * 8], [label, 15, 1]]
    (report,) = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path).reports
    assert [r.row_kind for r in report.rows] == ["person", "person", "totals"]


def test_totals_label_with_a_colon_in_the_number_column(tmp_path: Path) -> None:
    rows = [*ABOVE, ["序号", *OLD_HEADER], [1, *ZHANG], ["合计：", "", 10, 1]]
    (report,) = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path).reports
    assert [(r.row_number, r.row_kind) for r in report.rows] == [(5, "person"), (6, "totals")]


def test_header_repeated_on_a_new_page_and_a_second_table_below(tmp_path: Path) -> None:
    rows = [*ABOVE, OLD_HEADER, ZHANG, OLD_HEADER, ["李四", 7, *[0] * 8], [],
            ["接收进修人员情况"], ["姓名", "进修科室", "进修时间"], ["王五", "心内科", "3个月"]]
    parsed = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path)
    (report,) = parsed.reports
    assert [(r.row_number, r.person_key) for r in report.rows] == [(5, "张三"), (7, "李四")]
    assert parsed.issues == []


def test_units_in_headers_and_on_a_line_of_their_own(tmp_path: Path) -> None:
    header = ["姓名", "门诊(人次)", "手术（台次）", "学术讲座（次）", "支援经费（元）"]
    rows = [*ABOVE, header, ["", "（人次）", "（台次）", "（次）", "（元）"],
            ["张三", 80, 2, 1, 35000]]
    parsed = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path)
    assert parsed.issues == []
    (report,) = parsed.reports
    assert [r.row_number for r in report.rows] == [6]
    assert person_values(report, "张三") == {
        "outpatient_visits": 80, "surgeries": 2, "lectures": 1,
        "funding_10k_yuan": pytest.approx(3.5)}


def test_names_grouped_under_headings_with_the_name_merged_down(tmp_path: Path) -> None:
    top = ["姓名", "医疗工作", "", "", "教学工作", "", "业务培训人次"]
    sub = ["", "门诊", "急诊", "开展手术例数", "学术讲座次数", "教学查房次数", ""]
    path = _openpyxl_book(tmp_path / "x.xlsx", [*ABOVE, top, sub, ["张三", 10, 1, 2, 3, 4, 5]],
                          merges=("A4:A5", "B4:D4", "E4:F4", "G4:G5"))
    parsed = read(path, tmp_path)
    assert parsed.issues == []
    (report,) = parsed.reports
    assert report.header_row == 5
    assert [(c.metric_code, c.column_name) for c in report.columns[:2]] == [
        ("outpatient_visits", "医疗工作·门诊"), ("emergency_visits", "医疗工作·急诊")]
    assert person_values(report, "张三") == {
        "outpatient_visits": 10, "emergency_visits": 1, "surgeries": 2, "lectures": 3,
        "teaching_rounds": 4, "training_attendees": 5}


def test_a_name_merged_down_over_one_row_a_month(tmp_path: Path) -> None:
    rows = [[LINXIA_TITLE], ["统计周期：2021年第三季度"], ["填报科室：心内科"], OLD_HEADER,
            ["张三", 10, *[0] * 8], ["", 12, *[0] * 8], ["", 9, 1, *[0] * 7]]
    path = _openpyxl_book(tmp_path / "x.xlsx", rows, merges=("A5:A7",))
    (report,) = read(path, tmp_path).reports
    assert [(r.row_number, r.person_key) for r in report.rows] == [
        (5, "张三"), (6, "张三"), (7, "张三")]
    assert [person_values_at(report, n)["total_visits"] for n in (5, 6, 7)] == [10, 12, 9]


def test_a_role_column_before_the_name_is_not_a_sign_off(tmp_path: Path) -> None:
    rows = [*ABOVE, ["职务", *OLD_HEADER], ["科室负责人", *ZHANG], ["组员", "李四", 5, *[0] * 8]]
    (report,) = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path).reports
    assert [r.person_key for r in report.rows] == ["张三", "李四"]


@pytest.mark.parametrize("written",
                         ["下派专家姓名", "支援人员", "帮扶人员", "派驻人员", "医师姓名"])
def test_the_name_column_under_other_headers(tmp_path: Path, written: str) -> None:
    rows = [*ABOVE, [written, *OLD_HEADER[1:]], ZHANG]
    parsed = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path)
    assert parsed.issues == []
    assert [r.person_key for r in parsed.reports[0].rows] == ["张三"]


def test_a_blank_template_sheet_beside_a_filled_one(tmp_path: Path) -> None:
    filled = activity_sheet(period="2021年3月", labels=["填报科室：心内科"], rows=[ZHANG],
                            name="3月")
    blank = activity_sheet(period="2021年 月 日至 年 月 日", labels=["填报科室："],
                           rows=[[None] * 10], name="Sheet2")
    parsed = read(write_xlsx(tmp_path / "x.xlsx", filled, blank), tmp_path)
    assert parsed.issues == []
    assert [r.sheet for r in parsed.reports] == ["3月"]


def person_values_at(report, row_number: int) -> dict[str, float | None]:
    row = next(r for r in report.rows if r.row_number == row_number)
    return {v.metric_code: v.value for v in row.values}


def test_a_two_row_header_repeated_on_a_new_page(tmp_path: Path) -> None:
    top = ["姓名", "诊疗人次", "", "开展手术例数"]
    sub = ["", "门诊", "急诊", ""]
    rows = [*ABOVE, top, sub, ["张三", 10, 1, 0], top, sub, ["李四", 20, 2, 1]]
    path = _openpyxl_book(tmp_path / "x.xlsx", rows,
                          merges=("A4:A5", "B4:C4", "D4:D5", "A7:A8", "B7:C7", "D7:D8"))
    parsed = read(path, tmp_path)
    assert parsed.issues == []
    assert [(r.row_number, r.person_key) for r in parsed.reports[0].rows] == [
        (6, "张三"), (9, "李四")]


def test_a_name_header_word_in_another_column_is_data(tmp_path: Path) -> None:
    rows = [*ABOVE, ["职务", *OLD_HEADER], ["专家", *ZHANG], ["组员", "李四", 5, *[0] * 8]]
    (report,) = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path).reports
    assert [r.person_key for r in report.rows] == ["张三", "李四"]


@pytest.mark.parametrize("label", ["第三季度合计", "呼吸与危重症医学科合计", "合计：2人", "人均"])
def test_totals_and_averages_with_longer_labels(tmp_path: Path, label: str) -> None:
    rows = [*ABOVE, OLD_HEADER, ZHANG, ["李四", 5, *[0] * 8], [label, 15, 1]]
    (report,) = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path).reports
    assert [r.row_kind for r in report.rows] == ["person", "person", "totals"]


@pytest.mark.parametrize(
    "line", ["以上数据真实有效", "本月无下派人员", "（本表由科室秘书填写）", "科室盖章", "医务科"])
def test_a_remark_in_the_name_column_is_not_a_person(tmp_path: Path, line: str) -> None:
    path = _openpyxl_book(tmp_path / "x.xlsx", [*ABOVE, OLD_HEADER, ZHANG, [line]])
    (report,) = read(path, tmp_path).reports
    assert [r.person_key for r in report.rows] == ["张三"]


def test_sub_labels_that_are_no_metric(tmp_path: Path) -> None:
    """本月 under 诊疗人次 is the month's figure and 累计 is not read; 远程医疗 over 会诊 is no
    会诊 column; 上转 and 下转 are columns bangfu does not know (said, not guessed)."""
    top = ["姓名", "诊疗人次", "", "远程医疗", "", "双向转诊", "", "会诊及疑难病例讨论例数"]
    sub = ["", "本月", "累计", "会诊", "培训", "上转", "下转", ""]
    rows = [*ABOVE, top, sub, ["张三", 10, 30, 2, 1, 3, 4, 5]]
    path = _openpyxl_book(tmp_path / "x.xlsx", rows,
                          merges=("A4:A5", "B4:C4", "D4:E4", "F4:G4", "H4:H5"))
    parsed = read(path, tmp_path)
    assert [(i.code, i.column_name) for i in parsed.issues] == [
        ("unknown_column", "远程医疗·会诊"), ("unknown_column", "远程医疗·培训"),
        ("unknown_column", "双向转诊·上转"), ("unknown_column", "双向转诊·下转")]
    (report,) = parsed.reports
    assert [r.person_key for r in report.rows] == ["张三"]
    assert person_values(report, "张三") == {"total_visits": 10, "consultations": 5}


def test_rows_under_a_new_label_line_are_their_own_report(tmp_path: Path) -> None:
    """Two departments stacked on one sheet: the second one's rows are not the first's, and
    not lost either (tests/forms/test_misreads.py has the other stacked layouts)."""
    rows = [*ABOVE, OLD_HEADER, ZHANG, [], ["填报科室：呼吸科"], OLD_HEADER,
            ["李四", 20, 2, *[0] * 7]]
    parsed = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path)
    assert parsed.issues == []
    assert [(r.department, [p.person_key for p in r.rows]) for r in parsed.reports] == [
        ("心内科", ["张三"]), ("呼吸科", ["李四"])]


def test_a_copied_sheet_of_the_same_report_is_pointed_out(tmp_path: Path) -> None:
    sheets = [activity_sheet(period="2021年3月", labels=["填报科室：心内科"], rows=[ZHANG],
                             name=name) for name in ("Sheet1", "Sheet1 (2)")]
    parsed = read(write_xlsx(tmp_path / "x.xlsx", *sheets), tmp_path)
    assert [(i.code, i.sheet) for i in parsed.issues] == [("duplicate_sheet", "Sheet1")]
    assert "工作表“Sheet1 (2)”" in parsed.issues[0].message


def test_a_capacity_indicator_in_a_statistics_form_is_not_read(tmp_path: Path) -> None:
    rows = [*ABOVE, ["*姓名", "门急诊人次", "开展手术例数"], ["张三", 5000, 3]]
    parsed = read(_openpyxl_book(tmp_path / "x.xlsx", rows), tmp_path)
    assert [(i.code, i.column_name) for i in parsed.issues] == [("unknown_column", "门急诊人次")]
    assert person_values(parsed.reports[0], "张三") == {"surgeries": 3}
