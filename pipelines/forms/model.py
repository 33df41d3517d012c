"""What the reader makes of a file: reports (one per form sheet), their rows and cells, and
the issues found on the way. Plain data, picklable across worker processes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipelines.issues import Issue


@dataclass(frozen=True)
class ReportColumn:
    metric_code: str
    column_name: str  # the header as written; a two-row header joined as 诊疗人次·门诊
    column_letter: str


@dataclass(frozen=True)
class CellValue:
    metric_code: str
    cell: str
    raw_text: str
    value: float | None  # None: the text is not a number


@dataclass(frozen=True)
class ActivityRow:
    row_number: int  # 1-based spreadsheet row
    row_kind: str  # person | totals
    person_name: str | None
    person_key: str | None
    name_cell: str
    values: tuple[CellValue, ...]
    person_title: str | None = None  # 主任医师 from 张三（主任医师）; not part of the identity


@dataclass(frozen=True)
class CapacityValue:
    row_number: int
    cell: str
    metric_code: str
    indicator_name: str
    year: int
    raw_text: str
    value: float | None


@dataclass
class Report:
    sheet: str | None
    sheet_index: int
    form_type: str  # activity | capacity
    supporting_hospital: str | None = None
    recipient_hospital: str | None = None
    department: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    header_row: int | None = None
    columns: list[ReportColumn] = field(default_factory=list)
    rows: list[ActivityRow] = field(default_factory=list)
    capacity: list[CapacityValue] = field(default_factory=list)
    part: int = 0  # the report's place among the reports of its sheet


@dataclass
class ParsedFile:
    form_type: str  # activity | capacity | unknown
    sheet_count: int
    reports: list[Report] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def has_file_error(self) -> bool:
        return any(issue.is_file_level for issue in self.issues)
