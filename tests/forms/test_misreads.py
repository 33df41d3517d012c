"""Layouts that used to be read quietly wrong (issue 15): a department column, several
reports on a sheet, separate months, titles after names, two departments in a label, hidden
rows and sheets. Each test writes the file and asserts exactly what is read, or the code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
import xlwt
from formfiles import LINXIA_TITLE, activity_sheet, write_csv, write_xls, write_xlsx

from pipelines.forms.reader import read_form
from pipelines.forms.text import fold


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
        ['=HYPERLINK("x")', 40, *zeros(8)],  # text, no name with a title
    ])
    for path in (write_xlsx(tmp_path / "a.xlsx", sheet), write_xls(tmp_path / "a.xls", sheet),
                 write_csv(tmp_path / "a.csv", sheet)):
        parsed = read(path, tmp_path)
        assert codes(parsed) == []
        (report,) = parsed.reports
        assert people(report) == [
            ("张三", "张三", "主任医师", 10), ("李四", "李四", "副主任", 20),
            ("王 五", "王五", None, 30), ('=HYPERLINK("x")', '=HYPERLINK("x")', None, 40)]


MASTER_HEADER = ["序号", "科室", "姓名", "诊疗人次", "开展手术例数"]
MASTER_ROWS = [
    [1, "呼吸科", "张三", 10, 1],
    [2, "呼吸内科", "李四", 20, 2],  # a synonym: the same department
    ["", "", "小计", 30, 3],  # sums 张三 and 李四: 呼吸科's
    [3, "心内科", "王五", 30, 3],
    ["", "心内科", "小计", 30, 3],
    ["", "", "合计", 60, 6],  # sums both departments: neither report's
]


def by_department(parsed) -> list[tuple[str | None, list[tuple[int, str, str | None]]]]:
    return [(r.department, [(row.row_number, row.row_kind, row.person_key) for row in r.rows])
            for r in parsed.reports]


def test_a_department_column_splits_the_table_into_one_report_each(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年第三季度", header=MASTER_HEADER, rows=MASTER_ROWS)
    for path in (write_xlsx(tmp_path / "a.xlsx", sheet), write_csv(tmp_path / "a.csv", sheet)):
        parsed = read(path, tmp_path)
        assert codes(parsed) == []
        assert by_department(parsed) == [
            ("呼吸科", [(4, "person", "张三"), (5, "person", "李四"), (6, "totals", None)]),
            ("心内科", [(7, "person", "王五"), (8, "totals", None)]),
        ]
        breathing, heart = parsed.reports
        assert (breathing.period_start, heart.period_end) == (
            dt.date(2021, 7, 1), dt.date(2021, 9, 30))
        assert [p[3] for p in people(breathing)] == [10, 20]
        assert [c.metric_code for c in heart.columns] == ["total_visits", "surgeries"]


def test_a_department_merged_down_its_rows_and_other_headers(tmp_path: Path) -> None:
    """科别 merged over the department's people (openpyxl writes the merge)."""
    book = openpyxl.Workbook()
    ws = book.active
    for row in ([LINXIA_TITLE], ["统计周期：2021年3月"], ["科别", "姓名", "诊疗人次"],
                ["心内科", "张三", 5], ["", "李四", 6], ["儿科", "赵六", 7]):
        ws.append(row)
    ws.merge_cells("A4:A5")
    book.save(tmp_path / "m.xlsx")
    parsed = read(tmp_path / "m.xlsx", tmp_path)
    assert codes(parsed) == []
    assert by_department(parsed) == [
        ("心内科", [(4, "person", "张三"), (5, "person", "李四")]),
        ("儿科", [(6, "person", "赵六")])]


def test_the_department_label_is_checked_against_the_column(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年第三季度", labels=["填报科室：呼吸科"],
                           header=MASTER_HEADER, rows=MASTER_ROWS[:4])
    parsed = read(write_xlsx(tmp_path / "a.xlsx", sheet), tmp_path)
    assert [(i.code, i.severity, i.cell, i.value_found) for i in parsed.issues] == [
        ("department_mismatch", "warning", "B8", "心内科")]
    assert "呼吸科" in parsed.issues[0].message
    assert [r.department for r in parsed.reports] == ["呼吸科", "心内科"]


