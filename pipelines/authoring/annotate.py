"""The submitter's own workbook sent back with its problems marked where they are.

`annotated(content, file_name, problems, written)` makes a copy of a submitted file: the same
sheets, values and layout, each cell with a problem filled (errors red, warnings amber) and
commented in Chinese with what is wrong and what to write instead, and a first sheet 问题清单
listing every problem with a link to its cell. An .xlsx is copied with its formats; an .xls,
.ods or CSV comes back as an .xlsx holding its values and merged ranges.

Making a copy opens the submitted bytes (openpyxl, calamine), so it is only ever done in a
worker process within the reader's limits (`write_copies`, pipelines/bounded.py): a file
that an XML parser refuses, or that would take more memory or time than reading may, gets a
`Copy` with the reason in Chinese, never an exception. A run makes the copies of the files
with errors as it reads them (pipelines/defs/ingest.py), named by their own sha256 in the
warehouse's folder, and records them in `ingest_files`; `bangfu check --annotate` makes its
copies the same way.

Nothing the writer adds is ever a formula: texts that begin with = + - @ stay text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Protocol

import openpyxl
import python_calamine
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from pipelines.bounded import Failure, map_bounded
from pipelines.forms.workbook import FileRejected, open_file, sniff
from pipelines.issues import catalogue
from pipelines.naming import annotated_name, xml_safe
from pipelines.sheet_print import PAGES_TALL, row_height

LIST_SHEET = "问题清单"
AUTHOR = "bangfu"
SEVERITY_WORDS = {"error": "错误", "warning": "警告"}
FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),  # red
    "warning": PatternFill("solid", fgColor="FFE699"),  # amber
}
SEVERITY_FONTS = {"error": Font(bold=True, color="C00000"), "warning": Font(color="9C5700")}
# A sheet name may not hold these, nor be longer than 31 characters.
_UNSAFE_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")


class Located(Protocol):
    """A problem of a file, as `ingest_issues` and `bangfu check` hold it."""

    sheet: str | None
    cell: str | None
    row_number: int | None
    column_name: str | None
    value_found: str | None
    severity: str
    code: str
    message: str


@dataclass(frozen=True)
class ListColumn:
    title: str
    width: int


LIST_COLUMNS = (
    ListColumn("序号", 6), ListColumn("类别", 7), ListColumn("工作表", 14),
    ListColumn("单元格", 10), ListColumn("行号", 7), ListColumn("列名", 18),
    ListColumn("填写内容", 18), ListColumn("问题", 18), ListColumn("如何修改", 70),
    ListColumn("代码", 20),
)
LIST_HEADER_ROW = 4  # 1-based: title, counts, how to use it, blank, then the table


@dataclass(frozen=True)
class CopyJob:
    """An annotated copy to make, in a worker. `source` is None for a file the reader could
    not open (too large, not a spreadsheet, …): its copy is the list of its problems alone.
    The copy is written to `folder / name`, or, without a name, named by its own sha256 in
    `folder` (ab/abcdef….xlsx), so that a copy once recorded is never overwritten."""

    source: Path | None
    file_name: str  # as submitted
    problems: tuple[Located, ...]
    written: dt.datetime
    folder: Path
    name: str | None = None


@dataclass(frozen=True)
class Copy:
    """What became of a CopyJob: where the copy is, or why there is none (Chinese)."""

    path: Path | None
    note: str | None = None


def write_copies(jobs: Sequence[CopyJob]) -> list[Copy]:
    """Each job's copy made in a worker process, within the reader's limits; in job order."""
    return map_bounded(_write_copy, _not_written, jobs)


def _write_copy(job: CopyJob) -> Copy:
    """In a worker: one copy made and written; what the file's bytes make the writer raise
    becomes the copy's note (the reader's limits are the pool's)."""
    try:
        content = job.source.read_bytes() if job.source is not None else None
        copy = annotated(content, job.file_name, job.problems, job.written)
    except MemoryError:
        raise  # the pool's: the memory cap's own note
    except Exception as error:  # any parser's error on a submitted file's bytes
        return Copy(None, f"原文件无法用于标注（{type(error).__name__}），"
                          "请按列出的问题逐条修改")
    name = job.name or f"{hashlib.sha256(copy).hexdigest()}.xlsx"
    dest = job.folder / (name if job.name else f"{name[:2]}/{name}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staged = dest.with_name(f".{dest.name}.{os.getpid()}")
    staged.write_bytes(copy)
    staged.replace(dest)
    return Copy(dest)


def _not_written(_job: CopyJob, failure: Failure) -> Copy:
    title = catalogue()[failure.code]["title_zh"]
    return Copy(None, f"生成标注副本时{title}（{failure.detail}），已停止；"
                      "请按列出的问题逐条修改")


def annotated(content: bytes | None, file_name: str, problems: Sequence[Located],
              written: dt.datetime) -> bytes:
    """The annotated copy of a file, dated `written`: the same file, problems and time give
    the same bytes. Without content (a file the reader could not open), the list alone.
    Opens the submitted bytes: call it only within bounds (`write_copies`)."""
    try:
        kind = None if content is None else sniff(content, Path(file_name).suffix)
    except FileRejected:
        kind = None  # nothing to copy: the list alone goes back
    written = written.astimezone(dt.UTC).replace(tzinfo=None)  # as a workbook holds times
    if kind == "workbook" and _is_xlsx(content):
        book = openpyxl.load_workbook(io.BytesIO(content), rich_text=True)
    else:
        book = _converted(content, file_name, kind)
        book.properties.created = written
    sheets = {ws.title: ws for ws in book.worksheets}
    # A CSV's problems name no sheet: they are on its only one.
    default = book.worksheets[0].title if kind == "csv" else None
    for target, located in _by_cell(problems, sheets, default).items():
        _mark(*target, located)
    _write_list(book, file_name, problems, sheets, default)
    book.active = 0
    for ws in book.worksheets:
        ws.sheet_view.tabSelected = ws.title == LIST_SHEET
    # openpyxl's own save dates the workbook and each of its zip entries now.
    book.properties.modified = written
    saved = io.BytesIO()
    ExcelWriter(book, _DatedZip(saved, written.timetuple()[:6])).save()
    return saved.getvalue()


class _DatedZip(zipfile.ZipFile):
    """A zip being written whose every entry is dated `date_time`."""

    def __init__(self, file: io.BytesIO, date_time: tuple[int, ...]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.date_time = date_time

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, self.date_time)
            zinfo_or_arcname.compress_type = self.compression
            zinfo_or_arcname.external_attr = 0o600 << 16  # as writestr gives a file
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as file:
            self.writestr(arcname or str(filename), file.read(), compress_type, compresslevel)


def _is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK"):
        return False
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "xl/workbook.xml" in archive.namelist()


def _sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    base = _UNSAFE_IN_SHEET_NAME.sub("_", name).strip("'")[:31] or "Sheet1"
    title, number = base, 1
    while title in set(taken):
        number += 1
        title = f"{base[:28]}({number})"
    return title


def _converted(content: bytes, file_name: str, kind: str | None) -> openpyxl.Workbook:
    """A new workbook holding the values and merged ranges of every sheet of a file that is
    not an .xlsx (hidden sheets stay hidden)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if kind == "csv":
        (sheet,) = open_file(Path(file_name), content).sheets
        _fill(book.create_sheet(_sheet_title(Path(file_name).stem)), sheet.rows, [])
    elif kind == "workbook":
        calamine = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        for index, meta in enumerate(calamine.sheets_metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            source = calamine.get_sheet_by_index(index)
            ws = book.create_sheet(_sheet_title(meta.name, book.sheetnames))
            _fill(ws, source.to_python(skip_empty_area=False), source.merged_cell_ranges or [])
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                ws.sheet_state = "hidden"
    return book


def _fill(ws: Worksheet, rows: list[list[object]], merged) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(r, c)
            if isinstance(value, str):
                _text(cell, value)
            else:
                cell.value = value
                if isinstance(value, dt.datetime | dt.date):
                    cell.number_format = "yyyy-mm-dd"
    for (r0, c0), (r1, c1) in merged:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)


def _text(cell: Cell, value: str) -> None:
    """A text cell that stays text: openpyxl would store =… as a formula, and the quote
    prefix keeps Excel from making one of it when the cell is edited. What the submitter
    wrote (a file name, a cell's text) may hold characters a workbook cannot."""
    value = xml_safe(value)
    cell.value = value
    cell.data_type = "s"
    if value[:1] in "=+-@":
        cell.quotePrefix = True


def _target(problem: Located, sheets: dict[str, Worksheet],
            default: str | None) -> tuple[Worksheet, str] | None:
    """The sheet and cell a problem is marked on: its cell, else the first cell of its row;
    a problem of the whole file is only listed."""
    ws = sheets.get(problem.sheet or default or "")
    if ws is None:
        return None
    if problem.cell and _CELL.match(problem.cell):
        coordinate = problem.cell
    elif problem.row_number:
        coordinate = f"A{problem.row_number}"
    else:
        return None
    for merged in ws.merged_cells.ranges:  # a merged block is commented on its first cell
        if coordinate in merged:
            return ws, merged.start_cell.coordinate
    return ws, coordinate


def _by_cell(problems: Sequence[Located], sheets: dict[str, Worksheet],
             default: str | None) -> dict[tuple[Worksheet, str], list[Located]]:
    marked: dict[tuple[Worksheet, str], list[Located]] = {}
    for problem in problems:
        if (target := _target(problem, sheets, default)) is not None:
            marked.setdefault(target, []).append(problem)
    return marked


def _mark(ws: Worksheet, coordinate: str, problems: list[Located]) -> None:
    cell = ws[coordinate]
    if isinstance(cell, MergedCell):  # pragma: no cover - _target points at the first cell
        return
    worst = "error" if any(p.severity == "error" for p in problems) else "warning"
    cell.fill = FILLS[worst]
    text = "\n".join(
        f"【{SEVERITY_WORDS[p.severity]}·{catalogue()[p.code]['title_zh']}】{p.message}"
        for p in problems
    )
    if cell.comment is not None:  # the submitter's own note stays, above bangfu's
        text = f"{cell.comment.text}\n——\n{text}"
    comment = Comment(xml_safe(text), AUTHOR)
    comment.width, comment.height = 320, 40 + 60 * len(problems)
    cell.comment = comment


def _write_list(book: openpyxl.Workbook, file_name: str, problems: Sequence[Located],
                sheets: dict[str, Worksheet], default: str | None) -> None:
    ws = book.create_sheet(_sheet_title(LIST_SHEET, book.sheetnames), 0)
    errors = sum(1 for p in problems if p.severity == "error")
    _text(ws.cell(1, 1), f"{LIST_SHEET} · {Path(file_name).name}")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    warnings = len(problems) - errors
    _text(ws.cell(2, 1), f"错误 {errors} 条（必须改正），警告 {warnings} 条（请核对）。"
                         "有问题的单元格已标色（红色为错误，黄色为警告），批注中写明如何修改。")
    _text(ws.cell(3, 1), "点“单元格”一栏可跳到该单元格。改正后请删除本工作表，再重新提交整份文件。")
    bold = Font(bold=True)
    for column, spec in enumerate(LIST_COLUMNS, start=1):
        _text(ws.cell(LIST_HEADER_ROW, column), spec.title)
        ws.cell(LIST_HEADER_ROW, column).font = bold
        ws.column_dimensions[get_column_letter(column)].width = spec.width
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, problem in enumerate(problems, start=1):
        row = LIST_HEADER_ROW + number
        target = _target(problem, sheets, default)
        values = [
            number, SEVERITY_WORDS[problem.severity], problem.sheet,
            problem.cell or ("整个文件" if problem.row_number is None else "整行"),
            problem.row_number, problem.column_name, problem.value_found,
            catalogue()[problem.code]["title_zh"], problem.message, problem.code,
        ]
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row, column)
            if isinstance(value, str):
                _text(cell, value)
            elif value is not None:
                cell.value = value
            cell.alignment = wrap
        ws.cell(row, 2).font = SEVERITY_FONTS[problem.severity]
        if target is not None:
            link = ws.cell(row, 4)
            target_ws, coordinate = target
            link.hyperlink = Hyperlink(ref=link.coordinate,
                                       location=f"{quote_sheetname(target_ws.title)}!{coordinate}")
            link.font = Font(color="0563C1", underline="single")
        ws.row_dimensions[row].height = row_height(
            zip(values, (spec.width for spec in LIST_COLUMNS), strict=True))
    ws.freeze_panes = ws.cell(LIST_HEADER_ROW + 1, 1)
    last = LIST_HEADER_ROW + len(problems)
    ws.auto_filter.ref = f"A{LIST_HEADER_ROW}:{get_column_letter(len(LIST_COLUMNS))}{last}"
    _print_setup(ws, last)


def _print_setup(ws: Worksheet, last: int) -> None:
    """A4 landscape, fitted to the page's width, the header row on every page; the lines
    above the table wrapped across its printed width; the code column (for support, in
    English) left off the paper."""
    printed = [spec for spec in LIST_COLUMNS if spec.title != "代码"]
    width = sum(spec.width for spec in printed)
    end = get_column_letter(len(printed))
    for row in range(2, LIST_HEADER_ROW):
        ws.merge_cells(f"A{row}:{end}{row}")
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = row_height([(ws.cell(row, 1).value, width)])
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, PAGES_TALL
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{LIST_HEADER_ROW}:{LIST_HEADER_ROW}"
    ws.print_area = f"A1:{end}{last}"


def annotate_checked(checked, dest_dir: Path) -> list[tuple[str, Copy]]:
    """`bangfu check --annotate`: the annotated copy of each checked file with problems, in
    `dest_dir`, under distinct names, made in worker processes as a run makes its copies;
    (the file's name as checked, its copy) in the check's order."""
    jobs: list[CopyJob] = []
    names: list[str] = []
    taken: set[str] = set()
    written = dt.datetime.now(dt.UTC)
    for file in checked:
        if not file.problems:
            continue
        name = annotated_name(PurePath(file.name).name)
        stem, number = name.removesuffix(".xlsx"), 1
        while name.casefold() in taken:
            number += 1
            name = f"{stem}-{number}.xlsx"
        taken.add(name.casefold())
        opened = file.parsed is not None and file.parsed.sheet_count > 0
        # The name as checked: a name in other bytes than UTF-8 is written with \xNN escapes.
        jobs.append(CopyJob(file.path if opened else None, PurePath(file.name).name,
                            tuple(file.problems), written, dest_dir, name))
        names.append(file.name)
    return list(zip(names, write_copies(jobs), strict=True))
