"""退回清单: for each department, every problem it must fix in the files it sent, as a page of
the site and as an Excel workbook beside it that a department secretary can work through,
and each of those files that has errors sent back with its faulty cells marked: the copy the
run made when it read the file (in a bounded worker; `ingest_files.annotated_copy`), or a
line saying why there is none (`annotation_note`). A file with warnings only gets no copy
(its data was taken); its entry says how to get one (`bangfu check --annotate`). Nothing here
opens a submitted file.

Only file versions that are still the submitter's to fix are listed: the problems of a
withdrawn, superseded or duplicate file no longer count.

A pair's lists are in its folder (`pairs/<pair>/feedback/`, dashboards.pair_site); the lists
of files whose pair is unknown, and the index of every list, are in the section's folder.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import xlsxwriter
from xlsxwriter.utility import xl_range

from dashboards.context import Document, Section, SiteContext
from dashboards.html import (
    NOT_COMPUTABLE,
    Markup,
    cell,
    count_cell,
    format_time,
    join,
    no_data,
    note,
    number_cell,
    table,
    tag,
)
from dashboards.labels import FILE_STATUSES, SEVERITIES, label_for
from dashboards.marts import Marts, Pair
from dashboards.pair_site import FEEDBACK, file_names, href, pair_path, root_of
from dashboards.parts import File, Part
from pipelines.naming import annotated_name
from pipelines.sheet_print import PAGES_TALL, row_height

SECTION = Section(
    "feedback", "退回清单", "按科室列出需要修改后重新提交的文件和问题，可下载为 Excel 发给科室。"
)
INDEX = f"{SECTION.folder}/index.html"

# File statuses whose problems are no longer the submitter's to fix.
SETTLED_STATUSES = frozenset({"withdrawn", "superseded", "duplicate"})

UNKNOWN_PAIR = "未识别帮扶关系"
UNKNOWN_DEPARTMENT = "未识别科室"
# A capacity form is the recipient hospital's own report: it has no department.
CAPACITY_FORMS = "能力指标表"

HOW_TO_FIX = (
    "处理办法：请按下表逐条修改所列文件，修改后重新提交整份文件。"
    "“错误”必须更正，否则该文件（单元格为“整个文件”时）或该行数据不被接收；"
    "“提示”请核实，数据已接收，确有错误请更正。"
)


@dataclass(frozen=True)
class FeedbackIssue:
    file_path: str
    sheet: str | None
    cell: str | None
    row_number: int | None
    column_name: str | None
    value_found: str | None
    code: str
    code_title: str | None  # the problem's short Chinese name, from the warehouse
    severity: str
    message: str
    file_status: str | None
    sha256: str | None = None

    @property
    def location(self) -> str:
        """The cell; a problem of no single cell concerns its whole row or the whole file."""
        if self.cell:
            return self.cell
        return "整个文件" if self.row_number is None else "整行"

    @property
    def problem(self) -> str:
        severity = label_for(SEVERITIES, self.severity).text
        return f"{self.code_title or self.code}（{severity}）"

    @property
    def status(self) -> str:
        return label_for(FILE_STATUSES, self.file_status).text

    def sort_key(self) -> tuple:
        """By file, errors before warnings, then by row (file-level problems first)."""
        severities = list(SEVERITIES)
        severity = (
            severities.index(self.severity) if self.severity in severities else len(severities)
        )
        letters = re.match(r"[A-Za-z]*", self.cell or "").group().upper()
        return (
            self.file_path,
            severity,
            self.row_number is not None,
            self.row_number or 0,
            self.sheet or "",
            (len(letters), letters),
            self.code,
        )


@dataclass(frozen=True)
class Column:
    title: str
    field: str  # the FeedbackIssue attribute shown
    width: int  # in Excel's character widths


COLUMNS = (
    Column("文件", "file_path", 44),
    Column("工作表", "sheet", 14),
    Column("单元格", "location", 10),
    Column("行号", "row_number", 7),
    Column("列名", "column_name", 18),
    Column("填写内容", "value_found", 20),
    Column("问题", "problem", 20),
    Column("如何修改", "message", 56),
    Column("文件状态", "status", 12),
)


@dataclass(frozen=True)
class FeedbackList:
    """The problems of one department of one pair, and where its page and workbook are."""

    pair: Pair | None
    department: str
    issues: tuple[FeedbackIssue, ...]
    folder: str  # where the pair's lists are, from the site's root
    stem: str  # the department's file name

    @property
    def pair_label(self) -> str:
        return self.pair.label if self.pair else UNKNOWN_PAIR

    @property
    def title(self) -> str:
        return f"退回清单 · {self.department}"

    @property
    def page(self) -> str:
        return f"{self.folder}/{self.stem}.html"

    @property
    def workbook_name(self) -> str:
        return f"退回清单_{self.stem}.xlsx"

    @property
    def workbook(self) -> str:
        return f"{self.folder}/{self.workbook_name}"

    @property
    def file_count(self) -> int:
        return len({issue.file_path for issue in self.issues})

    def returned_files(self) -> list[tuple[str, str | None, str]]:
        """(file path, sha256, where its annotated copy goes in the section) of each file
        of the list with an error, in the list's order; the copies are in a folder named like
        the page."""
        files = list(dict.fromkeys((issue.file_path, issue.sha256) for issue in self.issues
                                   if issue.severity == "error"))
        stems = file_names(
            annotated_name(PurePosixPath(path).name).removesuffix(".xlsx") for path, _ in files)
        return [(path, sha256, f"{self.folder}/{self.stem}/{stem}.xlsx")
                for (path, sha256), stem in zip(files, stems, strict=True)]

    def warned_files(self) -> list[str]:
        """The files of the list with warnings and no error, in the list's order."""
        with_errors = {issue.file_path for issue in self.issues if issue.severity == "error"}
        return list(dict.fromkeys(issue.file_path for issue in self.issues
                                  if issue.file_path not in with_errors))

    def count(self, severity: str) -> int:
        return sum(1 for issue in self.issues if issue.severity == severity)

    def heading_lines(self, built_at: datetime) -> tuple[str, ...]:
        """What the list is and what to do with it: the same above the page and the workbook."""
        errors, warnings = self.count("error"), self.count("warning")
        return (
            f"帮扶关系：{self.pair_label}　科室：{self.department}",
            f"生成时间：{format_time(built_at)}",
            HOW_TO_FIX,
            f"涉及文件 {self.file_count} 个：错误 {errors} 条，提示 {warnings} 条。",
        )