def test_two_departments_in_one_label(tmp_path: Path) -> None:
    """Rejected without a column that says whose each row is; split by it when there is one."""
    labels = ["填报科室：呼吸科、心内科"]
    plain = activity_sheet(period="2021年3月", labels=labels,
                           rows=[["张三", 10, *zeros(8)], ["王五", 30, *zeros(8)]])
    parsed = read(write_xlsx(tmp_path / "a.xlsx", plain), tmp_path)
    assert [(i.code, i.severity, i.value_found) for i in parsed.issues] == [
        ("several_departments", "error", "呼吸科、心内科")]
    assert parsed.has_file_error and parsed.reports == []
    assert "单独填写" in parsed.issues[0].message

    columned = activity_sheet(period="2021年3月", labels=labels, header=MASTER_HEADER,
                              rows=MASTER_ROWS)
    parsed = read(write_xlsx(tmp_path / "b.xlsx", columned), tmp_path)
    assert codes(parsed) == []
    assert [r.department for r in parsed.reports] == ["呼吸科", "心内科"]


def _grid_xls(path: Path, rows: list[list[object]]) -> Path:
    sheet = activity_sheet(title=None, rows=[])
    sheet.above, sheet.header = rows, []
    return write_xls(path, sheet)


def summary(parsed) -> list[tuple]:
    """(department, period, [(name, total_visits)]) of each report, totals rows left out."""
    return [(r.department, r.period_start, r.period_end, [(p[1], p[3]) for p in people(r)])
            for r in parsed.reports]


OLD = ["姓名", "诊疗人次", "开展手术例数"]


def test_stacked_tables_each_with_its_header_and_labels(tmp_path: Path) -> None:
    rows = [[LINXIA_TITLE], ["统计周期：2021年3月"], ["填报科室：心内科"], OLD,
            ["张三", 10, 1], ["合计", 10, 1], [],
            ["填报科室：呼吸科"], ["统计周期：2021年4月"], OLD, ["李四", 20, 2],
            [], ["填报科室：儿科"], OLD, ["赵六", 7, 0]]  # the period written once above
    parsed = read(_grid_xls(tmp_path / "s.xls", rows), tmp_path)
    assert codes(parsed) == []
    assert summary(parsed) == [
        ("心内科", dt.date(2021, 3, 1), dt.date(2021, 3, 31), [("张三", 10)]),
        ("呼吸科", dt.date(2021, 4, 1), dt.date(2021, 4, 30), [("李四", 20)]),
        ("儿科", dt.date(2021, 3, 1), dt.date(2021, 3, 31), [("赵六", 7)]),
    ]
    assert [r.header_row for r in parsed.reports] == [4, 10, 14]
    assert [row.name_cell for row in parsed.reports[1].rows] == ["A11"]


def test_a_stacked_report_under_the_header_above(tmp_path: Path) -> None:
    """A label line, then people without a header of their own: the same columns."""
    rows = [[LINXIA_TITLE], ["统计周期：2021年3月"], ["填报科室：心内科"], OLD,
            ["张三", 10, 1], ["填报科室：呼吸科"], ["李四", 20, 2]]
    parsed = read(_grid_xls(tmp_path / "s.xls", rows), tmp_path)
    assert codes(parsed) == []
    assert [(d, people_) for d, _, _, people_ in summary(parsed)] == [
        ("心内科", [("张三", 10)]), ("呼吸科", [("李四", 20)])]


