"""Opening submitted files: what kind of file is it really, and what does each sheet hold.

A file is judged by its bytes, not its name: WPS saves .xls files that are really .xlsx, and
people rename .csv files to .xls. Every sheet comes out as a plain grid (a list of rows of
cell values, '' for an empty cell) with its merged ranges, whatever the format was.

Opening is bounded (settings.ReadLimits): a workbook's zip directory is inspected before
anything is inflated, a sheet's rows are counted before its cells become Python objects, and
a cell's text is capped. What the file holds but bangfu does not evaluate is reported, never
guessed: formulas saved without their result, macros, links to other workbooks.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msoffcrypto
import polars as pl
import python_calamine
import xlrd

from pipelines.forms.text import a1, cell_text
from pipelines.issues import Issue
from pipelines.settings import ReadLimits

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
TRUNCATION_MARK = "…[已截断]"
_MB = 1 << 20
# A formula cell of a sheet's XML, and its saved result (an empty <v/> is no result).
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?<!/)>((?:(?!</c>|<c[ >]).)*?)</c>', re.S)
_FORMULA = re.compile(rb"<f[^>]*?(?:/>|>(.*?)</f>)", re.S)
_SAVED_VALUE = re.compile(rb"<v>[^<]")
# (column letters, row number, formula) of a formula cell saved without its result.
Formula = tuple[str, str, str]
# A worksheet's XML is searched for formulas in blocks of this size.
_XML_BLOCK = 1 << 20
_SHEET_ENTRY = re.compile(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_RELATIONSHIP = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"'
                           rb'|<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
# Polars reports a malformed CSV as a PolarsError, and some inputs make its Rust code panic.
_CSV_ERRORS = (pl.exceptions.PolarsError, pl.exceptions.PanicException)
_KEPT_ROW_TEXTS = 64  # rows whose texts a sheet keeps (Sheet.texts)


@dataclass(frozen=True)
class Sheet:
    name: str | None  # None for CSV, which has no sheets
    index: int
    rows: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden_rows: frozenset[int] = frozenset()  # 0-based
    hidden: bool = False  # the sheet itself is hidden
    _row_texts: dict[int, list[str]] = field(default_factory=dict, init=False, repr=False,
                                             compare=False)

    def cell(self, row: int, column: int) -> object:
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return ""

    def texts(self, row: int) -> list[str]:
        """The cells of a row as the submitter sees them (cell_text), stripped; not to be
        changed. The rules that read a row read it close together (locating a header, then
        reading the rows under it), so the texts of the rows read last are kept (once the
        file is opened, its grid does not change): of a few rows only, so that a large
        sheet's texts do not take as much memory again as its grid."""
        texts = self._row_texts.get(row)
        if texts is None:
            if len(self._row_texts) == _KEPT_ROW_TEXTS:
                del self._row_texts[next(iter(self._row_texts))]  # the first kept
            texts = self._row_texts[row] = [cell_text(v).strip() for v in self.rows[row]]
        return texts


@dataclass(frozen=True)
class OpenedFile:
    sheets: list[Sheet]
    issues: list[Issue]  # what opening found: formulas without results, macros, capped text


class FileRejected(Exception):
    """The file as a whole cannot be read; carries the issue that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.code)
        self.issue = issue


def _reject(code: str, detail: str = "") -> FileRejected:
    return FileRejected(Issue(code, detail=detail))


def sniff(content: bytes, suffix: str, limits: ReadLimits | None = None) -> str:
    """`workbook` (anything calamine opens), `csv`, or raise FileRejected."""
    return _sniff(content, suffix, limits or ReadLimits())[0]


def _sniff(content: bytes, suffix: str,
           limits: ReadLimits) -> tuple[str, zipfile.ZipFile | None]:
    """The kind of file, and for a zip workbook its archive, whose directory is then read
    once for everything that opening reads from it."""
    if not content.strip():
        raise _reject("empty_file", "文件大小为 0" if not content else "文件只有空白")
    if content.startswith(OLE_MAGIC):
        return _sniff_ole(content), None
    if content.startswith(ZIP_MAGIC):
        return "workbook", _sniff_zip(content, limits)
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
        return "csv", None
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


def _sniff_zip(content: bytes, limits: ReadLimits) -> zipfile.ZipFile:
    """The archive of a zip workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise _reject("unreadable_file", "文件不完整或已损坏（压缩结构无效）") from exc
    entries = archive.infolist()
    _inspect_zip(entries, limits)
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names or "content.xml" in names:
        return archive
    if any(n.startswith("word/") for n in names):
        raise _reject("unsupported_format", "Word 文档")
    if any(n.startswith("ppt/") for n in names):
        raise _reject("unsupported_format", "PowerPoint 文档")
    raise _reject("unsupported_format", "ZIP 压缩包")


