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
from dataclasses import replace
from pathlib import Path

from pipelines.forms.capacity import locate_capacity_table, read_capacity_values, sheet_year
from pipelines.forms.layout import (
    Header,
    HeaderColumn,
    Table,
    TableRow,
    first_data_row,
    locate_activity_header,
    name_cell,
    rows_in_columns,
    side_by_side,
    split_title,
    table_rows,
)
from pipelines.forms.model import ActivityRow, CellValue, ParsedFile, Report, ReportColumn
from pipelines.forms.provenance import (
    Context,
    Provenance,
    context_of,
    department_written,
    resolve_department,
    resolve_hospitals,
    resolve_period,
    within,
)
from pipelines.forms.text import a1, cell_text, column_letter, fold
from pipelines.forms.values import parse_number
from pipelines.forms.vocabulary import (
    DEPARTMENT,
    IGNORED,
    NOT_METRICS,
    PERSON_NAME,
    Vocabulary,
    vocabulary,
)
from pipelines.forms.workbook import FileRejected, Sheet, open_file
from pipelines.issues import Issue
from pipelines.registry.load import Registry
from pipelines.settings import programme_window, read_limits

# Bump when a change to the reader (or to the suites that judge one file's rows) changes what
# it makes of a file already read.
READER_VERSION = "5"  # 5: a content with errors is recorded with its annotated copy


def reading_key(registry: Registry) -> str:
    """What a content was read with, recorded with it (raw.parsed_files.reader_version): the
    reader's version and the registry's names and pairs. A content read with another key is
    read again, so that a hospital, alias, pair or department the operator adds applies to
    every file already sent (a pair added to a supporting hospital can make a recipient that
    was inferred ambiguous; a new alias can win a longer match), with nothing re-sent."""
    return f"{READER_VERSION}+{registry.reader_digest[:16]}"

log = logging.getLogger(__name__)


def read_form(content: bytes, relative_path: str) -> ParsedFile:
    """Everything bangfu can tell about a file. `relative_path` (to the raw folder) is part
    of what the file says: its folders and name may name the hospitals, department, period.

    Never raises for a file: a file that trips the reader itself is `unreadable_file` (and
    logged with its traceback), so that one strange file never stops a run. A registry with
    errors is no file's fault: its OperatorError is raised before any file is opened."""
    vocab = vocabulary()
    try:
        return _read_form(content, relative_path, vocab)
    except MemoryError:
        raise  # the worker's memory cap: its pool reports it (read_memory_limit)
    except Exception as exc:
        log.exception("reading %s failed", relative_path)
        return ParsedFile("unknown", 0, issues=[Issue(
            "unreadable_file", detail=f"读取时出错：{type(exc).__name__}")])


def _read_form(content: bytes, relative_path: str, vocab: Vocabulary) -> ParsedFile:
    try:
        opened = open_file(Path(relative_path), content, read_limits())
    except FileRejected as rejected:
        return ParsedFile("unknown", 0, issues=[rejected.issue])

    hidden = [s for s in opened.sheets if s.hidden]
    sheets = [s for s in opened.sheets if not s.hidden]
    parsed = ParsedFile("unknown", len(sheets), issues=list(opened.issues))
    non_empty = [s for s in sheets if any(cell_text(v).strip() for row in s.rows for v in row)]
    # A hidden sheet is not counted (last month's, a working copy); one that holds a filled
    # form is named, so that a sheet hidden by mistake does not go missing unsaid.
    parsed.issues.extend(
        Issue("hidden_sheet", sheet=sheet.name) for sheet in hidden
        if any(_has_data(r) for r in _read_sheet(sheet, relative_path, vocab)[0]))
    if not non_empty:
        parsed.issues.append(Issue("empty_file", detail="工作簿中没有任何填写内容"))
        return parsed

    read = [(sheet, *_read_sheet(sheet, relative_path, vocab)) for sheet in non_empty]
    detail_sheets = [s for s, reports, _ in read
                     if reports and not vocab.is_summary_sheet(s.name)]
    # A form sheet with nobody on it (a blank copy of the template kept for next month) is
    # not a report; what is wrong with it (an unfilled period) matters only when no other
    # sheet of the workbook holds data.
    any_data = any(_has_data(report) for _, reports, _ in read for report in reports)
    forms = []
    for sheet, reports, issues in read:
        if reports and detail_sheets and vocab.is_summary_sheet(sheet.name):
            parsed.issues.append(Issue("summary_sheet", sheet=sheet.name))
            continue
        if not reports or any(_has_data(r) for r in reports) or not any_data:
            parsed.issues.extend(issues)
        forms.extend(reports)
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
        Issue("duplicate_sheet", sheet=report.sheet, row_number=None,
              detail=f"工作表“{kept.sheet}”" if kept.sheet != report.sheet
              else f"本工作表第 {kept.header_row} 行表头下的表格")
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
                vocab: Vocabulary) -> tuple[list[Report], list[Issue]]:
    """The reports of a sheet, none when it is no form."""
    header = locate_activity_header(sheet, vocab)
    if header is not None:
        return _read_activity(sheet, header, relative_path, vocab)
    context = context_of(sheet.rows[: vocab.header_search_rows], sheet.name, relative_path, vocab)
    year = sheet_year(sheet, list(context.texts), context.file_stem)
    table = locate_capacity_table(sheet, year, vocab)
    if table is None:
        return [], []
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
    return [report], provenance.issues + issues


