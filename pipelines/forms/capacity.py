"""Capacity-indicator workbooks, reported once a year by the recipient hospital: an
indicator × year table, or one sheet (or file) per year with an indicator and a value column."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from pipelines.forms.model import CapacityValue
from pipelines.forms.periods import years_in
from pipelines.forms.text import a1, cell_text, fold
from pipelines.forms.values import parse_number
from pipelines.forms.vocabulary import Vocabulary
from pipelines.forms.workbook import Sheet
from pipelines.issues import Issue

_YEAR_CELL = re.compile(r"((?:19|20)\d{2})(?:\.0)?(?:年度?|年)?")
_BARE_NUMBER = re.compile(r"[+-]?[\d,.]+")
MIN_INDICATORS = 3


@dataclass(frozen=True)
class CapacityTable:
    indicator_column: int
    first_row: int  # 0-based row of the first indicator
    year_columns: dict[int, int]  # column -> year
    unit_column: int | None = None  # the unit of each indicator (万人次), when the table has one


def _is_capacity(text: str, vocab: Vocabulary) -> bool:
    return vocab.metric_kind(vocab.field_of(text) or "") == "capacity"


def _header_year(cell: object) -> int | None:
    """`2019`, `2019年`, `2019年度`, or a date on 1 January: typing 2019年 into a cell can make
    Excel store the date 2019-01-01 and show it with a yyyy"年" format."""
    if isinstance(cell, dt.date):
        return cell.year if (cell.month, cell.day) == (1, 1) and 1900 <= cell.year < 2100 else None
    m = _YEAR_CELL.fullmatch(fold(cell_text(cell)))
    return int(m.group(1)) if m else None


def _unit_column(sheet: Sheet, column: int, first_row: int, value_columns: list[int],
                 vocab: Vocabulary) -> int | None:
    """The column between the indicators and the values that gives each indicator's unit:
    headed 单位, or holding nothing but unit words beside the indicators."""
    for c in range(column + 1, min(value_columns)):
        if any(vocab.is_unit_header(cell_text(sheet.cell(r, c))) for r in range(first_row)):
            return c
        units = [
            text for r in range(first_row, len(sheet.rows))
            if _is_capacity(cell_text(sheet.cell(r, column)), vocab)
            and (text := cell_text(sheet.cell(r, c)).strip())
        ]
        if units and all(vocab.is_unit(u) for u in units):
            return c
    return None


def locate_capacity_table(sheet: Sheet, sheet_year: int | None,
                          vocab: Vocabulary) -> CapacityTable | None:
    """The column that names at least three capacity indicators, the year of each value
    column (from a header row of years, or else the sheet's own year for the first column
    of numbers to the right of the indicators) and the unit column between them, if any."""
    width = max((len(r) for r in sheet.rows), default=0)
    counts = [
        sum(_is_capacity(cell_text(sheet.cell(r, c)), vocab) for r in range(len(sheet.rows)))
        for c in range(width)
    ]
    if not counts or max(counts) < MIN_INDICATORS:
        return None
    column = counts.index(max(counts))
    first_row = next(
        r for r in range(len(sheet.rows)) if _is_capacity(cell_text(sheet.cell(r, column)), vocab)
    )
    best: dict[int, int] = {}
    for r in range(first_row):
        years = {}
        for c in range(column + 1, width):
            if year := _header_year(sheet.cell(r, c)):
                years[c] = year
        if len(years) > len(best):
            best = years
    if not best and sheet_year is not None:
        for c in range(column + 1, width):
            cells = [sheet.cell(r, c) for r in range(first_row, len(sheet.rows))]
            if any(parse_number(v, vocab) not in (None, 0.0) for v in cells if v != ""):
                best = {c: sheet_year}
                break
    if not best:
        return None
    unit_column = _unit_column(sheet, column, first_row, list(best), vocab)
    return CapacityTable(column, first_row, best, unit_column)


def sheet_year(sheet: Sheet, texts: list[str], file_stem: str) -> int | None:
    """The year a one-year capacity sheet reports: the one year its name, else its title,
    else its file name mentions. The first of these that mentions years decides: when it
    names several (`2018-2022年能力指标`), none of them is the year of a single value column,
    and the sheet has no year."""
    for text in (sheet.name or "", *texts, file_stem):
        if years := set(years_in(text)):
            return years.pop() if len(years) == 1 else None
    return None


def read_capacity_values(sheet: Sheet, table: CapacityTable,
                         vocab: Vocabulary) -> tuple[list[CapacityValue], list[Issue]]:
    """One value per (indicator, year). A blank cell is not reported (a year not yet
    counted); `—`, `无` and 0 are zero; `85.3%` is 85.3.

    A percent indicator holding a number 0 < v <= 1 holds a fraction: Excel stores a cell
    typed as 85.3% as 0.853 (the percent is only its format, which the file reader does not
    see), and a share of 1% or less is not plausible for these indicators; so 0.853 is 85.3,
    as the next year's `85.3%` typed as text is. In a table with a unit column, a count
    written as a bare number in a row whose unit has 万 (`万人次`) is in ten thousands; a cell
    that carries its own unit (`12.5万`) is parsed as written."""
    values: list[CapacityValue] = []
    issues: list[Issue] = []
    for r in range(table.first_row, len(sheet.rows)):
        indicator = cell_text(sheet.cell(r, table.indicator_column)).strip()
        if not indicator:
            continue
        field = vocab.field_of(indicator)
        if vocab.metric_kind(field or "") != "capacity":
            if any(cell_text(sheet.cell(r, c)).strip() for c in table.year_columns):
                issues.append(Issue(
                    "unknown_indicator", sheet=sheet.name, row_number=r + 1,
                    cell=a1(r, table.indicator_column), value_found=indicator,
                ))
            continue
        value_type = vocab.metrics[field].value_type
        unit = "" if table.unit_column is None else cell_text(sheet.cell(r, table.unit_column))
        for c, year in table.year_columns.items():
            raw = sheet.cell(r, c)
            text = cell_text(raw).strip()
            if not text:
                continue
            value = parse_number(raw, vocab)
            # parse_number gives None for TRUE/FALSE, so a number here is a real number cell.
            if value is not None:
                if value_type == "percent" and isinstance(raw, (int, float)) and 0 < value <= 1:
                    value = _scaled(value, 100)
                elif (value_type == "count" and "万" in unit
                      and _BARE_NUMBER.fullmatch(fold(text))):
                    value = _scaled(value, 10000)
            values.append(CapacityValue(
                row_number=r + 1, cell=a1(r, c), metric_code=field, indicator_name=indicator,
                year=year, raw_text=cell_text(raw), value=value,
            ))
    return values, issues


def _scaled(value: float, factor: int) -> float:
    """`value * factor` on the number as written, so that 0.253 becomes 25.3, not
    25.299999999999997."""
    return float(Decimal(repr(value)) * factor)
