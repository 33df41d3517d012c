"""The portal's review actions as a raw input: read from its export, loaded into
raw.review_actions, and a changed export is something new for the next run."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse import store
from pipelines.warehouse.manifest import Scan
from pipelines.warehouse.raw_schema import polars_schema, raw_ddl
from pipelines.warehouse.reviews import TABLE, read_review_actions, records_review_actions

COLUMNS = ["report_id", "sha256", "file_path", "sheet", "supporting_hospital",
           "recipient_hospital", "department", "period_start", "period_end", "action", "reason",
           "acted_by", "acted_at"]


def export(path: Path, *actions: tuple[str, str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for report_id, action, acted_at in actions:
            writer.writerow([report_id, "abc", "S/R/2022/a.xlsx", "", "S", "R", "心内科",
                             "2022-01-01", "2022-03-31", action, "请核对" * (action == "return"),
                             "lx", acted_at])
    return path


def test_an_export_is_read_typed_and_in_order(tmp_path: Path) -> None:
    assert read_review_actions(tmp_path / "none.csv").is_empty()
    frame = read_review_actions(export(
        tmp_path / "r.csv", ("abc:0:0", "return", "2026-12-07T15:30:00+08:00"),
        ("abc:0:0", "approve", "2026-12-07T08:00:00+00:00")))
    assert frame["sequence"].to_list() == [1, 2]
    assert frame["acted_at"].to_list() == [dt.datetime(2026, 12, 7, 7, 30),
                                           dt.datetime(2026, 12, 7, 8, 0)]  # UTC
    assert frame["period_start"].to_list() == [dt.date(2022, 1, 1)] * 2
    assert frame["sheet"].to_list() == [None, None] and frame["reason"][0] == "请核对"


def test_a_changed_export_is_not_what_the_warehouse_records(tmp_path: Path) -> None:
    first = read_review_actions(export(tmp_path / "1.csv",
                                       ("abc:0:0", "approve", "2026-12-07T08:00:00+00:00")))
    withdrawn = read_review_actions(export(
        tmp_path / "2.csv", ("abc:0:0", "approve", "2026-12-07T08:00:00+00:00"),
        ("abc:0:0", "withdraw", "2026-12-07T09:00:00+00:00")))
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(raw_ddl())
        assert records_review_actions(con, read_review_actions(tmp_path / "none.csv"))
        assert not records_review_actions(con, first)
    nothing = Scan(pl.DataFrame(schema=polars_schema("file_versions")),
                   pl.DataFrame(schema=polars_schema("skipped_files")).drop("seen_at"))
    for actions in (first, withdrawn):
        # As a run loads them: a table replaced whole, in the load's transaction.
        store.record_scan(database, nothing, dt.datetime(2026, 12, 7), {TABLE: actions})
        with duckdb.connect(str(database), read_only=True) as con:
            assert records_review_actions(con, actions)
            assert not records_review_actions(con, first if actions is withdrawn else withdrawn)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select action from raw.review_actions order by sequence"
                           ).fetchall() == [("approve",), ("withdraw",)]
