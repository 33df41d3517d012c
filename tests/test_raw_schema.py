"""The raw layer is declared once (dbt_project/models/staging/sources.yml); the DDL, the
loader's polars schemas and the staging models follow from it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from pipelines.batch import FormBatch
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.warehouse.raw_schema import raw_ddl, raw_tables

STAGING = DBT_PROJECT_DIR / "models" / "staging"


def test_the_ddl_creates_exactly_the_declared_tables(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute(raw_ddl())
        con.execute(raw_ddl())  # every working copy runs it again: idempotent
        built = con.execute("""
            select table_name, column_name, lower(data_type), is_nullable = 'NO'
            from information_schema.columns where table_schema = 'raw'
            order by table_name, ordinal_position""").fetchall()
        keys = dict(con.execute("""
            select table_name, constraint_column_names from duckdb_constraints()
            where schema_name = 'raw' and constraint_type = 'PRIMARY KEY'""").fetchall())
    declared = sorted(raw_tables().items())
    assert built == [(name, c.name, c.data_type, c.not_null)
                     for name, table in declared for c in table.columns]
    assert keys == {name: list(t.primary_key) for name, t in declared if t.primary_key}
    assert keys["file_versions"] == ["file_path", "sha256"]
    assert raw_tables()["issues"].columns[2].not_null is False  # row_number: NULL = file level


def test_a_warehouse_built_before_a_nullable_column_gains_it(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute(raw_ddl())
        con.execute("alter table raw.activity_rows drop column person_title")
        con.execute("insert into raw.activity_rows values ('r', 's', null, 5, 'person', "
                    "'张三', '张三', 'A5')")
        con.execute(raw_ddl())
        assert con.execute("select person_name, person_title from raw.activity_rows"
                           ).fetchall() == [("张三", None)]


def test_the_loaders_frames_have_the_declared_schemas() -> None:
    batch = FormBatch.empty()
    for name in FormBatch.table_names():
        frame = getattr(batch, name)
        assert dict(frame.schema) == raw_tables()[name].polars_schema(), name
        assert list(frame.columns) == [c.name for c in raw_tables()[name].columns]


def test_staging_has_one_view_per_raw_table_with_its_columns_documented_once() -> None:
    models = yaml.safe_load((STAGING / "staging.yml").read_text(encoding="utf-8"))["models"]
    staged = {m["name"].removeprefix("stg_"): m for m in models}
    assert set(staged) == set(raw_tables())
    docs = (STAGING / "raw_columns.md").read_text(encoding="utf-8")
    for name, table in raw_tables().items():
        columns = staged[name]["columns"]
        assert [c["name"] for c in columns] == [c.name for c in table.columns], name
        for column in columns:
            block = f"raw__{name}__{column['name']}"
            assert column["description"] == f'{{{{ doc("{block}") }}}}'
            assert f"{{% docs {block} %}}" in docs
        sql = (STAGING / f"stg_{name}.sql").read_text(encoding="utf-8")
        assert "cast(" not in sql and f"source('raw', '{name}')" in sql