def _files(marts: Marts, pair: Pair | None = None) -> dict[tuple[str, str], dict]:
    return {(f["file_path"], f["sha256"]): f for f in marts.rows("ingest_files", pair)}


def _list_key(issue: dict, files: dict[tuple[str, str], dict]) -> tuple[Pair | None, str] | None:
    """The (pair, department) whose list holds the issue; None when its file is settled.
    An issue of a file version the ledger does not know is kept, under the unknowns."""
    file = files.get((issue["file_path"], issue["sha256"]), {})
    if file.get("status") in SETTLED_STATUSES:
        return None
    return (_pair_of(issue), _department_of(issue, file))


def file_anchor(file_path: str) -> str:
    """The id of a file's first problem on its list's page: stable, and safe in a URL."""
    return "file-" + hashlib.sha256(file_path.encode("utf-8")).hexdigest()[:12]


class FeedbackEntries:
    """Where each issue (of a pair's files, when given) is listed: the link to its file's
    entry on its 退回清单 page."""

    def __init__(self, marts: Marts, pair: Pair | None = None) -> None:
        self._files = _files(marts, pair)
        self._pages = {(f.pair, f.department): f.page for f in feedback_lists(marts, pair)}

    def href(self, issue: dict) -> str | None:
        """From the site's root; None when the issue's file needs no more fixing."""
        key = _list_key(issue, self._files)
        page = self._pages.get(key) if key else None
        if page is None:
            return None
        return f"{href(page)}#{file_anchor(issue['file_path'])}"


