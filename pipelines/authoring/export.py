"""`bangfu export`: every mart of the published warehouse for analysts to take with them — one
Excel workbook (a sheet per mart, Chinese headers, a 说明 sheet describing every column) and a
Parquet file per mart.

What each column is comes from the dbt docs of the marts (models/marts/marts.yml): its Chinese
label (`config.meta.label_zh`) and its description. A column the docs do not label keeps its
name as its header, and the 说明 sheet says so.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter
import yaml

from pipelines.settings import DBT_PROJECT_DIR
from pipelines.warehouse.location import WarehouseLocation, as_location
from pipelines.warehouse.reading import MartReader, open_published

MARTS_DOCS = DBT_PROJECT_DIR / "models" / "marts" / "marts.yml"
WORKBOOK_NAME = "bangfu_marts.xlsx"
GUIDE_SHEET = "说明"
# Excel's limit on a sheet's rows, header included.
MAX_SHEET_ROWS = 1_048_576


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    label: str
    description: str
    data_type: str


@dataclass(frozen=True)
class MartDoc:
    name: str
    description: str
    columns: tuple[ColumnDoc, ...]


@dataclass(frozen=True)
class Export:
    workbook: Path
    parquet: tuple[Path, ...]
    rows: dict[str, int]


def mart_docs(docs: Path = MARTS_DOCS) -> dict[str, dict]:
    """The marts' documentation as dbt reads it, by model name."""
    models = yaml.safe_load(docs.read_text(encoding="utf-8")).get("models", [])
    return {model["name"]: model for model in models}


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def _described(name: str, model: dict, types: list[tuple[str, str]]) -> MartDoc:
    documented = {column["name"]: column for column in model.get("columns", [])}
    columns = []
    for column, data_type in types:
        doc = documented.get(column, {})
        label = ((doc.get("config") or {}).get("meta") or {}).get("label_zh") or column
        description = _text(doc.get("description")) or "（数据模型文档中没有说明）"
        columns.append(ColumnDoc(column, label, description, data_type))
    return MartDoc(name, _text(model.get("description")), tuple(columns))


def export_marts(warehouse: WarehouseLocation | Path | str, out: Path,
                 docs: Path = MARTS_DOCS) -> Export:
    """Write every documented mart present in `warehouse` (opened read-only: a DuckDB file
    or a PostgreSQL URL) to `out`."""
    models = mart_docs(docs)
    location = as_location(warehouse)
    out.mkdir(parents=True, exist_ok=True)
    with open_published(location) as reader:
        present = reader.tables()
        marts = [_described(name, models[name], reader.columns(name))
                 for name in models if name in present]
        if not marts:
            raise ValueError(f"{location.describe()} holds none of the marts of {docs}")
        parquet, rows = [], {}
        workbook_path = out / WORKBOOK_NAME
        workbook = xlsxwriter.Workbook(
            str(workbook_path), {"constant_memory": True, "strings_to_formulas": False,
                                 "strings_to_urls": False})
        formats = _formats(workbook)
        _write_guide(workbook.add_worksheet(GUIDE_SHEET), marts, formats)
        for mart in marts:
            target = out / f"{mart.name}.parquet"
            result = _sorted_rows(reader, mart.name, target)
            parquet.append(target)
            rows[mart.name] = _write_sheet(workbook.add_worksheet(mart.name), mart, result,
                                           formats)
        workbook.close()
    return Export(workbook_path, tuple(parquet), rows)


def _sorted_rows(reader: MartReader, name: str, parquet: Path):
    """Write the mart, its rows in order of all its columns, to `parquet`; its rows in that
    order, to be fetched in batches (DuckDB streams them; a server's mart is read whole)."""
    if reader.is_server:
        frame = reader.frame(name)
        frame = frame.sort(frame.columns, nulls_last=True) if frame.columns else frame
        frame.write_parquet(parquet)
        return _FrameRows(frame)
    relation = f'main."{name}"'
    quoted = str(parquet).replace("'", "''")
    reader.connection.execute(
        f"copy (select * from {relation} order by all) to '{quoted}' (format parquet)")
    return reader.connection.execute(f"select * from {relation} order by all")


class _FrameRows:
    """A polars frame's rows, fetched as a DB-API cursor's."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._rows = frame.iter_rows()

    def fetchmany(self, size: int) -> list[tuple]:
        return list(itertools.islice(self._rows, size))


def _formats(workbook: xlsxwriter.Workbook) -> dict:
    return {
        "header": workbook.add_format({"bold": True, "bg_color": "#F3F4F6", "border": 1,
                                       "text_wrap": True, "valign": "top"}),
        "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }


def _write_guide(sheet, marts: list[MartDoc], formats: dict) -> None:
    """A row per column of every mart: where it is, its header, its type, what it means."""
    sheet.write_string(0, 0, "对口帮扶数据仓库：各表字段说明（来自数据模型文档）", formats["title"])
    header = ("工作表（表名）", "列标题", "字段名", "数据类型", "说明")
    for column, (title, width) in enumerate(zip(header, (28, 24, 24, 12, 90), strict=True)):
        sheet.set_column(column, column, width)
        sheet.write_string(2, column, title, formats["header"])
    row = 3
    for mart in marts:
        sheet.write_string(row, 0, mart.name, formats["text"])
        sheet.write_string(row, 1, "（整张表）", formats["text"])
        sheet.write_string(row, 4, mart.description, formats["text"])
        row += 1
        for column in mart.columns:
            for position, text in enumerate(
                    (mart.name, column.label, column.name, column.data_type, column.description)):
                sheet.write_string(row, position, text, formats["text"])
            row += 1
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, row - 1, len(header) - 1)


def _write_sheet(sheet, mart: MartDoc, result, formats: dict) -> int:
    """The mart's rows under its Chinese headers; numbers, dates and flags keep their types;
    NULL is an empty cell. Returns the rows written."""
    for column, doc in enumerate(mart.columns):
        sheet.write_string(0, column, doc.label, formats["header"])
        sheet.set_column(column, column, max(10, min(40, len(doc.label) * 2 + 2)))
    written = 0
    while batch := result.fetchmany(10_000):
        for values in batch:
            written += 1
            if written >= MAX_SHEET_ROWS:
                raise ValueError(f"{mart.name} has more rows than an Excel sheet holds; "
                                 "use its Parquet file")
            for column, value in enumerate(values):
                _write_value(sheet, written, column, value, formats)
    sheet.freeze_panes(1, 0)
    if mart.columns:
        sheet.autofilter(0, 0, max(written, 1), len(mart.columns) - 1)
    return written


def _write_value(sheet, row: int, column: int, value: object, formats: dict) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float | Decimal):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            sheet.write_string(row, column, str(value))  # NaN and infinities are no numbers
        else:
            sheet.write_number(row, column, number)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, value.replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, date):
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day),
                             formats["date"])
    else:
        sheet.write_string(row, column, str(value))