def _inspect_zip(entries: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    """Judge a zip by its directory before inflating anything: a few kilobytes that inflate
    to gigabytes (a zip bomb, or a sheet of a million styled empty rows) are not opened."""
    inflated = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries) or 1
    if len(entries) > limits.zip_entries:
        raise _reject("zip_too_large",
                      f"含 {len(entries)} 个部件，超过上限 {limits.zip_entries} 个")
    if inflated > limits.inflated_mb * _MB:
        raise _reject("zip_too_large", f"为 {inflated / _MB:.0f} MB，超过上限 "
                                       f"{limits.inflated_mb:g} MB")
    # Small files may inflate far (a sheet of zeros); only a large inflation is suspect.
    if inflated > 16 * _MB and inflated / compressed > limits.inflation_ratio:
        raise _reject("zip_too_large", f"膨胀为压缩时的 {inflated / compressed:.0f} 倍，"
                                       f"超过上限 {limits.inflation_ratio:g} 倍")


def open_file(path: Path, content: bytes, limits: ReadLimits | None = None) -> OpenedFile:
    """The worksheets of a file, as grids, hidden ones marked (templates keep their
    drop-down lists there, and people hide last month's sheet rather than delete it), with
    the rows that are hidden, and what the file holds that is never read as a value."""
    limits = limits or ReadLimits()
    kind, archive = _sniff(content, path.suffix, limits)
    issues: list[Issue] = []
    if kind == "csv":
        sheets = [_read_csv(content, limits)]
    elif archive is None:
        sheets, _ = _read_workbook(content, limits, None)
    else:
        with archive:
            sheets, scanned = _read_workbook(content, limits, archive)
            sheets, issues = _unevaluated_content(archive, sheets, scanned)
    capped = [_cap_text(sheet, limits, issues) for sheet in sheets]
    return OpenedFile(capped, issues)


