"""Capacity-indicator workbooks, reported once a year by the recipient hospital: an
indicator × year table, or one sheet (or file) per year with an indicator and a value column."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.forms.model import CapacityValue
from pipelines.forms.periods import find_year
from pipelines.forms.text import a1, cell_text, fold
from pipelines.forms.values import parse_number
from pipelines.forms.vocabulary import Vocabulary
from pipelines.forms.workbook import Sheet
from pipelines.issues import Issue

_YEAR_CELL = re.compile(r"((?:19|20)\d{2})(?:\.0)?(?:年度?|年)?")
MIN_INDICATORS = 3


@dataclass(frozen=True)
class CapacityTable:
    indicator_column: int
    first_row: int  # 0-based row of the first indicator
    year_columns: dict[int, int]  # column -> year


def _is_capacity(text: str, vocab: Vocabulary) -> bool:
    return vocab.metric_kind(vocab.field_of(text) or "") == "capacity"


def locate_capacity_table(sheet: Sheet, sheet_year: int | None,
                          vocab: Vocabulary) -> CapacityTable | None:
    """The column that names at least three capacity indicators, and the year of each value
    column: from a header row of years, or else the sheet's own year for the first column
    of numbers to the right of the indicators."""
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
            if m := _YEAR_CELL.fullmatch(fold(cell_text(sheet.cell(r, c)))):
                years[c] = int(m.group(1))
        if len(years) > len(best):
            best = years
    if best:
        return CapacityTable(column, first_row, best)
    if sheet_year is None:
        return None
    for c in range(column + 1, width):
        cells = [sheet.cell(r, c) for r in range(first_row, len(sheet.rows))]
        if any(parse_number(v, vocab) not in (None, 0.0) for v in cells if v != ""):
            return CapacityTable(column, first_row, {c: sheet_year})
    return None


def sheet_year(sheet: Sheet, texts: list[str], file_stem: str) -> int | None:
    """The year a one-year capacity sheet reports: its name, its title, its file name."""
    for text in (sheet.name or "", *texts, file_stem):
        if year := find_year(text):
            return year
    return None


def read_capacity_values(sheet: Sheet, table: CapacityTable,
                         vocab: Vocabulary) -> tuple[list[CapacityValue], list[Issue]]:
    """One value per (indicator, year). A blank cell is not reported (a year not yet
    counted); `—`, `无` and 0 are zero; `85.3%` is 85.3."""
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
        for c, year in table.year_columns.items():
            raw = sheet.cell(r, c)
            text = cell_text(raw).strip()
            if not text:
                continue
            values.append(CapacityValue(
                row_number=r + 1, cell=a1(r, c), metric_code=field, indicator_name=indicator,
                year=year, raw_text=cell_text(raw), value=parse_number(raw, vocab),
            ))
    return values, issues
