"""The frames the suites validate, made from a batch of read files.

Each frame carries the columns that locate a failure for the submitter — sha256, sheet,
row_number, cell, column_name, value_found — beside the columns the expectations test.
A suite names its frame in its meta; a new suite over an existing frame needs no code.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import polars as pl

from pipelines.batch import FormBatch
from pipelines.forms.vocabulary import vocabulary

LOCATION_COLUMNS = ["sha256", "sheet", "row_number", "cell", "column_name", "value_found"]


def _metric_types() -> pl.DataFrame:
    return pl.DataFrame(
        [(m.code, m.value_type) for m in vocabulary().metrics.values()],
        schema={"metric_code": pl.String, "value_type": pl.String},
        orient="row",
    )


def activity_cells(batch: FormBatch) -> pl.DataFrame:
    """One row per metric cell of a person row, with its number, its whole-number remainder
    and its rate per day of the reporting period."""
    people = batch.activity_rows.filter(pl.col("row_kind") == "person").select(
        "report_id", "row_number", "sheet"
    )
    return (
        batch.activity_values.join(people, on=["report_id", "row_number"])
        .join(batch.report_columns.select("report_id", "metric_code", "column_name"),
              on=["report_id", "metric_code"], how="left")
        .join(batch.reports.select("report_id", "period_start", "period_end"), on="report_id")
        .join(_metric_types(), on="metric_code", how="left")
        .with_columns(
            value_found=pl.col("raw_text"),
            whole_remainder=(pl.col("value") - pl.col("value").round(0)).abs(),
            period_days=(pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1,
        )
        .with_columns(value_per_day=pl.col("value") / pl.col("period_days"))
    )


def activity_rows(batch: FormBatch) -> pl.DataFrame:
    """One row per person row of an activity report."""
    return batch.activity_rows.filter(pl.col("row_kind") == "person").with_columns(
        cell=pl.col("name_cell"),
        column_name=pl.lit("姓名"),
        value_found=pl.col("person_name"),
    )


def capacity_cells(batch: FormBatch) -> pl.DataFrame:
    """One row per (indicator, year) cell of a capacity report."""
    return batch.capacity_values.join(_metric_types(), on="metric_code", how="left").with_columns(
        column_name=pl.col("indicator_name"),
        value_found=pl.col("raw_text"),
    )


FRAMES: dict[str, Callable[[FormBatch], pl.DataFrame]] = {
    "activity_cells": activity_cells,
    "activity_rows": activity_rows,
    "capacity_cells": capacity_cells,
}


def frame_for(name: str, batch: FormBatch) -> pd.DataFrame:
    """The frame as GX validates it: pandas, with a plain 0..n-1 index that maps GX's
    unexpected rows back to their cells."""
    return FRAMES[name](batch).to_pandas().reset_index(drop=True)
