"""The blank templates on real files: a filled-in copy reads back exactly and passes `bangfu
check`, the validation rules are in the file, two writes are byte-identical, and a blank copy
gets a verdict a submitter can act on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from formfiles import NEW_HEADER
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from pipelines.authoring.template import (
    CAPACITY_FILE,
    CAPACITY_SHEET,
    CHOICES_SHEET,
    DEPARTMENTS_RANGE,
    INSTRUCTIONS_SHEET,
    PAIRS_RANGE,
    PERSON_ROWS,
    RECIPIENTS_RANGE,
    STATISTICS_FILE,
    STATISTICS_SHEET,
    SUPPORTING_RANGE,
    pair_departments,
    statistics_columns,
    write_templates,
)
from pipelines.checking import check
from pipelines.forms.reader import read_form
from pipelines.forms.vocabulary import vocabulary
from pipelines.settings import programme_window

LINXIA = "临夏回族自治州人民医院"
HEZHENG = "和政县人民医院"
DEPARTMENT = "心内科"
PERIOD = (dt.date(2022, 3, 1), dt.date(2022, 3, 31))

# Where a submitter types, as the template lays it out (1-based rows).
PERIOD_CELLS = ("C2", "F2")
CHOICE_CELLS = {"supporting": "C3", "recipient": "C4", "department": "C5"}
HEADER_ROWS = (6, 7)
FIRST_PERSON_ROW = 8
LAST_PERSON_ROW = FIRST_PERSON_ROW + PERSON_ROWS - 1
CAPACITY_RECIPIENT_CELL = "B2"
# Under the notes: 填报人 B43, 联系电话 F43, 审核人 B44, 填报日期 F44 (merged over three columns).
SIGN_OFF_CELLS = {"填报人": "B43", "联系电话": "F43", "审核人": "B44", "填报日期": "F44"}
SIGN_OFF_DATE_CELL = "F44:H44"
CAPACITY_HEADER_ROW = 3

PEOPLE = {
    "柳佳": {"outpatient_visits": 120, "emergency_visits": 12, "surgeries": 3, "lectures": 1,
             "funding_10k_yuan": 1.5},
    "马文华": {"outpatient_visits": 86, "consultations": 4, "teaching_rounds": 2,
               "new_techniques": 1},
    "王晓东": {"emergency_visits": 30, "referrals": 5, "training_attendees": 40,
               "specialties_established": 1, "funding_10k_yuan": 0.25},
}
CAPACITY_YEARS = (2021, 2022)
CAPACITY_SAMPLE = {"count": (52000, 56100), "percent": (21.5, 24.75), "index": (0.82, 0.87)}
TREATMENT_CENTRES = (3, 4)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {path.name: path for path in write_templates(tmp_path_factory.mktemp("templates"))}


def _capacity_metrics() -> list[tuple[str, str]]:
    return [(m.code, m.value_type) for m in vocabulary().metrics.values() if m.kind == "capacity"]


def _capacity_value(code: str, value_type: str, year_index: int) -> float:
    sample = TREATMENT_CENTRES if code == "cap_treatment_centers" else CAPACITY_SAMPLE[value_type]
    return sample[year_index]


def _column_letters() -> dict[str, str]:
    """metric code -> column letter, from the template's own column list (names are in column A)."""
    return {
        column.metric.code: get_column_letter(index)
        for index, column in enumerate(statistics_columns(), start=2)
    }