def _read_activity(sheet: Sheet, header: Header, relative_path: str,
                   vocab: Vocabulary) -> tuple[list[Report], list[Issue]]:
    """Every report on an activity sheet: tables side by side under one header row, each of
    them followed by more tables stacked below it (each with its own label lines, and its own
    header or the one above), each table split by its 科室 column when it has one."""
    top = sheet.rows[: header.first_row]
    reports: list[Report] = []
    issues: list[Issue] = []
    views = side_by_side(sheet, header)
    if len(views) == 1:
        shared = context_of(top, sheet.name, relative_path, vocab)
    else:
        # Over tables side by side, what is written once (the title, a period line, the
        # hospitals) is at the left, over the first table; each table's own labels are over
        # it, and a department label is its table's only.
        left = views[0][0].rows[: header.first_row]
        labels = context_of(left, sheet.name, relative_path, vocab).labels
        common = [top[r] for r in rows_in_columns(top, 0, views[0][1].columns[-1].index + 1)]
        shared = replace(context_of(common, sheet.name, relative_path, vocab), labels={
            field: value for field, value in labels.items() if field != "department"})
    for view, view_header in views:
        own_rows = view.rows[: view_header.first_row]
        block: Header | None = view_header
        while block is not None:
            # A table alone under the header: the rows above it are its own, `top`.
            context = shared if block is header else within(
                context_of(own_rows, sheet.name, relative_path, vocab), shared)
            table_reports, table_issues, table = _read_table(
                view, block, context, vocab, part=len(reports))
            reports.extend(table_reports)
            issues.extend(table_issues)
            block, own_rows, unread = _next_table(view, block, table, vocab)
            if unread is not None:
                name_column = view_header.field_column(PERSON_NAME)
                issues.append(Issue("rows_not_read", sheet=sheet.name, row_number=unread + 1,
                                    cell=a1(unread, name_column.index if name_column else 0)))
    return reports, issues


def _next_table(sheet: Sheet, header: Header, table: Table, vocab: Vocabulary,
                ) -> tuple[Header | None, list[list[object]], int | None]:
    """After a table: the header of the next one stacked below it and the rows above that
    header that are its own (label lines), and the first row of data before it that is
    read by nobody (under the notes, the sign-off, a table that is no form). A label line
    that opens a report without a header of its own (填报科室：呼吸科, then people) keeps the
    header above."""
    if table.end is None or header.field_column(PERSON_NAME) is None:
        return None, [], None
    after = table.end + 1 if table.ended_by == "table" else table.end
    following = locate_activity_header(sheet, vocab, table.end)
    if following is not None and following.first_row >= table.end and following.field_column(
            PERSON_NAME) is not None:
        data = first_data_row(sheet, after, following.first_row, header, vocab)
        return following, sheet.rows[table.end: following.first_row], data
    data = first_data_row(sheet, after, len(sheet.rows), header, vocab)
    if data is not None and table.ended_by == "label":
        labels_end = data - 1
        repeated = Header(labels_end, labels_end, header.columns)
        return repeated, sheet.rows[table.end: data], None
    return None, [], data


