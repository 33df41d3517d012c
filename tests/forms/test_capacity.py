"""Capacity workbooks as Excel stores them: percents kept as fractions behind a percent format,
counts in ten thousands by a unit column, year headers stored as dates, titles naming a range
of years."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from pipelines.forms.reader import read_form


def write_book(path: Path, rows: list[list[object]]) -> Path:
    """One sheet; a cell given as (value, number_format) is written with that format, as Excel
    does when a submitter types 25.3% or 2019年."""
    book = openpyxl.Workbook()
    ws = book.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, tuple):
                value, number_format = value
                ws.cell(r, c, value).number_format = number_format
            elif value != "":
                ws.cell(r, c, value)
    book.save(path)
    return path


def read(path: Path, raw: Path):
    return read_form(path.read_bytes(), path.relative_to(raw).as_posix())


def values(report) -> list[tuple[str, int, str, str, float | None]]:
    return [(v.metric_code, v.year, v.cell, v.raw_text, v.value) for v in report.capacity]


def test_percent_formatted_fractions_are_percents(tmp_path: Path) -> None:
    path = write_book(tmp_path / "务川县中医院能力指标.xlsx", [
        ["务川县中医院能力指标"],
        ["指标", "2019年", "2020年", "2021年"],
        ["三、四级手术占比", (0.253, "0.0%"), (0.271, "0.0%"), "31.2%"],
        ["县域内住院量占比", (0.85, "0%"), 0, "0.86"],
        ["病例组合指数（CMI）", 0.71, 0.75, 0.8],
        ["实际开放床位数", 1, 200, 210],
    ])
    parsed = read(path, tmp_path)
    assert [i.code for i in parsed.issues] == []
    (report,) = parsed.reports
    assert values(report) == [
        ("cap_grade34_surgery_pct", 2019, "B3", "0.253", 25.3),
        ("cap_grade34_surgery_pct", 2020, "C3", "0.271", 27.1),
        ("cap_grade34_surgery_pct", 2021, "D3", "31.2%", 31.2),
        ("cap_county_inpatient_share_pct", 2019, "B4", "0.85", 85.0),
        ("cap_county_inpatient_share_pct", 2020, "C4", "0", 0.0),
        # Text is as typed: only a number cell can be a fraction behind a percent format.
        ("cap_county_inpatient_share_pct", 2021, "D4", "0.86", 0.86),
        ("cap_cmi", 2019, "B5", "0.71", 0.71),
        ("cap_cmi", 2020, "C5", "0.75", 0.75),
        ("cap_cmi", 2021, "D5", "0.8", 0.8),
        ("cap_open_beds", 2019, "B6", "1", 1.0),
        ("cap_open_beds", 2020, "C6", "200", 200.0),
        ("cap_open_beds", 2021, "D6", "210", 210.0),
    ]


def test_unit_column_in_ten_thousands(tmp_path: Path) -> None:
    path = write_book(tmp_path / "和政县人民医院能力指标.xlsx", [
        ["和政县人民医院能力指标"],
        ["指标", "单位", "2018年", "2019年"],
        ["门急诊人次", "万人次", 12.5, "13.1"],
        ["下转患者人次", "万人次", "3200人次", 0.35],
        ["出院人次", "人次", 5000, 5200],
        ["三、四级手术占比", "%", 30.5, 31],
        ["病例组合指数（CMI）", "", 0.7, 0.72],
    ])
    parsed = read(path, tmp_path)
    assert [i.code for i in parsed.issues] == []
    (report,) = parsed.reports
    assert values(report) == [
        ("cap_outpatient_emergency_visits", 2018, "C3", "12.5", 125000.0),
        ("cap_outpatient_emergency_visits", 2019, "D3", "13.1", 131000.0),
        # The unit written in the cell is the one it counts in.
        ("cap_referrals_down", 2018, "C4", "3200人次", 3200.0),
        ("cap_referrals_down", 2019, "D4", "0.35", 3500.0),
        ("cap_discharges", 2018, "C5", "5000", 5000.0),
        ("cap_discharges", 2019, "D5", "5200", 5200.0),
        ("cap_grade34_surgery_pct", 2018, "C6", "30.5", 30.5),
        ("cap_grade34_surgery_pct", 2019, "D6", "31", 31.0),
        ("cap_cmi", 2018, "C7", "0.7", 0.7),
        ("cap_cmi", 2019, "D7", "0.72", 0.72),
    ]


def test_unit_column_without_header_in_one_year_sheet(tmp_path: Path) -> None:
    path = write_book(tmp_path / "和政县人民医院2021年能力指标.xlsx", [
        ["和政县人民医院2021年能力指标"],
        ["指标", "", "数值"],
        ["门急诊人次", "（万人次）", 12.5],
        ["出院人次", "人次", 5000],
        ["实际开放床位数", "张", 200],
    ])
    parsed = read(path, tmp_path)
    assert [i.code for i in parsed.issues] == []
    (report,) = parsed.reports
    assert values(report) == [
        ("cap_outpatient_emergency_visits", 2021, "C3", "12.5", 125000.0),
        ("cap_discharges", 2021, "C4", "5000", 5000.0),
        ("cap_open_beds", 2021, "C5", "200", 200.0),
    ]


def test_year_headers_stored_as_dates(tmp_path: Path) -> None:
    years = [(dt.datetime(y, 1, 1), 'yyyy"年"') for y in (2018, 2019, 2020)]
    path = write_book(tmp_path / "和政县人民医院能力指标.xlsx", [
        ["和政县人民医院能力指标"],
        ["指标", *years],
        ["门急诊人次", 100000, 110000, 120000],
        ["出院人次", 5000, 5200, 5400],
        ["实际开放床位数", 200, 210, 220],
    ])
    parsed = read(path, tmp_path)
    assert [i.code for i in parsed.issues] == []
    (report,) = parsed.reports
    assert (report.period_start, report.period_end) == (dt.date(2018, 1, 1), dt.date(2020, 12, 31))
    assert [(v.year, v.cell, v.value) for v in report.capacity
            if v.metric_code == "cap_open_beds"] == [
        (2018, "B5", 200.0), (2019, "C5", 210.0), (2020, "D5", 220.0)]
    assert len(report.capacity) == 9


def test_title_naming_a_range_of_years_gives_no_year(tmp_path: Path) -> None:
    path = write_book(tmp_path / "能力指标.xlsx", [
        ["和政县人民医院2018-2022年能力指标"],
        ["指标", "数值"],
        ["门急诊人次", 100000],
        ["出院人次", 5000],
        ["实际开放床位数", 200],
    ])
    parsed = read(path, tmp_path)
    assert parsed.reports == []
    assert [i.code for i in parsed.issues] == ["no_header"]