@pytest.fixture(scope="module")
def filled(templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both templates filled in as a submitter would in Excel, saved under a raw folder."""
    raw = tmp_path_factory.mktemp("raw")

    book = openpyxl.load_workbook(templates[STATISTICS_FILE])
    sheet = book[STATISTICS_SHEET]
    sheet[PERIOD_CELLS[0]], sheet[PERIOD_CELLS[1]] = PERIOD
    sheet[CHOICE_CELLS["supporting"]] = LINXIA
    sheet[CHOICE_CELLS["recipient"]] = HEZHENG
    sheet[CHOICE_CELLS["department"]] = DEPARTMENT
    letters = _column_letters()
    for row, (name, values) in enumerate(PEOPLE.items(), start=FIRST_PERSON_ROW):
        sheet[f"A{row}"] = name
        for code, value in values.items():
            sheet[f"{letters[code]}{row}"] = value
    book.save(raw / STATISTICS_FILE)

    book = openpyxl.load_workbook(templates[CAPACITY_FILE])
    sheet = book[CAPACITY_SHEET]
    sheet[CAPACITY_RECIPIENT_CELL] = HEZHENG
    year_columns = {
        cell.value: cell.column for cell in sheet[CAPACITY_HEADER_ROW] if cell.value
    }
    for row, (code, value_type) in enumerate(_capacity_metrics(), start=CAPACITY_HEADER_ROW + 1):
        for year_index, year in enumerate(CAPACITY_YEARS):
            value = _capacity_value(code, value_type, year_index)
            sheet.cell(row, year_columns[f"{year}年"], value)
    book.save(raw / CAPACITY_FILE)
    return {"raw": raw, "statistics": raw / STATISTICS_FILE, "capacity": raw / CAPACITY_FILE}


def _read(path: Path, raw: Path):
    return read_form(path.read_bytes(), path.relative_to(raw).as_posix())


def test_filled_statistics_form_reads_back_exactly(filled: dict[str, Path]) -> None:
    parsed = _read(filled["statistics"], filled["raw"])

    assert parsed.issues == []
    assert parsed.form_type == "activity"
    (report,) = parsed.reports
    assert report.sheet == STATISTICS_SHEET
    assert (report.supporting_hospital, report.recipient_hospital, report.department) == (
        LINXIA, HEZHENG, DEPARTMENT)
    assert (report.period_start, report.period_end) == PERIOD
    codes = [c.metric.code for c in statistics_columns()]
    assert [c.metric_code for c in report.columns] == codes
    assert report.columns[0].column_name == "诊疗人次·门诊"
    assert [(r.row_number, r.row_kind, r.person_name) for r in report.rows] == [
        (row, "person", name) for row, name in enumerate(PEOPLE, start=FIRST_PERSON_ROW)
    ]
    for row, values in zip(report.rows, PEOPLE.values(), strict=True):
        assert {v.metric_code: v.value for v in row.values} == {
            code: float(values.get(code, 0)) for code in codes
        }


def test_filled_capacity_form_reads_back_exactly(filled: dict[str, Path]) -> None:
    parsed = _read(filled["capacity"], filled["raw"])

    assert parsed.issues == []
    assert parsed.form_type == "capacity"
    (report,) = parsed.reports
    assert (report.supporting_hospital, report.recipient_hospital) == (LINXIA, HEZHENG)
    assert {(v.metric_code, v.year): v.value for v in report.capacity} == {
        (code, year): float(_capacity_value(code, value_type, year_index))
        for code, value_type in _capacity_metrics()
        for year_index, year in enumerate(CAPACITY_YEARS)
    }


def test_filled_templates_pass_check(filled: dict[str, Path]) -> None:
    checked, missing = check([filled["statistics"], filled["capacity"]], filled["raw"])
    assert missing == [] and [f.problems for f in checked] == [[], []]
    assert all(f.passed for f in checked)


def _named_list(book, name: str) -> list[str]:
    """The entries of a defined name's range (a column on the hidden sheet)."""
    (title, cells), = book.defined_names[name].destinations
    assert title == CHOICES_SHEET
    return [c.value for (c,) in book[title][cells.replace("$", "")]]


def _rules(sheet) -> dict[str, object]:
    return {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}


# Settings equal to the file format's defaults are not written out, so openpyxl reads None.
RULE_DEFAULTS = {"operator": "between", "errorStyle": "stop"}


def _setting(rule, name: str) -> str:
    return getattr(rule, name) or RULE_DEFAULTS[name]


def _assert_explained(rule) -> None:
    """Excel shows a Chinese hint on entering the cell and refuses (or warns) with a reason."""
    assert rule.showInputMessage and rule.showErrorMessage
    assert rule.promptTitle and rule.prompt and rule.errorTitle and rule.error


def test_statistics_form_validation_rules(templates: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(templates[STATISTICS_FILE])
    assert book.sheetnames == [INSTRUCTIONS_SHEET, STATISTICS_SHEET, CHOICES_SHEET]
    assert book[INSTRUCTIONS_SHEET].sheet_state == "visible"
    assert book[CHOICES_SHEET].sheet_state == "hidden"
    sheet = book[STATISTICS_SHEET]
    rules = _rules(sheet)
    first, last = programme_window()

    for start, end in ("C2", "D2"), ("F2", "G2"):
        rule = rules[f"{start}:{end}"]
        assert (rule.type, _setting(rule, "operator")) == ("date", "between")
        assert (float(rule.formula1), float(rule.formula2)) == (to_excel(first), to_excel(last))
        _assert_explained(rule)

    supporting, recipient = CHOICE_CELLS["supporting"], CHOICE_CELLS["recipient"]
    absolute = {name: f"${cell[0]}${cell[1:]}" for name, cell in CHOICE_CELLS.items()}
    formulas = {
        "supporting": SUPPORTING_RANGE,
        "recipient": f'INDIRECT("{RECIPIENTS_RANGE}"&MATCH({absolute["supporting"]},'
                     f"{SUPPORTING_RANGE},0))",
        "department": f'INDIRECT("{DEPARTMENTS_RANGE}"&MATCH({absolute["supporting"]}&"|"&'
                      f'{absolute["recipient"]},{PAIRS_RANGE},0))',
    }
    assert (supporting, recipient) == ("C3", "C4")
    for field, cell in CHOICE_CELLS.items():
        row = cell[1:]
        rule = rules[f"{cell}:G{row}"]
        assert (rule.type, rule.formula1) == ("list", formulas[field])
        assert _setting(rule, "errorStyle") == ("warning" if field == "department" else "stop")
        _assert_explained(rule)
    vocab = vocabulary()
    assert _named_list(book, SUPPORTING_RANGE) == list(dict.fromkeys(s for s, _ in vocab.pairs))

    for column, letter in zip(statistics_columns(), _column_letters().values(), strict=True):
        rule = rules[f"{letter}{FIRST_PERSON_ROW}:{letter}{LAST_PERSON_ROW}"]
        whole = column.metric.value_type == "count"
        assert (rule.type, _setting(rule, "operator"), rule.formula1) == (
            "whole" if whole else "decimal", "greaterThanOrEqual", "0")
        assert column.metric.name_zh in rule.prompt
        _assert_explained(rule)
    assert rules[f"O{FIRST_PERSON_ROW}:O{LAST_PERSON_ROW}"].type == "decimal"  # 支援经费（万元）
    assert rules[SIGN_OFF_DATE_CELL].type == "date"
    assert len(rules) == 2 + len(CHOICE_CELLS) + len(statistics_columns()) + 1

    top, sub = ([cell.value for cell in sheet[row]] for row in HEADER_ROWS)
    assert [s or t for t, s in zip(top, sub, strict=True)] == NEW_HEADER
    assert top[1] == "诊疗人次"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A6:A7", "B6:C6", "D6:D7", "O6:O7"} <= merged
    assert sheet.freeze_panes == f"B{FIRST_PERSON_ROW}"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    notes = [sheet.cell(row, 1).value for row in range(LAST_PERSON_ROW + 1, sheet.max_row + 1)]
    assert [n[:4] for n in notes if n] == ["备注：1", "2.“学", "3.“义", "填报人：", "审核人："]


def test_capacity_form_validation_rules(templates: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(templates[CAPACITY_FILE])
    assert book.sheetnames == [INSTRUCTIONS_SHEET, CAPACITY_SHEET, CHOICES_SHEET]
    sheet = book[CAPACITY_SHEET]
    rules = _rules(sheet)
    first, last = programme_window()
    years = [f"{year}年" for year in range(first.year, last.year + 1)]
    assert [c.value for c in sheet[CAPACITY_HEADER_ROW]] == ["指标", "单位", *years]

    rule = rules["B2:G2"]
    assert (rule.type, rule.formula1) == ("list", "bangfu_recipients")
    assert _named_list(book, "bangfu_recipients") == list(
        dict.fromkeys(r for _, r in vocabulary().pairs))
    _assert_explained(rule)

    expected = {
        "count": ("whole", "greaterThanOrEqual", "0", None),
        "percent": ("decimal", "between", "0", "100"),
        "index": ("decimal", "greaterThanOrEqual", "0", None),
    }
    names = {m.code: m.name_zh for m in vocabulary().metrics.values()}
    for row, (code, value_type) in enumerate(_capacity_metrics(), start=CAPACITY_HEADER_ROW + 1):
        assert sheet.cell(row, 1).value == names[code]
        rule = rules[f"C{row}:G{row}"]
        wanted = ("whole", "between", "0", "5") if code == "cap_treatment_centers" else (
            expected[value_type])
        assert (rule.type, _setting(rule, "operator"), rule.formula1, rule.formula2) == wanted
        _assert_explained(rule)
    assert sheet.freeze_panes == f"C{CAPACITY_HEADER_ROW + 1}"


def test_instructions_cover_what_submitters_must_know(templates: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(templates[STATISTICS_FILE])
    text = "\n".join(str(c.value) for c in book[INSTRUCTIONS_SHEET]["A"] if c.value)
    for point in ("每位下派人员填一行", "不带单位", "没有的填 0", "统计周期", "退回", "签到表",
                  "“支援经费（万元）”只能填写 0 或正数"):
        assert point in text


def test_two_writes_are_byte_identical(tmp_path: Path) -> None:
    first = write_templates(tmp_path / "a")
    second = write_templates(tmp_path / "b")
    assert [p.name for p in first] == [STATISTICS_FILE, CAPACITY_FILE]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_blank_statistics_template_asks_for_hospitals_and_period(
        templates: dict[str, Path]) -> None:
    path = templates[STATISTICS_FILE]
    parsed = read_form(path.read_bytes(), path.name)

    assert parsed.reports == []
    errors = {issue.code: issue for issue in parsed.issues if issue.severity == "error"}
    assert list(errors) == ["unknown_hospital", "period_missing"]
    assert "“支援单位”“受援单位”栏填写医院全称" in errors["unknown_hospital"].message
    assert errors["period_missing"].message.startswith("未填写统计周期")
    assert "请在“统计周期（起止时间）”一行填写起止日期" in errors["period_missing"].message


def test_blank_capacity_template_asks_for_the_recipient(templates: dict[str, Path]) -> None:
    path = templates[CAPACITY_FILE]
    parsed = read_form(path.read_bytes(), path.name)

    assert parsed.reports == []
    errors = [issue.code for issue in parsed.issues if issue.severity == "error"]
    assert errors == ["unknown_hospital"]


def _pick(book, name: str, match: str) -> list[str]:
    """What Excel shows in a dependent dropdown: INDIRECT(name & MATCH(match, list, 0))."""
    supporting_list = SUPPORTING_RANGE if name == RECIPIENTS_RANGE else PAIRS_RANGE
    position = _named_list(book, supporting_list).index(match) + 1
    return _named_list(book, f"{name}{position}")


def test_a_template_for_one_pair_cannot_be_filled_wrong_and_reads_back_exactly(
        tmp_path: Path) -> None:
    from pipelines.cli import main

    assert main(["template", str(tmp_path / "t"), "--pair", "临夏州人民医院/和政县医院"]) == 0
    (statistics,) = (tmp_path / "t").glob("对口支援*.xlsx")
    assert statistics.name == f"对口支援、医联体工作统计表_{LINXIA}_{HEZHENG}.xlsx"
    book = openpyxl.load_workbook(statistics)
    sheet = book[STATISTICS_SHEET]
    assert (sheet[CHOICE_CELLS["supporting"]].value, sheet[CHOICE_CELLS["recipient"]].value) == (
        LINXIA, HEZHENG)

    # The dependent lists: the chosen supporting hospital's recipients only, the chosen
    # pair's departments only (绍兴 → 和政 cannot be picked; 绍兴's departments are not offered).
    vocab = vocabulary()
    assert _pick(book, RECIPIENTS_RANGE, LINXIA) == [HEZHENG]
    shaoxing = next(s for s, _ in vocab.pairs if s != LINXIA)
    assert HEZHENG not in _pick(book, RECIPIENTS_RANGE, shaoxing)
    departments = _pick(book, DEPARTMENTS_RANGE, f"{LINXIA}|{HEZHENG}")
    assert departments == pair_departments()[(LINXIA, HEZHENG)]
    assert DEPARTMENT in departments and len(departments) < len(set(vocab.departments.values()))
    other = next(names for pair, names in pair_departments().items() if pair[0] == shaoxing)
    assert set(other) - set(departments)  # the other pair's own departments are not offered

    # Protected, except where a submitter types.
    assert sheet.protection.sheet and sheet.protection.insertRows is False  # allowed
    inputs = [*PERIOD_CELLS, *CHOICE_CELLS.values(), *SIGN_OFF_CELLS.values(),
              f"A{FIRST_PERSON_ROW}", f"O{LAST_PERSON_ROW}"]
    assert [c for c in inputs if sheet[c].protection.locked] == []
    fixed = ["A1", "A2", "A3", "B6", "B7", "A6", f"A{LAST_PERSON_ROW + 2}", "A43", "E43"]
    assert [c for c in fixed if not sheet[c].protection.locked] == []

    sheet[PERIOD_CELLS[0]], sheet[PERIOD_CELLS[1]] = PERIOD
    sheet[CHOICE_CELLS["department"]] = DEPARTMENT
    letters = _column_letters()
    for row, (name, values) in enumerate(PEOPLE.items(), start=FIRST_PERSON_ROW):
        sheet[f"A{row}"] = name
        for code, value in values.items():
            sheet[f"{letters[code]}{row}"] = value
    signed = {"填报人": "马丽", "联系电话": "13909301234", "审核人": "王主任",
              "填报日期": dt.date(2022, 4, 5)}
    for field, value in signed.items():
        sheet[SIGN_OFF_CELLS[field]] = value
    filled = tmp_path / "raw" / statistics.name
    filled.parent.mkdir()
    book.save(filled)

    parsed = _read(filled, filled.parent)
    assert parsed.issues == []
    (report,) = parsed.reports
    assert (report.supporting_hospital, report.recipient_hospital, report.department) == (
        LINXIA, HEZHENG, DEPARTMENT)
    assert (report.period_start, report.period_end) == PERIOD
    codes = [c.metric.code for c in statistics_columns()]
    assert [r.person_name for r in report.rows] == list(PEOPLE)
    for row, values in zip(report.rows, PEOPLE.values(), strict=True):
        assert {v.metric_code: v.value for v in row.values} == {
            code: float(values.get(code, 0)) for code in codes}

    capacity = openpyxl.load_workbook(tmp_path / "t" / f"受援医院能力指标_{HEZHENG}.xlsx")
    assert capacity[CAPACITY_SHEET][CAPACITY_RECIPIENT_CELL].value == HEZHENG
    assert capacity[CAPACITY_SHEET].protection.sheet
