"""Reading the published warehouse's schema `main`, whichever engine holds it: the site,
the report, the export and the run's summary open it here.

DuckDB: the file opened read-only. PostgreSQL: one read-only REPEATABLE READ transaction, so
every table read comes from the same published warehouse (a publish waits for it to end).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.warehouse.location import WarehouseLocation

SCHEMA = "main"


@dataclass
class MartReader:
    """An open, read-only view of schema `main`."""

    connection: Any
    is_server: bool
    updated_at: dt.datetime | None = None

    def rows(self, query: str, parameters: list | tuple = ()) -> list[tuple]:
        """The rows of `query`; parameters are written `?` (translated for the server)."""
        if self.is_server:
            return self.connection.execute(query.replace("?", "%s"), parameters).fetchall()
        return self.connection.execute(query, parameters).fetchall()

    def tables(self) -> set[str]:
        return {name for (name,) in self.rows(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_catalog = current_database()", [SCHEMA])}

    def columns(self, table: str) -> list[tuple[str, str]]:
        """(name, type) of each column, in order, types as DuckDB names them (DOUBLE,
        VARCHAR, BIGINT …) whichever engine holds the table."""
        found = self.rows(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? and table_catalog = current_database() "
            "order by ordinal_position", [SCHEMA, table])
        return [(name, _DUCKDB_NAMES.get(kind, kind.upper()) if self.is_server else kind)
                for name, kind in found]

    def frame(self, table: str) -> pl.DataFrame:
        """A table of `main` as a polars frame, columns typed as the catalogue types them."""
        if not self.is_server:
            return self.connection.sql(f'select * from {SCHEMA}."{table}"').pl()
        schema = {name: _polars_type(kind) for name, kind in self.columns(table)}
        with self.connection.cursor() as cursor:
            cursor.execute(f'select * from {SCHEMA}."{table}"')
            records = cursor.fetchall()
        return pl.DataFrame(records, schema=schema, orient="row")


# information_schema's names for the types the marts use, as DuckDB names them.
_DUCKDB_NAMES = {
    "character varying": "VARCHAR", "text": "VARCHAR", "double precision": "DOUBLE",
    "bigint": "BIGINT", "integer": "INTEGER", "boolean": "BOOLEAN", "date": "DATE",
    "timestamp without time zone": "TIMESTAMP", "numeric": "DECIMAL", "json": "JSON",
    "jsonb": "JSON", "real": "FLOAT", "smallint": "SMALLINT",
}
_POLARS_TYPES = {
    "VARCHAR": pl.String, "DOUBLE": pl.Float64, "FLOAT": pl.Float64, "DECIMAL": pl.Float64,
    "BIGINT": pl.Int64, "INTEGER": pl.Int32, "SMALLINT": pl.Int16, "BOOLEAN": pl.Boolean,
    "DATE": pl.Date, "TIMESTAMP": pl.Datetime("us"), "JSON": pl.String,
}


def _polars_type(kind: str) -> Any:
    return _POLARS_TYPES.get(kind, pl.String)


def published_exists(location: WarehouseLocation) -> bool:
    if location.is_server:
        from pipelines.warehouse import postgres

        return postgres.published_exists(location)
    return location.path.exists()


@contextlib.contextmanager
def open_published(location: WarehouseLocation) -> Iterator[MartReader]:
    """The published warehouse, read-only, for the duration of the block."""
    if location.is_server:
        from psycopg.types.json import set_json_loads

        from pipelines.warehouse import postgres

        with postgres.connect(location) as con:
            # JSON columns as their text, as DuckDB gives them.
            set_json_loads(lambda data: bytes(data).decode(), con)
            con.execute("set transaction isolation level repeatable read, read only")
            yield MartReader(con, True, _server_updated_at(con))
            con.rollback()
        return
    import duckdb

    path = Path(location.path)
    updated_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    with duckdb.connect(str(path), read_only=True) as con:
        yield MartReader(con, False, updated_at)


def _server_updated_at(con) -> dt.datetime | None:
    """When the published warehouse was published (its build record says), for a reader
    allowed to see the record; None for the others."""
    from pipelines.warehouse.postgres import BUILD_RECORD_TABLE, RAW_SCHEMA

    table = f"{RAW_SCHEMA}.{BUILD_RECORD_TABLE}"
    (allowed,) = con.execute(
        "select to_regclass(%s) is not null and has_table_privilege(%s, 'select')",
        [table, table]).fetchone()
    if not allowed:
        return None
    row = con.execute(f"select (record->>'published_at')::timestamptz from {table}").fetchone()
    return row[0] if row else None
