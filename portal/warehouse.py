"""What the portal reads from the published warehouse (read-only): the status a run gave each
uploaded file, and the reports a reviewer decides on with their values and problems. One
small module, so that the PostgreSQL engine has one place to plug in."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from pipelines.settings import Settings
from pipelines.warehouse.reading import open_published, published_exists

# The statuses of ingest_files, as submitters read them.
STATUS_WORDS = {
    "accepted": "已接收", "partial": "部分接收", "rejected": "退回", "superseded": "已被新版本替代",
    "duplicate": "重复文件", "withdrawn": "已撤回",
}


def rows(sql: str, parameters: list | tuple = (), *, columns: tuple[str, ...]) -> list[dict]:
    """The rows of a query on the published warehouse, whichever engine holds it (parameters
    written `?`), as dicts of `columns`; none before the first run."""
    location = Settings.from_env().location
    if not published_exists(location):
        return []
    with open_published(location) as reader:
        return [dict(zip(columns, row, strict=True)) for row in reader.rows(sql, parameters)]


def file_statuses(paths: list[str]) -> dict[tuple[str, str], str]:
    """(file_path, sha256) → status, for the given raw-folder paths."""
    if not paths:
        return {}
    found = rows("select file_path, sha256, status from main.ingest_files where file_path in ("
                 + ", ".join("?" * len(paths)) + ")", paths,
                 columns=("file_path", "sha256", "status"))
    return {(r["file_path"], r["sha256"]): r["status"] for r in found}


@dataclass(frozen=True)
class Report:
    report_id: str
    sha256: str
    file_path: str
    sheet: str
    form_type: str
    supporting_hospital: str
    recipient_hospital: str
    department: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    status: str

    @property
    def status_zh(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


_REPORTS = """
    select reports.report_id, reports.sha256, files.file_path, reports.sheet, reports.form_type,
           reports.supporting_hospital, reports.recipient_hospital, reports.department,
           reports.period_start, reports.period_end, files.status
    from raw.reports as reports
    inner join main.ingest_files as files on files.sha256 = reports.sha256
    where files.status in ('accepted', 'partial')
"""


REPORT_COLUMNS = tuple(field.name for field in dataclasses.fields(Report))


def reviewable_reports() -> list[Report]:
    """The reports of the files that counted in the last run (accepted or partial)."""
    found = rows(_REPORTS + " order by reports.period_start desc, files.file_path, reports.sheet",
                 columns=REPORT_COLUMNS)
    return [Report(**row) for row in found]


def report(report_id: str) -> Report | None:
    found = rows(_REPORTS + " and reports.report_id = ?", [report_id], columns=REPORT_COLUMNS)
    return Report(**found[0]) if found else None


def report_values(report_id: str) -> list[dict]:
    """Each person's row of an activity report as read: name, then metric and value."""
    return rows("""
        select people.row_number, people.person_name, people.row_kind,
               metrics.metric_name_zh, vals.cell, vals.raw_text, vals.value
        from raw.activity_rows as people
        inner join raw.activity_values as vals
            on vals.report_id = people.report_id and vals.row_number = people.row_number
        left join seeds.metrics as metrics on metrics.metric_code = vals.metric_code
        where people.report_id = ?
        order by people.row_number, metrics.sort_order""", [report_id],
                columns=("row_number", "person_name", "row_kind", "metric_name_zh", "cell",
                         "raw_text", "value"))


def file_issues(sha256: str) -> list[dict]:
    return rows("""select sheet, cell, row_number, severity, code, message
                   from main.ingest_issues where sha256 = ?
                   order by severity, row_number nulls first, cell""", [sha256],
                columns=("sheet", "cell", "row_number", "severity", "code", "message"))