def feedback_lists(marts: Marts, pair: Pair | None = None) -> list[FeedbackList]:
    """One list per (pair, department) with problems left to fix, pairs and departments sorted;
    only the given pair's, reading only its rows, when one is given."""
    files = _files(marts, pair)
    groups: dict[tuple[Pair | None, str], list[FeedbackIssue]] = defaultdict(list)
    for issue in marts.rows("ingest_issues", pair):
        key = _list_key(issue, files)
        if key is None:
            continue
        file = files.get((issue["file_path"], issue["sha256"]), {})
        groups[key].append(
            FeedbackIssue(
                file_path=issue["file_path"],
                sheet=issue["sheet"],
                cell=issue["cell"],
                row_number=issue["row_number"],
                column_name=issue["column_name"],
                value_found=issue.get("value_found"),
                code=issue["code"],
                code_title=issue.get("code_title_zh"),
                severity=issue["severity"],
                message=issue["message"],
                file_status=file.get("status"),
                sha256=issue["sha256"],
            )
        )
    keys = sorted(groups, key=_group_order)
    lists = []
    for listed in dict.fromkeys(key_pair for key_pair, _ in keys):
        departments = [department for key_pair, department in keys if key_pair == listed]
        for department, stem in zip(departments, file_names(departments), strict=True):
            issues = sorted(groups[(listed, department)], key=FeedbackIssue.sort_key)
            lists.append(FeedbackList(listed, department, tuple(issues), _folder(listed), stem))
    return lists


def _pair_of(issue: dict) -> Pair | None:
    supporting, recipient = issue.get("supporting_hospital"), issue.get("recipient_hospital")
    return Pair(supporting, recipient) if supporting and recipient else None


def _department_of(issue: dict, file: dict) -> str:
    """The department of the issue's sheet (the warehouse falls back to its file's)."""
    if issue.get("department"):
        return issue["department"]
    return CAPACITY_FORMS if file.get("form_type") == "capacity" else UNKNOWN_DEPARTMENT


def _group_order(key: tuple[Pair | None, str]) -> tuple:
    """Known pairs first; within a pair, named departments before the capacity forms and the
    unknowns."""
    pair, department = key
    placeholders = (CAPACITY_FORMS, UNKNOWN_DEPARTMENT)
    rank = placeholders.index(department) + 1 if department in placeholders else 0
    return (pair is None, pair or Pair("", ""), rank, department)


def _folder(pair: Pair | None) -> str:
    """A pair's lists are in its folder; those of files of no known pair in the section's."""
    return pair_path(pair, FEEDBACK) if pair else f"{SECTION.folder}/{UNKNOWN_PAIR}"


@dataclass(frozen=True)
class ReturnedFile:
    """A listed file with errors, to go back with its problems marked: the copy the run made
    of it, or why there is none."""

    file_path: str
    copy: str  # where its annotated copy goes, from the site's root
    recorded: str | None  # the run's copy, relative to the warehouse's folder
    note: str | None  # why the run made no copy


# An errored file whose content was read before copies were recorded, or whose copy is gone.
NO_COPY = "未生成标注副本"
# What a file with warnings only says instead of a copy.
WARNINGS_ONLY = ("只有提示，数据已接收，不附标注副本；需要时可运行 "
                 "bangfu check --annotate 输出文件夹 文件 得到标出问题的副本")


def parts(context: SiteContext) -> list[Part]:
    """The section as parts of the site: its index; each list, as a page with its workbook
    beside it; each listed file with errors whose copy the run recorded, sent back
    annotated."""
    section = [Part(INDEX, _index_document)]
    files = _files(context.marts)
    for feedback in feedback_lists(context.marts):
        returned = _returned_files(feedback, files, context.warehouse_dir)
        section.append(Part(feedback.page, _list_files, (feedback, tuple(returned))))
        section += [Part(file.copy, _annotated_copy, (file,))
                    for file in returned if file.recorded]
    return section


def _index_document(context: SiteContext) -> list[Document]:
    body = _index_body(context.marts, feedback_lists(context.marts))
    return [Document(INDEX, SECTION.title, body, INDEX)]


def _list_files(context: SiteContext, feedback: FeedbackList,
                returned: tuple[ReturnedFile, ...]) -> list[Document | File]:
    """The list's page and its workbook."""
    workbook = io.BytesIO()
    write_workbook(workbook, feedback, context.built_at)
    body = _list_body(feedback, context.built_at, returned)
    return [
        Document(feedback.page, feedback.title, body, INDEX),
        File(feedback.workbook, workbook.getvalue()),
    ]


