"""`bangfu registry init`: the registry in force written as the operator's workbook, every
sheet with its row-1 headers (each commented with what to write), dates as dates, the
cadence column a dropdown. Reading it back gives the same registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipelines.registry import sheets as spec
from pipelines.registry.load import Registry

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WORDS_OF_CADENCE = {cadence: word for word, cadence in spec.CADENCES.items()}
# Rows a dropdown covers below the header: room for a province's departments.
_VALIDATED_ROWS = 5000


def _written(column: spec.Column, value: Any) -> Any:
    """A value as the operator reads and writes it in the workbook."""
    if value is None:
        return None
    if column.kind == spec.CADENCE:
        return _WORDS_OF_CADENCE[value]
    if column.kind == spec.MONTHS:
        return "、".join(value.split("|"))
    if column.kind == spec.NUMBER and float(value).is_integer():
        return int(value)
    return value


def _width(text: str) -> int:
    """Excel's column width for a text: a CJK character is two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text) + 2


def write_registry(registry: Registry, path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for sheet in spec.SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append([column.header for column in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=index)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            note = column.note + ("（必填）" if column.required else "")
            if note:
                cell.comment = Comment(note, "bangfu")
            ws.column_dimensions[get_column_letter(index)].width = min(60, max(
                10, _width(column.header) + 4,
                *(_width(str(_written(column, row[column.name]) or ""))
                  for row in registry.table(sheet))))
            if column.kind in (spec.CADENCE, spec.COMPARATOR):
                choices = (spec.CADENCES if column.kind == spec.CADENCE else spec.COMPARATORS)
                validation = DataValidation(type="list", formula1=f'"{",".join(choices)}"',
                                            allow_blank=not column.required)
                validation.add(f"{get_column_letter(index)}2:"
                               f"{get_column_letter(index)}{_VALIDATED_ROWS}")
                ws.add_data_validation(validation)
        for row in registry.table(sheet):
            ws.append([_written(column, row[column.name]) for column in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            if column.kind == spec.DATE:
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    if isinstance(cell.value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
        # Printed across the page's width, landscape (the 工作计划 sheet is wide).
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    book.save(partial)
    partial.replace(path)
