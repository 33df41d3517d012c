"""The portal's review actions as a raw input: its export (Settings.review_actions, a CSV the
portal rewrites after every action) read into `raw.review_actions` by each run, so that
approval reaches the marts like any other input (dbt: stg_review_actions → int_report_reviews).
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from pipelines.warehouse.raw_schema import polars_schema

TABLE = "review_actions"


def read_review_actions(path: Path) -> pl.DataFrame:
    """The export's rows in its order (empty when the portal has exported nothing)."""
    schema = polars_schema(TABLE)
    if not path.is_file():
        return pl.DataFrame(schema=schema)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [{"sequence": str(position), **{name: row.get(name) or None
                                          for name in schema if name != "sequence"}}
                for position, row in enumerate(csv.DictReader(fh), start=1)]
    texts = pl.DataFrame(rows, schema={name: pl.String for name in schema}, orient="row")
    return texts.with_columns(
        pl.col("sequence").cast(pl.Int32),
        pl.col("period_start", "period_end").str.to_date("%Y-%m-%d"),
        # Written with its UTC offset; kept in UTC, as every timestamp of the raw layer.
        pl.col("acted_at").str.to_datetime(time_zone="UTC").dt.replace_time_zone(None)
        .dt.cast_time_unit("us"),
    ).select(list(schema))


def records_review_actions(con, actions: pl.DataFrame) -> bool:
    """Whether the warehouse's raw.review_actions holds exactly `actions`."""
    [(present,)] = con.execute(
        "select count(*) from information_schema.tables "
        f"where table_schema = 'raw' and table_name = '{TABLE}'").fetchall()
    if not present:
        return actions.is_empty()
    columns = ", ".join(actions.columns)
    loaded = con.sql(f"select {columns} from raw.{TABLE} order by sequence").pl()
    return loaded.equals(actions)