def _returned_files(feedback: FeedbackList, files: dict[tuple[str, str], dict],
                    warehouse_dir: Path | None) -> list[ReturnedFile]:
    returned = []
    for file_path, sha256, copy in feedback.returned_files():
        file = files.get((file_path, sha256), {})
        recorded, note = file.get("annotated_copy"), file.get("annotation_note")
        if recorded and (warehouse_dir is None or not (warehouse_dir / recorded).is_file()):
            recorded = None
        if recorded is None:
            note = note or NO_COPY
        returned.append(ReturnedFile(file_path, copy, recorded, note))
    return returned


def _annotated_copy(context: SiteContext, file: ReturnedFile) -> list[File]:
    """The run's copy, named by its own sha256: the same argument, the same bytes."""
    content = (context.warehouse_dir / file.recorded).read_bytes()
    return [File(file.copy, content)]


def _index_body(marts: Marts, lists: list[FeedbackList]) -> Markup:
    intro = note(
        "每个科室一份清单，列出其已提交的文件中仍需修改的每个问题（文件 · 工作表 · 单元格）。"
        "请把网页或 Excel 清单发给科室，修改后重新提交整份文件。"
        "已撤回、已被新版本替代和重复的文件不列入。"
    )
    if not marts.has("ingest_files") or not marts.has("ingest_issues"):
        return join([intro, no_data()])
    not_read = _not_read(marts)
    if not marts.rows("ingest_files"):
        return join([intro, no_data("还没有收到任何文件"), *not_read])
    if not lists:
        return join([intro, note("目前没有需要修改后重新提交的文件。"), *not_read])
    parts: list[object] = [intro]
    by_pair: dict[str, list[FeedbackList]] = defaultdict(list)
    for feedback in lists:
        by_pair[feedback.pair_label].append(feedback)
    for pair_label, pair_lists in by_pair.items():
        rows = [
            [
                tag("a", f.department, href=href(root_of(INDEX) + f.page)),
                count_cell(f.file_count),
                count_cell(f.count("error"), data_severity="error"),
                count_cell(f.count("warning"), data_severity="warning"),
                tag("a", f.workbook_name, href=href(root_of(INDEX) + f.workbook)),
            ]
            for f in pair_lists
        ]
        parts += [
            tag("h2", pair_label),
            table(["科室", "文件数", "错误", "提示", "Excel 清单"], rows, class_="feedback-index"),
        ]
    return join([*parts, *not_read])


def _not_read(marts: Marts) -> list[Markup]:
    """What the raw folder holds that was not read (links, files still being copied, hidden
    files, …), each with its reason: they belong to no department's list."""
    if not marts.has("ingest_skipped_files"):
        return []
    rows = [[cell(f["file_path"]), cell(f["code_title_zh"] or f["code"]), cell(f["message"])]
            for f in sorted(marts.rows("ingest_skipped_files"), key=lambda f: f["file_path"])]
    if not rows:
        return []
    return [tag("h2", "报送文件夹中未读取的文件"),
            note("以下文件未被读取，不计入统计；请按说明处理（如需报送，请重新提交正式的统计表文件）。"),
            table(["文件", "原因", "说明"], rows, class_="feedback-not-read")]


def _list_body(
    feedback: FeedbackList, built_at: datetime, returned_files: Sequence[ReturnedFile]
) -> Markup:
    anchored: set[str] = set()
    rows = []
    for issue in feedback.issues:
        first_of_file = issue.file_path not in anchored
        anchored.add(issue.file_path)
        rows.append([_html_cell(issue, column, anchor=first_of_file) for column in COLUMNS])
    entries = [_returned_entry(feedback, file) for file in returned_files]
    entries += [tag("li", f"{file_path}：{WARNINGS_ONLY}", class_="feedback-warned")
                for file_path in feedback.warned_files()]
    returned = []
    if entries:
        returned = [
            tag("p", "标出问题的原文件（红色为错误，黄色为提示，批注写明如何修改；"
                     "第一张工作表“问题清单”可点击跳到单元格）："),
            tag("ul", entries, class_="feedback-returned"),
        ]
    return join(
        [
            tag("p", tag("a", "← 全部退回清单", href=href(root_of(feedback.page) + INDEX))),
            *(tag("p", line) for line in feedback.heading_lines(built_at)),
            tag(
                "p",
                [
                    "下载 Excel 清单：",
                    tag("a", feedback.workbook_name, href=href(feedback.workbook_name)),
                ],
            ),
            *returned,
            table([column.title for column in COLUMNS], rows, class_="feedback-issues"),
        ]
    )


