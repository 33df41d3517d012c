"""Comparing two published warehouses (a DuckDB file, a PostgreSQL database): every table of
schema `main`, its columns and types, its rows (values to 1e-9)."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl

from pipelines.warehouse.location import parse_warehouse
from pipelines.warehouse.reading import open_published

REPO_ROOT = Path(__file__).resolve().parents[1]
# Facts of each warehouse's own run, not of the files: when it saw a file, and the name of
# the annotated copy it made (named by the copy's bytes, which hold the time it was made).
RUN_FACTS = ("first_seen_at", "last_seen_at", "annotated_copy")


def published_tables(warehouse: str) -> dict[str, tuple[list, pl.DataFrame]]:
    """Each table of `main`: its (column, type) list and its rows."""
    location = parse_warehouse(warehouse, REPO_ROOT)
    with open_published(location) as reader:
        return {name: (reader.columns(name), reader.frame(name))
                for name in sorted(reader.tables())}


def _rows(frame: pl.DataFrame) -> list[tuple]:
    kept = frame.drop([c for c in RUN_FACTS if c in frame.columns])
    return sorted(kept.rows(), key=lambda row: [(value is None, str(value)) for value in row])


def _equal(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    return left == right


def same_tables(duck: dict, server: dict) -> None:
    """Assert the same tables, columns, types and rows (floats to 1e-9)."""
    assert sorted(server) == sorted(duck)
    for table, (columns, frame) in duck.items():
        server_columns, server_frame = server[table]
        assert server_columns == columns, table
        assert server_frame.height == frame.height, table
        names = [c for c, _ in columns if c not in RUN_FACTS]
        for duck_row, server_row in zip(_rows(frame), _rows(server_frame), strict=True):
            differing = [(name, a, b) for name, a, b in zip(names, duck_row, server_row,
                                                             strict=True) if not _equal(a, b)]
            assert not differing, (table, differing, duck_row)
