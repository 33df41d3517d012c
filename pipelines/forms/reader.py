"""Read one submitted file into reports, rows and issues. Pure: bytes and a path in, a
ParsedFile out; nothing is written anywhere.

A sheet is a report when it holds a statistics-form table (activity) or a capacity-indicator
table; other sheets (instructions, charts, lists) are passed over. Problems that make the
whole file unusable are file-level issues; everything about single cells is left for the
validation suites to judge, with the raw cell text kept beside the parsed number.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from pipelines.forms.capacity import locate_capacity_table, read_capacity_values, sheet_year
from pipelines.forms.layout import Header, locate_activity_header, table_rows
from pipelines.forms.model import ActivityRow, CellValue, ParsedFile, Report, ReportColumn
from pipelines.forms.provenance import (
    Context,
    Provenance,
    context_of,
    resolve_department,
    resolve_hospitals,
    resolve_period,
)
from pipelines.forms.text import a1, cell_text, column_letter, fold
from pipelines.forms.values import parse_number
from pipelines.forms.vocabulary import IGNORED, PERSON_NAME, Vocabulary, vocabulary
from pipelines.forms.workbook import FileRejected, Sheet, open_file
from pipelines.issues import Issue
from pipelines.settings import programme_window, read_limits

# Bump when a change to the reader changes what it makes of a file already read.
READER_VERSION = "2"

log = logging.getLogger(__name__)


def read_form(content: bytes, relative_path: str) -> ParsedFile:
    """Everything bangfu can tell about a file. `relative_path` (to the raw folder) is part
    of what the file says: its folders and name may name the hospitals, department, period.

    Never raises: a file that trips the reader itself is `unreadable_file` (and logged with
    its traceback), so that one strange file never stops a run."""
    try:
        return _read_form(content, relative_path)
    except MemoryError:
        raise  # the worker's memory cap: its pool reports it (read_memory_limit)
    except Exception as exc:
        log.exception("reading %s failed", relative_path)
        return ParsedFile("unknown", 0, issues=[Issue(
            "unreadable_file", detail=f"读取时出错：{type(exc).__name__}")])


def _read_form(content: bytes, relative_path: str) -> ParsedFile:
    vocab = vocabulary()
    try:
        opened = open_file(Path(relative_path), content, read_limits())
    except FileRejected as rejected:
        return ParsedFile("unknown", 0, issues=[rejected.issue])

    sheets = opened.sheets
    parsed = ParsedFile("unknown", len(sheets), issues=list(opened.issues))
    non_empty = [s for s in sheets if any(cell_text(v).strip() for row in s.rows for v in row)]
    if not non_empty:
        parsed.issues.append(Issue("empty_file", detail="工作簿中没有任何填写内容"))
        return parsed

    read = [(sheet, *_read_sheet(sheet, relative_path, vocab)) for sheet in non_empty]
    detail_sheets = [s for s, report, _ in read if report and not vocab.is_summary_sheet(s.name)]
    # A form sheet with nobody on it (a blank copy of the template kept for next month) is
    # not a report; what is wrong with it (an unfilled period) matters only when no other
    # sheet of the workbook holds data.
    any_data = any(report and _has_data(report) for _, report, _ in read)
    forms = []
    for sheet, report, issues in read:
        if report is not None and detail_sheets and vocab.is_summary_sheet(sheet.name):
            parsed.issues.append(Issue("summary_sheet", sheet=sheet.name))
            continue
        if report is None or _has_data(report) or not any_data:
            parsed.issues.extend(issues)
        if report is not None:
            forms.append(report)
    parsed.reports = [r for r in forms if _has_data(r)]
    parsed.issues.extend(_repeated_sheets(parsed.reports))

    kinds = {r.form_type for r in forms}
    parsed.form_type = "activity" if "activity" in kinds else kinds.pop() if kinds else "unknown"
    if parsed.has_file_error:
        return parsed
    if not forms:
        parsed.issues.append(Issue("no_header"))
    elif not parsed.reports:
        parsed.issues.append(Issue("no_rows"))
    return parsed


def _repeated_sheets(reports: list[Report]) -> list[Issue]:
    """Sheets of one workbook that are the same report (a copy such as “Sheet1 (2)”, edited
    or not): the warehouse counts the last of them only, so the others are pointed out."""
    activity = [r for r in reports if r.form_type == "activity"]
    last = {_identity(report): report for report in activity}
    return [
        Issue("duplicate_sheet", sheet=report.sheet, detail=f"工作表“{kept.sheet}”")
        for report in activity
        if (kept := last[_identity(report)]) is not report
    ]


def _identity(report: Report) -> tuple:
    """What makes two reports the same report (the contract's report identity)."""
    return (report.supporting_hospital, report.recipient_hospital, report.department,
            report.period_start, report.period_end)


def _has_data(report: Report) -> bool:
    return bool(report.capacity) or any(row.row_kind == "person" for row in report.rows)


def _read_sheet(sheet: Sheet, relative_path: str,
                vocab: Vocabulary) -> tuple[Report | None, list[Issue]]:
    header = locate_activity_header(sheet, vocab)
    if header is not None:
        return _read_activity(sheet, header, relative_path, vocab)
    context = context_of(sheet.rows[: vocab.header_search_rows], sheet.name, relative_path, vocab)
    year = sheet_year(sheet, list(context.texts), context.file_stem)
    table = locate_capacity_table(sheet, year, vocab)
    if table is None:
        return None, []
    context = context_of(sheet.rows[: table.first_row], sheet.name, relative_path, vocab)
    provenance = Provenance()
    resolve_hospitals(context, vocab, sheet.name, provenance)
    values, issues = read_capacity_values(sheet, table, vocab)
    years = sorted(table.year_columns.values())
    report = Report(
        sheet=sheet.name, sheet_index=sheet.index, form_type="capacity",
        supporting_hospital=provenance.supporting_hospital,
        recipient_hospital=provenance.recipient_hospital,
        period_start=dt.date(years[0], 1, 1), period_end=dt.date(years[-1], 12, 31),
        header_row=table.first_row, capacity=values,
    )
    first, last = programme_window()
    if report.period_end < first or report.period_start > last:
        provenance.issues.append(Issue(
            "period_out_of_window", sheet=sheet.name, value_found=f"{years[0]}–{years[-1]}",
            detail=f"{years[0]}–{years[-1]}年不在本轮帮扶周期（{first.year}–{last.year}年）内",
        ))
    return report, provenance.issues + issues


def _read_activity(sheet: Sheet, header: Header, relative_path: str,
                   vocab: Vocabulary) -> tuple[Report | None, list[Issue]]:
    context: Context = context_of(sheet.rows[: header.first_row], sheet.name, relative_path, vocab)
    provenance = Provenance()
    resolve_hospitals(context, vocab, sheet.name, provenance)
    resolve_department(context, vocab, provenance)
    resolve_period(context, sheet.name, programme_window(), provenance)
    issues = provenance.issues

    columns: list[ReportColumn] = []
    seen: set[str] = set()
    for column in header.columns:
        cell = a1(header.first_row, column.index)
        if column.field is None or vocab.metric_kind(column.field) == "capacity":
            # A capacity indicator (门急诊人次) is the recipient's yearly figure, not a
            # person's work: in a statistics form it is a column bangfu does not read.
            issues.append(Issue("unknown_column", sheet=sheet.name, column_name=column.name,
                                cell=cell))
        elif column.field in seen and column.field != IGNORED:
            issues.append(Issue("duplicate_column", sheet=sheet.name, column_name=column.name,
                                cell=cell))
        elif column.field not in (IGNORED, PERSON_NAME):
            columns.append(ReportColumn(column.field, column.name, column_letter(column.index)))
        seen.add(column.field or "")

    name_column = header.field_column(PERSON_NAME)
    if name_column is None:
        issues.append(Issue("missing_required_column", sheet=sheet.name, column_name="姓名"))
        return None, issues

    metric_columns = [
        (c, next(h for h in header.columns if h.name == c.column_name)) for c in columns
    ]
    rows = []
    table = table_rows(sheet, header, vocab)
    if table.unread_row is not None:
        issues.append(Issue("rows_not_read", sheet=sheet.name, row_number=table.unread_row + 1,
                            cell=a1(table.unread_row, name_column.index)))
    for table_row in table.rows:
        r, name = table_row.index, table_row.name
        values = tuple(
            CellValue(
                metric_code=column.metric_code,
                cell=a1(r, header_column.index),
                raw_text=cell_text(sheet.cell(r, header_column.index)),
                value=parse_number(sheet.cell(r, header_column.index), vocab,
                                   header_column.scale),
            )
            for column, header_column in metric_columns
        )
        is_person = table_row.kind == "person"
        rows.append(ActivityRow(
            row_number=r + 1,
            row_kind=table_row.kind,
            person_name=(name or None) if is_person else name,
            person_key=(fold(name) or None) if is_person else None,
            name_cell=a1(table_row.name_row, name_column.index),
            values=values,
        ))
    report = Report(
        sheet=sheet.name, sheet_index=sheet.index, form_type="activity",
        supporting_hospital=provenance.supporting_hospital,
        recipient_hospital=provenance.recipient_hospital,
        department=provenance.department,
        period_start=provenance.period.start if provenance.period else None,
        period_end=provenance.period.end if provenance.period else None,
        header_row=header.last_row + 1, columns=columns, rows=rows,
    )
    return report, issues
