"""The raw layer, declared once in dbt_project/models/staging/sources.yml (each column's
data_type and config meta not_null, each table's config meta primary_key), turned here into
what Python needs: the DDL that creates the raw tables and the polars schema of each."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from pipelines.settings import DBT_PROJECT_DIR

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "sources.yml"
RAW_SCHEMA = "raw"
# sources.yml's types as each engine spells them where the two differ (DuckDB takes the
# PostgreSQL spelling too, but its catalog shows DOUBLE, the name its users know).
ENGINE_TYPES = {"duckdb": {}, "postgres": {"double": "double precision"}}
POLARS_TYPES: dict[str, Any] = {
    "varchar": pl.String, "integer": pl.Int32, "bigint": pl.Int64, "double": pl.Float64,
    "boolean": pl.Boolean, "date": pl.Date, "timestamp": pl.Datetime("us"),
}


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    not_null: bool


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    def ddl(self, schema: str = RAW_SCHEMA, engine: str = "duckdb") -> str:
        types = ENGINE_TYPES[engine]
        lines = [f"    {c.name} {types.get(c.data_type, c.data_type)}"
                 f"{' not null' if c.not_null else ''}" for c in self.columns]
        if self.primary_key:
            lines.append(f"    primary key ({', '.join(self.primary_key)})")
        return (f"create table if not exists {schema}.{self.name} (\n"
                + ",\n".join(lines) + "\n);")

    def added_columns(self, schema: str = RAW_SCHEMA, engine: str = "duckdb") -> list[str]:
        """Columns a warehouse built before they were declared gains on its next run (only
        nullable ones can be added to a table that has rows)."""
        types = ENGINE_TYPES[engine]
        return [f"alter table {schema}.{self.name} add column if not exists "
                f"{c.name} {types.get(c.data_type, c.data_type)};"
                for c in self.columns if not c.not_null]

    def polars_schema(self) -> dict[str, Any]:
        return {c.name: POLARS_TYPES[c.data_type] for c in self.columns}


def _meta(spec: dict[str, Any]) -> dict[str, Any]:
    return (spec.get("config") or {}).get("meta") or {}


@cache
def raw_tables(path: Path = SOURCES_FILE) -> dict[str, Table]:
    with path.open(encoding="utf-8") as fh:
        # libyaml's loader where it is built in: the file is large, and the reader needs it.
        loaded = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        (source,) = [s for s in loaded["sources"] if s["name"] == RAW_SCHEMA]
    tables = {}
    for spec in source["tables"]:
        columns = tuple(
            Column(c["name"], c["data_type"], bool(_meta(c).get("not_null")))
            for c in spec["columns"])
        if unknown := {c.data_type for c in columns} - set(POLARS_TYPES):
            raise ValueError(f"{path.name}: {spec['name']} has undeclared types {unknown}")
        key = tuple(_meta(spec).get("primary_key", ()))
        # A key column is NOT NULL, as DuckDB makes it.
        columns = tuple(Column(c.name, c.data_type, c.not_null or c.name in key)
                        for c in columns)
        tables[spec["name"]] = Table(spec["name"], columns, key)
    return tables


def raw_ddl(schema: str = RAW_SCHEMA, engine: str = "duckdb") -> str:
    """The statements that create the raw layer in `schema` (idempotent: run on every
    working copy), in `engine`'s SQL."""
    statements = [f"create schema if not exists {schema};"]
    for table in raw_tables().values():
        statements += [table.ddl(schema, engine), *table.added_columns(schema, engine)]
    return "\n".join(statements) + "\n"


def polars_schema(table: str) -> dict[str, Any]:
    return raw_tables()[table].polars_schema()
