"""Opening submitted files: what kind of file is it really, and what does each sheet hold.

A file is judged by its bytes, not its name: WPS saves .xls files that are really .xlsx, and
people rename .csv files to .xls. Every sheet comes out as a plain grid (a list of rows of
cell values, '' for an empty cell) with its merged ranges, whatever the format was.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import msoffcrypto
import openpyxl
import polars as pl
import python_calamine
import xlrd

from pipelines.issues import Issue

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}
_FOREIGN_MAGIC = {
    b"%PDF": "PDF 文档",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"Rar!": "RAR 压缩包",
    b"7z\xbc\xaf": "7z 压缩包",
    b"{\\rtf": "RTF 文档",
}
# Polars reports a malformed CSV as a PolarsError, and some inputs make its Rust code panic.
_CSV_ERRORS = (pl.exceptions.PolarsError, pl.exceptions.PanicException)


@dataclass(frozen=True)
class Sheet:
    name: str | None  # None for CSV, which has no sheets
    index: int
    rows: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden_rows: frozenset[int] = frozenset()  # 0-based
    hidden: bool = False  # the sheet itself is hidden

    def cell(self, row: int, column: int) -> object:
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return ""


class FileRejected(Exception):
    """The file as a whole cannot be read; carries the issue that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.code)
        self.issue = issue


def _reject(code: str, detail: str = "") -> FileRejected:
    return FileRejected(Issue(code, detail=detail))


def sniff(content: bytes, suffix: str) -> str:
    """`workbook` (anything calamine opens), `csv`, or raise FileRejected."""
    if not content.strip():
        raise _reject("empty_file", "文件大小为 0" if not content else "文件只有空白")
    if content.startswith(OLE_MAGIC):
        return _sniff_ole(content)
    if content.startswith(ZIP_MAGIC):
        return _sniff_zip(content)
    for magic, kind in _FOREIGN_MAGIC.items():
        if content.startswith(magic):
            raise _reject("unsupported_format", kind)
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        # Systems that "export to Excel" often write an HTML table or XML under .xls.
        raise _reject("unsupported_format",
                      "网页（HTML）或 XML 格式，只是扩展名为表格；请用 Excel 打开后另存为 .xlsx")
    if b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _reject("unsupported_format", f"无法识别的二进制文件（{suffix or '无扩展名'}）")
    if suffix.lower() in TEXT_EXTENSIONS or suffix.lower() in {".xls", ".xlsx"}:
        # Text under a spreadsheet name is a CSV that was renamed; read it as one.
        return "csv"
    raise _reject("unsupported_format", f"{suffix or '无扩展名'} 文件")


def _sniff_ole(content: bytes) -> str:
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(content))
        encrypted = office.is_encrypted()
    except Exception as exc:  # msoffcrypto raises bare Exceptions for non-Office OLE files
        kind = type(exc).__name__
        if "Unrecognized" in str(exc) or "unsupported" in str(exc).lower():
            raise _reject("unsupported_format", "不是 Excel 工作簿的 OLE 文件") from exc
        raise _reject("unreadable_file", f"文件结构损坏：{kind}") from exc
    if encrypted:
        raise _reject("encrypted_file")
    if type(office).__name__ not in {"Xls97File"}:
        raise _reject("unsupported_format", "Word/PowerPoint 等非表格文件")
    return "workbook"


def _sniff_zip(content: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    except zipfile.BadZipFile as exc:
        raise _reject("unreadable_file", "文件不完整或已损坏（压缩结构无效）") from exc
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names or "content.xml" in names:
        return "workbook"
    if any(n.startswith("word/") for n in names):
        raise _reject("unsupported_format", "Word 文档")
    if any(n.startswith("ppt/") for n in names):
        raise _reject("unsupported_format", "PowerPoint 文档")
    raise _reject("unsupported_format", "ZIP 压缩包")


def read_sheets(path: Path, content: bytes) -> list[Sheet]:
    """The worksheets of a file, as grids, hidden ones marked (templates keep their
    drop-down lists there, and people hide last month's sheet rather than delete it), with
    the rows that are hidden."""
    kind = sniff(content, path.suffix)
    if kind == "csv":
        return [_read_csv(content)]
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        hidden_rows = _hidden_rows(content)
        sheets = []
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_index(index)
            rows = sheet.to_python(skip_empty_area=False)
            sheets.append(Sheet(meta.name, index, rows, list(sheet.merged_cell_ranges or []),
                                hidden_rows.get(meta.name, frozenset()),
                                meta.visible != python_calamine.SheetVisibleEnum.Visible))
        return sheets
    except FileRejected:
        raise
    except Exception as exc:  # calamine reports every kind of damage as its own error type
        raise _reject("unreadable_file", f"文件内容损坏：{type(exc).__name__}") from exc


# A row element of an .xlsx worksheet marked hidden; most files have none, so the workbook is
# opened a second time (by openpyxl, which reads row properties) only when one is there.
_HIDDEN_XLSX_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*\bhidden=\"(?:1|true)\"")


def _hidden_rows(content: bytes) -> dict[str, frozenset[int]]:
    """Sheet name → the 0-based rows hidden in it. calamine does not say which rows are
    hidden: openpyxl does for .xlsx (only opened when a worksheet has a hidden row), xlrd for
    .xls. Other kinds (.xlsb, .ods) report none."""
    if content.startswith(ZIP_MAGIC):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if not any(_HIDDEN_XLSX_ROW.search(archive.read(name)) for name in archive.namelist()
                       if name.startswith("xl/worksheets/") and name.endswith(".xml")):
                return {}
        book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        return {ws.title: frozenset(r - 1 for r, d in ws.row_dimensions.items() if d.hidden)
                for ws in book.worksheets}
    if content.startswith(OLE_MAGIC):
        book = xlrd.open_workbook(file_contents=content, formatting_info=True, on_demand=True)
        return {book.sheet_by_index(i).name: frozenset(
            r for r, info in book.sheet_by_index(i).rowinfo_map.items() if info.hidden)
            for i in range(book.nsheets)}
    return {}


def decode_text(content: bytes) -> str:
    """CSV text in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _reject("unreadable_file", "文本编码无法识别（应为 UTF-8 或 GBK）") from exc


def _read_csv(content: bytes) -> Sheet:
    text = decode_text(content).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    sample = "\n".join(lines[:30])
    delimiter = max((",", "\t", ";"), key=sample.count)
    # Title and period lines have one field, the table many: polars sizes a headerless frame
    # by its first line, so give it a synthetic header as wide as the widest line.
    width = max(line.count(delimiter) for line in lines) + 1
    header = delimiter.join(f"c{i}" for i in range(width))
    data = f"{header}\n{text}".encode()
    try:
        frame = _parse_csv(data, delimiter, '"')
    except _CSV_ERRORS:
        # A lone quote inside a field (备注：见"附件) opens a quoted field that never closes;
        # read every quote as text instead.
        try:
            frame = _parse_csv(data, delimiter, None)
        except _CSV_ERRORS as exc:
            raise _reject("unreadable_file", "CSV 内容无法分列，请检查引号和分隔符") from exc
    rows = [["" if v is None else v for v in row] for row in frame.iter_rows()]
    return Sheet(None, 0, rows)


def _parse_csv(data: bytes, delimiter: str, quote_char: str | None) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(data),
        separator=delimiter,
        quote_char=quote_char,
        infer_schema=False,
        truncate_ragged_lines=True,
    )
