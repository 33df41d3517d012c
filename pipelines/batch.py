"""A batch of read files as frames, one per table of the raw layer.

This is the shape that flows from reading to validation to loading: the reader's dataclasses
are flattened once here, so validation and loading work on columns, not objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from typing import Any

import polars as pl

from pipelines.forms.model import ParsedFile
from pipelines.issues import Issue
from pipelines.warehouse.raw_schema import polars_schema


def _frame(table: str, records: list[dict[str, Any]]) -> pl.DataFrame:
    """One table's records as a frame of the schema sources.yml declares for its raw table."""
    return pl.DataFrame(records, schema=polars_schema(table), orient="row")


def issue_records(sha256: str, issues: list[Issue]) -> list[dict[str, Any]]:
    return [{"sha256": sha256, **issue.as_record()} for issue in issues]


@dataclass(frozen=True)
class FormBatch:
    parsed_files: pl.DataFrame
    reports: pl.DataFrame
    report_columns: pl.DataFrame
    activity_rows: pl.DataFrame
    activity_values: pl.DataFrame
    capacity_values: pl.DataFrame
    issues: pl.DataFrame

    @classmethod
    def table_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def tables(self) -> dict[str, pl.DataFrame]:
        """Each raw table's rows, by name, as the loader takes them."""
        return {name: getattr(self, name) for name in self.table_names()}

    @classmethod
    def empty(cls) -> FormBatch:
        return cls(**{name: _frame(name, []) for name in cls.table_names()})

    @classmethod
    def from_parsed(cls, parsed: dict[tuple[str, str], ParsedFile], reader_version: str,
                    parsed_at: dt.datetime) -> FormBatch:
        """Flatten files read, keyed by (sha256, the path each was read from)."""
        records: dict[str, list[dict[str, Any]]] = {name: [] for name in cls.table_names()}
        for (sha256, path), form in parsed.items():
            records["parsed_files"].append({
                "sha256": sha256, "parsed_path": path, "form_type": form.form_type,
                "sheet_count": form.sheet_count, "parsed_at": parsed_at,
                "reader_version": reader_version, "annotated_copy": None,
                "annotation_note": None,
            })
            records["issues"].extend(issue_records(sha256, form.issues))
            for report in form.reports:
                report_id = f"{sha256}:{report.sheet_index}:{report.part}"
                keys = {"report_id": report_id, "sha256": sha256}
                records["reports"].append({
                    **keys, "sheet": report.sheet, "sheet_index": report.sheet_index,
                    "form_type": report.form_type,
                    "supporting_hospital": report.supporting_hospital,
                    "recipient_hospital": report.recipient_hospital,
                    "department": report.department, "period_start": report.period_start,
                    "period_end": report.period_end, "header_row": report.header_row,
                })
                records["report_columns"].extend(
                    {**keys, "metric_code": c.metric_code, "column_name": c.column_name,
                     "column_letter": c.column_letter}
                    for c in report.columns
                )
                for row in report.rows:
                    records["activity_rows"].append({
                        **keys, "sheet": report.sheet, "row_number": row.row_number,
                        "row_kind": row.row_kind, "person_name": row.person_name,
                        "person_key": row.person_key, "name_cell": row.name_cell,
                        "person_title": row.person_title,
                    })
                    records["activity_values"].extend(
                        {**keys, "row_number": row.row_number, "metric_code": v.metric_code,
                         "cell": v.cell, "raw_text": v.raw_text, "value": v.value}
                        for v in row.values
                    )
                records["capacity_values"].extend(
                    {**keys, "sheet": report.sheet, "row_number": v.row_number, "cell": v.cell,
                     "metric_code": v.metric_code, "indicator_name": v.indicator_name,
                     "year": v.year, "raw_text": v.raw_text, "value": v.value}
                    for v in report.capacity
                )
        return cls(**{name: _frame(name, rows) for name, rows in records.items()})

    def in_pieces(self, rows: int) -> Iterator[FormBatch]:
        """The batch as consecutive batches of whole files, each holding at most `rows`
        activity rows (or one file, however many it holds)."""
        per_file = (self.parsed_files.select("sha256")
                    .join(self.activity_rows.group_by("sha256").len(), on="sha256", how="left",
                          maintain_order="left")
                    .with_columns(pl.col("len").fill_null(0)))
        if per_file.is_empty():
            yield self
            return
        piece, held = [], 0
        for sha256, count in per_file.iter_rows():
            if piece and held + count > rows:
                yield self._of(piece)
                piece, held = [], 0
            piece.append(sha256)
            held += count
        yield self._of(piece)

    def _of(self, sha256s: list[str]) -> FormBatch:
        return FormBatch(**{name: frame.filter(pl.col("sha256").is_in(sha256s))
                            for name, frame in self.tables().items()})

    def with_issues(self, more: pl.DataFrame) -> FormBatch:
        return replace(self, issues=pl.concat([self.issues, more.select(self.issues.columns)]))

    @property
    def file_count(self) -> int:
        return self.parsed_files.height