def _read_table(sheet: Sheet, header: Header, context: Context, vocab: Vocabulary,
                part: int) -> tuple[list[Report], list[Issue], Table]:
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
        elif column.field not in NOT_METRICS:
            columns.append(ReportColumn(column.field, column.name, column_letter(column.index)))
        seen.add(column.field or "")

    name_column = header.field_column(PERSON_NAME)
    if name_column is None:
        issues.append(Issue("missing_required_column", sheet=sheet.name, column_name="姓名",
                            cell=a1(header.first_row, 0)))
        return [], issues, Table([])

    table = table_rows(sheet, header, vocab)
    if table.hidden:
        issues.append(_hidden_rows(sheet, table.hidden, name_column.index))
    groups, group_issues = _by_department(sheet, header, table.rows, provenance, vocab)
    issues.extend(group_issues)
    metric_columns = [
        (c, next(h for h in header.columns if h.name == c.column_name)) for c in columns
    ]
    reports = [
        Report(
            sheet=sheet.name, sheet_index=sheet.index, form_type="activity",
            supporting_hospital=provenance.supporting_hospital,
            recipient_hospital=provenance.recipient_hospital,
            department=department,
            period_start=provenance.period.start if provenance.period else None,
            period_end=provenance.period.end if provenance.period else None,
            header_row=header.last_row + 1, columns=columns, part=part + n,
            rows=[_activity_row(sheet, row, name_column.index, metric_columns, vocab)
                  for row in rows],
        )
        for n, (department, rows) in enumerate(groups)
    ]
    return reports, issues, table


def _hidden_rows(sheet: Sheet, hidden: tuple[int, ...], name_column: int) -> Issue:
    shown = [f"第 {r + 1} 行" + (f"（{name}）" if (name := cell_text(
        sheet.cell(r, name_column)).strip()) else "") for r in hidden]
    return Issue("hidden_rows", sheet=sheet.name, cell=a1(hidden[0], name_column),
                 detail="、".join(shown))


def _by_department(sheet: Sheet, header: Header, rows: list[TableRow], provenance: Provenance,
                   vocab: Vocabulary) -> tuple[list[tuple[str | None, list[TableRow]]],
                                               list[Issue]]:
    """The table's rows by department: all of them the label's department, or, with a 科室
    column, each row its own (a cell left blank: the label's). A totals row goes with the
    department of the people it sums (those since the totals row before it, or all of them
    under subtotals); one that sums several departments is in none of their reports. A
    label that names several departments needs the column; the column is checked against
    the label."""
    column = header.field_column(DEPARTMENT)
    label = provenance.department
    if column is None:
        if provenance.departments_named:
            return [], [Issue(
                "several_departments", sheet=sheet.name,
                value_found="、".join(provenance.departments_named),
                detail="、".join(provenance.departments_named))]
        return [(label, rows)], []
    groups: dict[str | None, list[TableRow]] = {}
    issues: list[Issue] = []
    allowed = set(provenance.departments_named) or ({label} if label else set())
    since_totals: set[str | None] = set()
    for row in rows:
        written, _ = name_cell(sheet, row.index, column.index, header)
        text = cell_text(written).strip()
        department = (department_written(text, vocab) or fold(text)) if text else None
        if row.kind == "totals" and department is None:
            summed = since_totals or set(groups)
            if len(summed) > 1:
                since_totals = set()
                continue  # a grand total over several departments
            department = next(iter(summed), label)
        if department is None:
            department = label
        if allowed and department not in allowed and not any(
                i.value_found == text for i in issues):
            issues.append(Issue(
                "department_mismatch", sheet=sheet.name, row_number=row.index + 1,
                cell=a1(row.index, column.index), value_found=text,
                detail=f"表头上方填报科室为“{'、'.join(sorted(allowed))}”"))
        groups.setdefault(department, []).append(row)
        since_totals = set() if row.kind == "totals" else since_totals | {department}
    return list(groups.items()), issues


def _activity_row(sheet: Sheet, table_row: TableRow, name_column: int,
                  metric_columns: list[tuple[ReportColumn, HeaderColumn]],
                  vocab: Vocabulary) -> ActivityRow:
    r, name = table_row.index, table_row.name
    values = tuple(
        CellValue(
            metric_code=column.metric_code,
            cell=a1(r, header_column.index),
            raw_text=cell_text(sheet.cell(r, header_column.index)),
            value=parse_number(sheet.cell(r, header_column.index), vocab, header_column.scale),
        )
        for column, header_column in metric_columns
    )
    is_person = table_row.kind == "person"
    title = None
    if is_person:
        name, title = split_title(name)
    return ActivityRow(
        row_number=r + 1,
        row_kind=table_row.kind,
        person_name=(name or None) if is_person else name,
        person_key=(fold(name) or None) if is_person else None,
        name_cell=a1(table_row.name_row, name_column),
        values=values,
        person_title=title,
    )
