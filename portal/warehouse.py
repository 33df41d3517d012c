"""What the portal reads from the published warehouse (read-only): the status a run gave each
uploaded file, and the reports a reviewer decides on with their values and problems. One
small module, so that the PostgreSQL engine has one place to plug in."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.settings import Settings
from portal.places import warehouse_url

# The statuses of ingest_files, as submitters read them.
STATUS_WORDS = {
    "accepted": "已接收", "partial": "部分接收", "rejected": "退回", "superseded": "已被新版本替代",
    "duplicate": "重复文件", "withdrawn": "已撤回",
}


def warehouse_file() -> Path | None:
    if warehouse_url():
        return None  # the PostgreSQL engine's reading goes here when it is merged
    path = Settings.from_env().warehouse
    return path if path.exists() else None


@contextmanager
def _connection():
    path = warehouse_file()
    if path is None:
        yield None
        return
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


def rows(sql: str, parameters: list | None = None) -> list[dict]:
    """The rows of a query on the published warehouse; none before the first run."""
    with _connection() as con:
        if con is None:
            return []
        cursor = con.execute(sql, parameters or [])
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def file_statuses(paths: list[str]) -> dict[tuple[str, str], str]:
    """(file_path, sha256) → status, for the given raw-folder paths."""
    if not paths:
        return {}
    found = rows("select file_path, sha256, status from main.ingest_files "
                 "where list_contains($paths, file_path)", {"paths": paths})
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


def reviewable_reports() -> list[Report]:
    """The reports of the files that counted in the last run (accepted or partial)."""
    found = rows(_REPORTS + " order by reports.period_start desc, files.file_path, reports.sheet")
    return [Report(**row) for row in found]


def report(report_id: str) -> Report | None:
    found = rows(_REPORTS + " and reports.report_id = ?", [report_id])
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
        order by people.row_number, metrics.sort_order""", [report_id])


def file_issues(sha256: str) -> list[dict]:
    return rows("""select sheet, cell, row_number, severity, code, message
                   from main.ingest_issues where sha256 = ?
                   order by severity, row_number nulls first, cell""", [sha256])