def _read_workbook(content: bytes, limits: ReadLimits, archive: zipfile.ZipFile | None,
                   ) -> tuple[list[Sheet], dict[str, list[Formula]]]:
    """The worksheets, and for a zip workbook the formulas without a result that were found
    on the way, by the worksheet member that holds them (_scan_worksheets)."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        if archive is None:
            hidden_rows, scanned = _xls_hidden_rows(content), {}
        else:
            hidden_rows, scanned = _scan_worksheets(content, archive)
        sheets = []
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_index(index)
            # The grid runs from A1 to the last cell holding a value (styled blanks are not
            # values): its rows are counted before any becomes Python objects.
            rows_found = sheet.end[0] + 1 if sheet.end else 0
            if rows_found > limits.rows_per_sheet:
                raise FileRejected(Issue("too_many_rows", sheet=meta.name, detail=(
                    f"工作表“{meta.name}”有 {rows_found} 行，"
                    f"超过上限 {limits.rows_per_sheet} 行")))
            rows = sheet.to_python(skip_empty_area=False)
            sheets.append(Sheet(meta.name, index, rows, list(sheet.merged_cell_ranges or []),
                                hidden_rows.get(meta.name, frozenset()),
                                meta.visible != python_calamine.SheetVisibleEnum.Visible))
        return sheets, scanned
    except FileRejected:
        raise
    except MemoryError:
        raise
    except BaseException as exc:
        # calamine reports every kind of damage as its own error type, and on some it panics:
        # pyo3's PanicException, a BaseException (which could not even be sent back from a
        # reading worker).
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        raise _reject("unreadable_file", f"文件内容损坏：{type(exc).__name__}") from exc


# A row element of an .xlsx worksheet marked hidden; most files have none, so the workbook is
# opened a second time (by openpyxl, which reads row properties) only when one is there.
_HIDDEN_XLSX_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*\bhidden=\"(?:1|true)\"")


def _scan_worksheets(content: bytes, archive: zipfile.ZipFile,
                     ) -> tuple[dict[str, frozenset[int]], dict[str, list[Formula]]]:
    """Sheet name → the 0-based rows hidden in it, which calamine does not say, and worksheet
    member → its formulas without a result, for _unevaluated_content: one inflation of each
    worksheet's XML serves both. openpyxl reads the hidden rows, opened only when a
    worksheet has one (the members after it are left to _unevaluated_content). Other kinds
    (.xlsb, .ods) have no such members and report none."""
    scanned = {}
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        xml = archive.read(name)
        # The plain search first: it is quicker than the pattern, and rarely finds anything.
        if b'hidden="' in xml and _HIDDEN_XLSX_ROW.search(xml):
            import openpyxl  # only here: it brings numpy, a second the workers rarely need

            book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
            return {ws.title: frozenset(r - 1 for r, d in ws.row_dimensions.items() if d.hidden)
                    for ws in book.worksheets}, scanned
        scanned[name] = list(_formulas_without_results(
            xml[start:start + _XML_BLOCK] for start in range(0, len(xml), _XML_BLOCK)))
    return {}, scanned


def _xls_hidden_rows(content: bytes) -> dict[str, frozenset[int]]:
    """Sheet name → the 0-based rows hidden in it, which calamine does not say: xlrd does."""
    book = xlrd.open_workbook(file_contents=content, formatting_info=True, on_demand=True)
    return {book.sheet_by_index(i).name: frozenset(
        r for r, info in book.sheet_by_index(i).rowinfo_map.items() if info.hidden)
        for i in range(book.nsheets)}


def _cap_text(sheet: Sheet, limits: ReadLimits, issues: list[Issue]) -> Sheet:
    """Cell text beyond the cap is cut, with a marker, before it is copied anywhere."""
    cap = limits.cell_chars
    rows = sheet.rows
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and len(value) > cap:
                row[c] = value[:cap] + TRUNCATION_MARK
                issues.append(Issue("text_truncated", sheet=sheet.name, row_number=r + 1,
                                    cell=a1(r, c), value_found=row[c][:40],
                                    detail=f"{len(value)} 个字符，上限为 {cap} 个字符"))
    return sheet


def _unevaluated_content(book: zipfile.ZipFile, sheets: list[Sheet],
                         scanned: dict[str, list[Formula]]) -> tuple[list[Sheet], list[Issue]]:
    """Macros, links to other workbooks, and formulas saved without a result (written by a
    script, or by a program that does not calculate). A formula's cell shows the formula, so
    that nothing reads it as a blank (which counts as 0). The formulas of the worksheets that
    _scan_worksheets read are in `scanned`; any other worksheet is read here."""
    issues = []
    names = book.namelist()
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        issues.append(Issue("macro_workbook"))
    links = [name for name in names if name.startswith("xl/externalLinks/_rels/")]
    if links:
        targets = sorted({target.decode("utf-8", "replace").rsplit("/", 1)[-1]
                          for name in links for m in _RELATIONSHIP.finditer(book.read(name))
                          for target in (m.group(2) or m.group(3),) if target})
        issues.append(Issue("external_links", detail="、".join(targets[:5]) or "外部工作簿"))
    by_name = {sheet.name: sheet for sheet in sheets}
    for sheet_name, member in _sheet_members(book, names):
        sheet = by_name.get(sheet_name)
        if sheet is None:
            continue
        formulas = scanned[member] if member in scanned else _formulas_without_results(
            _blocks_of(book, member))
        for column, row, formula in formulas:
            r, c = int(row) - 1, _column_index(column)
            while len(sheet.rows) <= r:
                sheet.rows.append([])
            cells = sheet.rows[r]
            cells.extend([""] * (c + 1 - len(cells)))
            cells[c] = "=" + formula
            issues.append(Issue("formula_without_value", sheet=sheet.name,
                                row_number=r + 1, cell=f"{column}{row}",
                                value_found=cells[c][:100]))
    return sheets, issues


def _sheet_members(book: zipfile.ZipFile, names: list[str]) -> list[tuple[str, str]]:
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return []
    targets = {}
    for m in _RELATIONSHIP.finditer(book.read("xl/_rels/workbook.xml.rels")):
        rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        target = target.decode().lstrip("/")
        targets[rid.decode()] = target if target.startswith("xl/") else f"xl/{target}"
    return [(html.unescape(name.decode("utf-8")), targets[rid.decode()])
            for name, rid in _SHEET_ENTRY.findall(book.read("xl/workbook.xml"))
            if rid.decode() in targets and targets[rid.decode()] in names]


def _blocks_of(book: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    with book.open(member) as xml:
        yield from iter(lambda: xml.read(_XML_BLOCK), b"")


def _formulas_without_results(blocks: Iterable[bytes]) -> Iterator[Formula]:
    """Each formula cell with no saved result in a worksheet's XML, given in blocks."""
    carry = b""
    for block in blocks:
        text = carry + block
        end = 0
        if b"<f" in text:
            for match in _CELL.finditer(text):
                end = match.end()
                body = match.group(3)
                formula = _FORMULA.search(body)
                if formula and not _SAVED_VALUE.search(body):
                    written = (formula.group(1) or b"").decode("utf-8", "replace")
                    yield match.group(1).decode(), match.group(2).decode(), html.unescape(
                        written)
        rest = text[end:]
        # Keep an unfinished cell for the next block; drop what holds no formula.
        cut = rest.rfind(b"<c ")
        carry = rest[cut:] if cut >= 0 else b""


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


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


def _read_csv(content: bytes, limits: ReadLimits) -> Sheet:
    lines_found = content.count(b"\n") + 1
    if lines_found > limits.rows_per_sheet:
        raise _reject("too_many_rows",
                      f"文件有 {lines_found} 行，超过上限 {limits.rows_per_sheet} 行")
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