def _returned_entry(feedback: FeedbackList, file: ReturnedFile) -> Markup:
    """A file with errors: a link to its copy (relative to the page, which sits in the pair's
    folder beside the copies' folder), or why there is none."""
    if file.recorded:
        return tag("li", [tag("a", PurePosixPath(file.copy).name,
                              href=href(file.copy.removeprefix(f"{feedback.folder}/"))),
                          f"（{file.file_path}）"])
    return tag("li", f"{file.file_path}：{file.note}", class_="feedback-not-annotated")


def _html_cell(issue: FeedbackIssue, column: Column, *, anchor: bool) -> Markup:
    """A cell of the list; the first cell of a file's first problem is the file's entry, the
    target of the quality page's links."""
    value = getattr(issue, column.field)
    text = NOT_COMPUTABLE if value is None else str(value)
    if column.field == "problem":
        return cell(text, class_=f"severity-{issue.severity}")
    if column.field == "row_number":
        return number_cell(value, text)
    if column.field == "file_path" and anchor:
        return cell(text, id=file_anchor(issue.file_path))
    return cell(text)


def write_workbook(target: Path | BinaryIO, feedback: FeedbackList, built_at: datetime) -> None:
    """The list as an Excel workbook: title, heading lines, then one row per issue.

    Every text goes through `write_string`, never `write`, which would store a value such as
    =HYPERLINK(…) or +1-2 as a live formula; the quote prefix keeps Excel from turning it into
    one when the cell is later edited.
    """
    # In memory: no temporary files, and the zip's entries dated 1980-01-01 whatever the zone.
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    # A fixed creation time (xlsxwriter writes it as UTC) keeps equal lists byte-identical.
    created = built_at.astimezone(UTC).replace(tzinfo=None)
    workbook.set_properties({"title": feedback.title, "author": "bangfu", "created": created})
    text = {"text_wrap": True, "valign": "top", "border": 1, "quote_prefix": True}
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#F3F4F6", "border": 1, "valign": "top"}
        ),
        "text": workbook.add_format(text),
        "number": workbook.add_format({"valign": "top", "border": 1}),
        "error": workbook.add_format({**text, "bold": True, "font_color": "#C53030"}),
        "warning": workbook.add_format({**text, "font_color": "#B7791F"}),
    }
    sheet = workbook.add_worksheet("退回清单")
    sheet.write_string(0, 0, feedback.title, formats["title"])
    lines = feedback.heading_lines(built_at)
    # The lines above the table wrap across its width, each row as tall as its lines: what
    # is wider than the page is cut when printed.
    width = sum(column.width for column in COLUMNS)
    line_format = workbook.add_format({"text_wrap": True, "valign": "top"})
    for row, line in enumerate(lines, start=1):
        sheet.merge_range(row, 0, row, len(COLUMNS) - 1, line, line_format)
        sheet.set_row(row, row_height([(line, width)]))
    header_row = len(lines) + 1
    for column, spec in enumerate(COLUMNS):
        sheet.set_column(column, column, spec.width)
        sheet.write_string(header_row, column, spec.title, formats["header"])
    for row, issue in enumerate(feedback.issues, start=header_row + 1):
        for column, spec in enumerate(COLUMNS):
            value = getattr(issue, spec.field)
            if value is None:
                sheet.write_blank(row, column, None, formats["text"])
            elif isinstance(value, int):
                sheet.write_number(row, column, value, formats["number"])
            elif spec.field == "problem":
                sheet.write_string(row, column, value, formats.get(issue.severity, formats["text"]))
            else:
                sheet.write_string(row, column, value, formats["text"])
        sheet.set_row(row, row_height((getattr(issue, spec.field), spec.width)
                                      for spec in COLUMNS))
    last_row, last_column = header_row + len(feedback.issues), len(COLUMNS) - 1
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, last_row, last_column)
    # Values are shown as written: a number kept as text is not a mistake here.
    sheet.ignore_errors({"number_stored_as_text": xl_range(header_row, 0, last_row, last_column)})
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, PAGES_TALL)
    sheet.repeat_rows(header_row)
    workbook.close()
