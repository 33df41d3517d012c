"""The form reader on real files written by the tests: layouts, template versions, values,
periods, hospitals and departments, and file-level verdicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from formfiles import (
    NEW_HEADER,
    OLD_HEADER,
    SHAOXING_TITLE,
    activity_sheet,
    write_csv,
    write_xls,
    write_xlsx,
)

from pipelines.forms.reader import read_form

LINXIA = "临夏回族自治州人民医院"
HEZHENG = "和政县人民医院"


def read(path: Path, raw: Path):
    return read_form(path.read_bytes(), path.relative_to(raw).as_posix())


def values_of(report, row_number: int) -> dict[str, float | None]:
    row = next(r for r in report.rows if r.row_number == row_number)
    return {v.metric_code: v.value for v in row.values}


def codes(parsed) -> list[str]:
    return [issue.code for issue in parsed.issues]


def test_2021_template_with_merged_two_row_header(tmp_path: Path) -> None:
    sheet = activity_sheet(
        period="2021年7月1日至2021年9月30日",
        labels=["填报科室：心内科", "", "受援单位：和政县人民医院"],
        header=NEW_HEADER,
        rows=[["柳  佳", 120, "１２", "3", "—", None, "/", "无", 2, 4, 1, "30人次", 0, 1,
               "1.5万元"]],
        below=[["合计", 120, 12, 3], [], ["备注：1.“建立特殊/特色专科数量”请附上相应医院的证明"]],
    )
    path = write_xlsx(tmp_path / "f.xlsx", sheet)
    parsed = read(path, tmp_path)

    assert codes(parsed) == []
    (report,) = parsed.reports
    assert (report.supporting_hospital, report.recipient_hospital, report.department) == (
        LINXIA, HEZHENG, "心内科")
    assert (report.period_start, report.period_end) == (dt.date(2021, 7, 1), dt.date(2021, 9, 30))
    assert report.header_row == 5  # the second header row, 1-based
    assert [(c.metric_code, c.column_name, c.column_letter) for c in report.columns[:3]] == [
        ("outpatient_visits", "诊疗人次·门诊", "B"),
        ("emergency_visits", "诊疗人次·急诊", "C"),
        ("surgeries", "开展手术例数", "D"),
    ]
    assert "total_visits" not in {c.metric_code for c in report.columns}
    person, totals = report.rows
    assert (person.row_number, person.row_kind, person.person_name, person.person_key) == (
        6, "person", "柳  佳", "柳佳")
    assert (totals.row_number, totals.row_kind) == (7, "totals")
    assert values_of(report, 6) == {
        "outpatient_visits": 120, "emergency_visits": 12, "surgeries": 3, "consultations": 0,
        "free_clinic_visits": 0, "referrals": 0, "telemedicine": 0, "lectures": 2,
        "teaching_rounds": 4, "surgical_demos": 1, "training_attendees": 30,
        "specialties_established": 0, "new_techniques": 1, "funding_10k_yuan": 1.5,
    }
    cells = {v.metric_code: (v.cell, v.raw_text) for v in person.values}
    assert cells["emergency_visits"] == ("C6", "１２")
    assert cells["consultations"] == ("E6", "—")


def test_old_template_xls_lacks_later_columns(tmp_path: Path) -> None:
    sheet = activity_sheet(
        title=SHAOXING_TITLE, period="2019年3月", labels=["填报科室：", "中医骨伤科"],
        header=OLD_HEADER, rows=[["沈小萍", "150", 2, 0, 0, 1, 2, 0, 10, 0]],
    )
    path = write_xls(tmp_path / "old.xls", sheet)
    parsed = read(path, tmp_path)

    assert codes(parsed) == []
    (report,) = parsed.reports
    assert report.department == "中医骨伤科"
    assert report.recipient_hospital == "务川仡佬族苗族自治县中医院"
    collected = {c.metric_code for c in report.columns}
    assert "total_visits" in collected
    assert collected.isdisjoint(
        {"outpatient_visits", "referrals", "telemedicine", "funding_10k_yuan"})
    assert values_of(report, 5)["total_visits"] == 150


def test_reader_keeps_what_the_suites_judge(tmp_path: Path) -> None:
    """Negative numbers, fractions, text and a missing name are not the reader's to reject:
    it keeps the raw text beside the number (None when there is no number)."""
    sheet = activity_sheet(
        period="2020年第1季度", labels=["填报科室：儿科"],
        rows=[["王五", -3, 1.5, "若干", 0, 0, 0, 0, 0, 0], ["", 8, 0, 0, 0, 0, 0, 0, 0, 0]],
    )
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    (report,) = parsed.reports
    first = {v.metric_code: (v.raw_text, v.value) for v in report.rows[0].values}
    assert first["total_visits"] == ("-3", -3.0)
    assert first["surgeries"] == ("1.5", 1.5)
    assert first["consultations"] == ("若干", None)
    assert report.rows[1].person_key is None and report.rows[1].row_kind == "person"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_in_utf8_and_gbk(tmp_path: Path, encoding: str) -> None:
    sheet = activity_sheet(period="2021.07.01-2021.09.30", labels=["填报科室：呼吸科"],
                           header=NEW_HEADER, rows=[["马丽", "1,200", 3] + [0] * 12])
    path = write_csv(tmp_path / f"{encoding}.csv", sheet, encoding=encoding)
    parsed = read(path, tmp_path)
    assert codes(parsed) == []
    (report,) = parsed.reports
    assert report.sheet is None
    assert report.department == "呼吸科"
    assert values_of(report, 6)["outpatient_visits"] == 1200


def test_who_and_when_from_folders_and_file_name(tmp_path: Path) -> None:
    sheet = activity_sheet(title=None, rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    folder = tmp_path / "临夏州人民医院/和政县医院/2020"
    path = write_xlsx(folder / "心血管内科_2020年5月_统计表.xlsx", sheet)
    parsed = read(path, tmp_path)
    assert codes(parsed) == []
    (report,) = parsed.reports
    assert (report.supporting_hospital, report.recipient_hospital) == (LINXIA, HEZHENG)
    assert report.department == "心内科"  # 心血管内科 is a registered synonym
    assert (report.period_start, report.period_end) == (dt.date(2020, 5, 1), dt.date(2020, 5, 31))


def test_period_in_two_date_cells(tmp_path: Path) -> None:
    sheet = activity_sheet(period=None, labels=["填报科室：产科"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    sheet.above.insert(1, ["统计周期", dt.date(2019, 12, 1), "至", dt.date(2020, 1, 31)])
    parsed = read(write_xlsx(tmp_path / "d.xlsx", sheet), tmp_path)
    (report,) = parsed.reports
    assert (report.period_start, report.period_end) == (dt.date(2019, 12, 1), dt.date(2020, 1, 31))


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ("2022年月日至年月日", "period_missing"),
        ("2021年2月30日至2021年3月31日", "period_invalid"),
        ("2021年9月1日至2021年3月1日", "period_invalid"),
        ("2016年第二季度", "period_out_of_window"),
    ],
)
def test_period_faults_are_file_level_errors(tmp_path: Path, period: str, code: str) -> None:
    sheet = activity_sheet(period=period, labels=["填报科室：儿科"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    parsed = read(write_xlsx(tmp_path / "儿科_2022年3月.xlsx", sheet), tmp_path)
    assert codes(parsed) == [code]
    (issue,) = parsed.issues
    assert issue.severity == "error" and issue.row_number is None and issue.sheet == "Sheet1"
    assert parsed.has_file_error


def test_unknown_hospital_is_reported_not_guessed(tmp_path: Path) -> None:
    sheet = activity_sheet(title="对口支援工作统计表", period="2021年3月",
                           labels=["填报科室：儿科", "受援单位：某某县中心医院"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert codes(parsed) == ["unknown_hospital"]
    assert "某某县中心医院" in parsed.issues[0].message


def test_unknown_column_is_a_warning_and_an_unknown_department_is_kept_as_written(
        tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年3月", labels=["填报科室：肿瘤放疗科"],
                           header=[*OLD_HEADER, "出诊天数"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0, 5]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    (column_issue,) = parsed.issues  # the department is the suites' to judge
    assert (column_issue.code, column_issue.column_name, column_issue.cell,
            column_issue.severity) == ("unknown_column", "出诊天数", "K4", "warning")
    assert parsed.reports[0].department == "肿瘤放疗科"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.xlsx", "empty_file"),
        (b"PK\x03\x04 truncated", "broken.xlsx", "unreadable_file"),
        (b"%PDF-1.7 a scan", "scan.pdf", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n", "photo.xlsx", "unsupported_format"),
    ],
)
def test_files_that_cannot_be_read(content: bytes, name: str, code: str) -> None:
    parsed = read_form(content, name)
    assert codes(parsed) == [code]
    assert parsed.form_type == "unknown" and parsed.reports == []


def test_workbook_without_a_form_has_no_header(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年3月", header=["项目", "内容"], rows=[["讲座", "两次"]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert codes(parsed) == ["no_header"]


def test_period_label_ends_where_the_next_label_begins(tmp_path: Path) -> None:
    sheet = activity_sheet(period=None, labels=["填报科室：儿科"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    sheet.above.insert(1, ["统计周期：2021年3月    填报日期：2021年4月5日"])
    (report,) = read(write_xlsx(tmp_path / "one.xlsx", sheet), tmp_path).reports
    assert (report.period_start, report.period_end) == (dt.date(2021, 3, 1), dt.date(2021, 3, 31))

    sheet.above[1] = ["统计周期：", "2021年3月", "填报日期：", dt.date(2021, 4, 5)]
    (report,) = read(write_xlsx(tmp_path / "cells.xlsx", sheet), tmp_path).reports
    assert (report.period_start, report.period_end) == (dt.date(2021, 3, 1), dt.date(2021, 3, 31))


def test_a_month_that_excel_turned_into_a_date(tmp_path: Path) -> None:
    sheet = activity_sheet(period=None, labels=["填报科室：儿科"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    sheet.above.insert(1, ["统计周期：", dt.date(2021, 3, 1)])
    (report,) = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path).reports
    assert (report.period_start, report.period_end) == (dt.date(2021, 3, 1), dt.date(2021, 3, 31))


def test_a_year_title_copied_onto_monthly_sheets(tmp_path: Path) -> None:
    sheets = [
        activity_sheet(title="和政县人民医院2021年度对口支援工作统计表（心内科）", name=f"{m}月",
                       rows=[["张三", 10 * m, 0, 0, 0, 0, 0, 0, 0, 0]])
        for m in (1, 2)
    ]
    parsed = read(write_xlsx(tmp_path / "x.xlsx", *sheets), tmp_path)
    assert [(r.period_start, r.period_end) for r in parsed.reports] == [
        (dt.date(2021, 1, 1), dt.date(2021, 1, 31)), (dt.date(2021, 2, 1), dt.date(2021, 2, 28))]


def test_a_department_title_copied_onto_department_sheets(tmp_path: Path) -> None:
    sheets = [
        activity_sheet(title="临夏州人民医院心内科对口支援和政县人民医院工作统计表",
                       period="2021年3月", name=name, rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
        for name in ("心内科", "呼吸科")
    ]
    parsed = read(write_xlsx(tmp_path / "x.xlsx", *sheets), tmp_path)
    assert [r.department for r in parsed.reports] == ["心内科", "呼吸科"]


def test_instructions_to_the_submitter_name_no_department(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年3月", labels=["（请于每月5日前报医务科）"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    path = write_xlsx(tmp_path / "心内科_2021年3月统计表.xlsx", sheet)
    (report,) = read(path, tmp_path).reports
    assert report.department == "心内科"


@pytest.mark.parametrize(
    ("title", "labels", "who"),
    [
        ("对口支援工作统计表", ["填报单位：临夏州人民医院心内科"], (LINXIA, HEZHENG, "心内科")),
        (SHAOXING_TITLE, ["填报单位：务川县中医院", "", "科室：针灸科"],
         ("绍兴市中医院", "务川仡佬族苗族自治县中医院", "针灸科")),
    ],
)
def test_the_unit_that_filled_the_form_in(tmp_path: Path, title: str, labels: list[str],
                                          who: tuple[str, str, str]) -> None:
    """填报单位 names either hospital (the registry says which role it has), a department, or
    both."""
    sheet = activity_sheet(title=title, period="2019年3月", labels=labels,
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert codes(parsed) == []
    (report,) = parsed.reports
    assert (report.supporting_hospital, report.recipient_hospital, report.department) == who


def test_a_labelled_department_is_read_whole(tmp_path: Path) -> None:
    """妇产科 is not registered: it is kept as written (the suites warn), not read as 产科."""
    sheet = activity_sheet(period="2021年3月", labels=["填报科室：妇产科"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    (report,) = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path).reports
    assert report.department == "妇产科"


def test_a_file_that_trips_the_reader_is_unreadable_not_a_crash(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise IndexError("a layout nobody foresaw")

    monkeypatch.setattr("pipelines.forms.reader.open_file", broken)
    parsed = read_form(b"anything", "x.xlsx")
    assert [(i.code, i.severity) for i in parsed.issues] == [("unreadable_file", "error")]
    assert "IndexError" in parsed.issues[0].message


@pytest.mark.parametrize(
    ("title", "stranger"),
    [
        ("临夏州人民医院对口支援积石山县人民医院工作统计表", "积石山县人民医院"),
        ("和政县人民医院对口帮扶买家集镇卫生院医联体工作统计表", "买家集镇卫生院"),
    ],
)
def test_an_unregistered_partner_is_reported_not_replaced(tmp_path: Path, title: str,
                                                           stranger: str) -> None:
    """A hospital with one registered partner implies it only when the form names no other."""
    sheet = activity_sheet(title=title, period="2021年3月", labels=["填报科室：儿科"],
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert [(i.code, i.value_found) for i in parsed.issues] == [("unknown_hospital", stranger)]


@pytest.mark.parametrize(
    ("file_name", "labels", "department"),
    [
        ("妇产科_2021年3月_统计表.xlsx", [], "妇产科"),  # not the 产科 inside it
        ("NICU_2021年3月_统计表.xlsx", [], None),  # not the ICU inside it
        ("心内科_2021年3月.xlsx", ["填报单位：临夏州人民医院医务科"], "心内科"),
    ],
)
def test_departments_in_names_and_compiling_offices(tmp_path: Path, file_name: str,
                                                    labels: list[str],
                                                    department: str | None) -> None:
    sheet = activity_sheet(period="2021年3月", labels=labels,
                           rows=[["张三", 10, 0, 0, 0, 0, 0, 0, 0, 0]])
    (report,) = read(write_xlsx(tmp_path / file_name, sheet), tmp_path).reports
    assert report.department == department