def test_tables_side_by_side(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    for row in ([LINXIA_TITLE], ["统计周期：2021年3月"],
                ["填报科室：心内科", "", "", "", "填报科室：呼吸科"],
                [*OLD, "", "序号", *OLD],
                ["张三", 10, 1, "", 1, "李四", 20, 2],
                ["王五", 5, 0, "", 2, "赵六", 6, 1],
                ["合计", 15, 1, "", "", "合计", 26, 3]):
        ws.append(row)
    ws.merge_cells("A1:H1")
    book.save(tmp_path / "p.xlsx")
    parsed = read(tmp_path / "p.xlsx", tmp_path)
    assert codes(parsed) == []
    march = (dt.date(2021, 3, 1), dt.date(2021, 3, 31))
    assert summary(parsed) == [
        ("心内科", *march, [("张三", 10), ("王五", 5)]),
        ("呼吸科", *march, [("李四", 20), ("赵六", 6)]),
    ]
    right = parsed.reports[1]
    assert [c.column_letter for c in right.columns] == ["G", "H"]
    assert [(row.name_cell, row.row_kind) for row in right.rows] == [
        ("F5", "person"), ("F6", "person"), ("F7", "totals")]
    assert [v.cell for v in right.rows[0].values] == ["G5", "H5"]


def test_a_table_that_is_no_report_below_one_is_still_said_unread(tmp_path: Path) -> None:
    """接收进修人员 under the form: its own header names no form column, so it is no report."""
    rows = [[LINXIA_TITLE], ["统计周期：2021年3月"], ["填报科室：心内科"], OLD,
            ["张三", 10, 1], [], ["接收进修人员情况"], ["姓名", "进修专业", "进修月数"],
            ["钱七", "心内科", 3]]
    parsed = read(_grid_xls(tmp_path / "s.xls", rows), tmp_path)
    assert [(i.code, i.cell) for i in parsed.issues] == [("rows_not_read", "A9")]
    assert summary(parsed) == [
        ("心内科", dt.date(2021, 3, 1), dt.date(2021, 3, 31), [("张三", 10)])]


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("2021年3月、4月", dt.date(2021, 3, 1), dt.date(2021, 4, 30)),
        ("2021年1-3月，4-6月", dt.date(2021, 1, 1), dt.date(2021, 6, 30)),
        ("2021年12月、2022年1月", dt.date(2021, 12, 1), dt.date(2022, 1, 31)),
        ("2021年3月1日至15日、3月16日至31日", dt.date(2021, 3, 1), dt.date(2021, 3, 31)),
    ],
)
def test_listed_periods_that_follow_each_other_are_one(tmp_path: Path, written: str,
                                                       start: dt.date, end: dt.date) -> None:
    parsed = read(write_xlsx(tmp_path / "a.xlsx", activity_sheet(
        period=written, labels=["填报科室：心内科"], rows=[["张三", 10, *zeros(8)]])), tmp_path)
    assert codes(parsed) == []
    assert [(r.period_start, r.period_end) for r in parsed.reports] == [(start, end)]


@pytest.mark.parametrize(
    ("written", "listed"),
    [
        ("2021年3月、9月", "2021-03-01至2021-03-31、2021-09-01至2021-09-30"),
        ("2021年3月和9月", "2021-03-01至2021-03-31、2021-09-01至2021-09-30"),
        ("2021年3月1日至3月15日、9月1日至9月30日",
         "2021-03-01至2021-03-15、2021-09-01至2021-09-30"),
        ("2021年第一季度；第三季度", "2021-01-01至2021-03-31、2021-07-01至2021-09-30"),
    ],
)
def test_separate_months_are_rejected_not_read_as_the_first(tmp_path: Path, written: str,
                                                            listed: str) -> None:
    parsed = read(write_xlsx(tmp_path / "a.xlsx", activity_sheet(
        period=written, labels=["填报科室：心内科"], rows=[["张三", 10, *zeros(8)]])), tmp_path)
    assert [(i.code, i.severity, i.value_found, i.detail) for i in parsed.issues] == [
        ("period_not_contiguous", "error", fold(written), listed)]  # label values are folded
    assert parsed.has_file_error


def test_separate_months_in_a_title_are_rejected_too(tmp_path: Path) -> None:
    sheet = activity_sheet(title="临夏州人民医院对口支援和政县人民医院2021年3月、9月工作统计表",
                           labels=["填报科室：心内科"], rows=[["张三", 10, *zeros(8)]])
    parsed = read(write_csv(tmp_path / "a.csv", sheet), tmp_path)
    assert codes(parsed) == ["period_not_contiguous"]


HIDDEN_ROWS = [[LINXIA_TITLE], ["统计周期：2021年3月"], ["填报科室：心内科"], OLD,
               ["张三", 10, 1], ["李四", 99, 9], ["王五", 5, 0], ["合计", 15, 1]]


def _hidden_xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("3月")
    for r, row in enumerate(HIDDEN_ROWS):
        ws.write_row(r, 0, row)
    ws.set_row(5, None, None, {"hidden": True})  # 李四, a working line
    lists = book.add_worksheet("lists")  # a template's drop-down list: no warning
    lists.write_column(0, 0, ["心内科", "呼吸科"])
    lists.hide()
    book.close()
    return path


def _hidden_xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("3月")
    for r, row in enumerate(HIDDEN_ROWS):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    ws.row(5).hidden = True
    book.save(str(path))
    return path


def _hidden_openpyxl(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "3月"
    for row in HIDDEN_ROWS:
        ws.append(row)
    ws.row_dimensions[6].hidden = True
    book.save(path)
    return path


@pytest.mark.parametrize("write", [_hidden_xlsx, _hidden_xls, _hidden_openpyxl])
def test_hidden_rows_are_named_and_not_counted(tmp_path: Path, write) -> None:
    parsed = read(write(tmp_path / ("h.xls" if write is _hidden_xls else "h.xlsx")), tmp_path)
    assert [(i.code, i.severity, i.sheet, i.cell, i.detail) for i in parsed.issues] == [
        ("hidden_rows", "warning", "3月", "A6", "第 6 行（李四）")]
    (report,) = parsed.reports
    assert [(p[1], p[3]) for p in people(report)] == [("张三", 10), ("王五", 5)]
    assert [r.row_number for r in report.rows] == [5, 7, 8]


def test_a_hidden_sheet_that_holds_a_form_is_named(tmp_path: Path) -> None:
    shown = activity_sheet(period="2021年3月", labels=["填报科室：心内科"], name="3月",
                           rows=[["张三", 10, *zeros(8)]])
    old = activity_sheet(period="2021年2月", labels=["填报科室：心内科"], name="2月",
                         rows=[["张三", 8, *zeros(8)]])
    old.hidden = True
    parsed = read(write_xlsx(tmp_path / "a.xlsx", shown, old), tmp_path)  # the first is active
    assert [(i.code, i.sheet) for i in parsed.issues] == [("hidden_sheet", "2月")]
    assert "隐藏" in parsed.issues[0].message
    assert [(r.sheet, r.period_start) for r in parsed.reports] == [("3月", dt.date(2021, 3, 1))]


def test_a_templates_edition_year_is_no_reporting_year(tmp_path: Path) -> None:
    sheet = activity_sheet(title="临夏州人民医院对口支援和政县人民医院工作统计表（2020年版）",
                           labels=["填报科室：心内科"], name="3月", rows=[["张三", 10, *zeros(8)]])
    parsed = read(write_xlsx(tmp_path / "2021" / "心内科统计表.xlsx", sheet), tmp_path)
    assert codes(parsed) == []
    assert [(r.period_start, r.period_end) for r in parsed.reports] == [
        (dt.date(2021, 3, 1), dt.date(2021, 3, 31))]


def test_a_label_over_the_right_hand_table_is_not_the_left_ones(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    for row in ([LINXIA_TITLE], ["统计周期：2021年3月", "", "", "", "填报科室：呼吸科"],
                [*OLD, "", *OLD], ["张三", 10, 1, "", "李四", 20, 2]):
        ws.append(row)
    book.save(tmp_path / "p.xlsx")
    parsed = read(tmp_path / "p.xlsx", tmp_path)
    assert codes(parsed) == []
    assert [(r.department, r.period_start, [p[1] for p in people(r)]) for r in parsed.reports] == [
        (None, dt.date(2021, 3, 1), ["张三"]), ("呼吸科", dt.date(2021, 3, 1), ["李四"])]


def test_rows_under_the_notes_are_said_and_the_next_table_still_read(tmp_path: Path) -> None:
    rows = [[LINXIA_TITLE], ["统计周期：2021年3月"], ["填报科室：心内科"], OLD, ["张三", 10, 1],
            ["备注：讲座另附签到表"], ["王五", 99, 9], [], ["填报科室：呼吸科"], OLD,
            ["李四", 20, 2]]
    parsed = read(_grid_xls(tmp_path / "s.xls", rows), tmp_path)
    assert [(i.code, i.cell) for i in parsed.issues] == [("rows_not_read", "A7")]
    assert [(d, ps) for d, _, _, ps in summary(parsed)] == [
        ("心内科", [("张三", 10)]), ("呼吸科", [("李四", 20)])]
