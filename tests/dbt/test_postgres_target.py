"""One model set, two engines: the hand-written corpus of test_marts, built by dbt on DuckDB
(the `warehouse` fixture) and on a real PostgreSQL server (its raw tables copied there with
the loader's COPY): `dbt build` passes on the server with every data test and unit test, and
every table of `main` holds the same rows, column for column and type for type."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warehouses import published_tables, same_tables

from pipelines.defs.transform import postgres_target_environment
from pipelines.warehouse import postgres
from pipelines.warehouse.location import parse_warehouse
from pipelines.warehouse.raw_schema import RAW_SCHEMA, raw_ddl, raw_tables

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")


@pytest.fixture(scope="module")
def server_warehouse(warehouse: Path, pg_server, tmp_path_factory) -> tuple[str, str]:
    """test_marts' raw tables on the server, built there by dbt; (its URL, dbt's output)."""
    url = pg_server.create_database("dbt_marts")
    location = parse_warehouse(url, REPO_ROOT)
    with duckdb.connect(str(warehouse), read_only=True) as source, \
            postgres.connect(location) as con:
        con.execute(raw_ddl(RAW_SCHEMA, "postgres"))
        for table in raw_tables():
            postgres.copy_frame(con, RAW_SCHEMA, table,
                                source.sql(f"select * from raw.{table}").pl())
    work = tmp_path_factory.mktemp("dbt_postgres")
    done = subprocess.run(
        [str(DBT), "build", "--target", "postgres", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        env={**os.environ, "DBT_USE_COLORS": "false",
             **postgres_target_environment(location, schema_suffix="")},
        cwd=work, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    return url, done.stdout


def test_dbt_tests_and_unit_tests_pass_on_the_server(server_warehouse) -> None:
    _, output = server_warehouse
    ran = re.search(r"Finished running .*?(\d+) data tests, (\d+) unit tests", output)
    assert ran and int(ran[1]) > 30 and int(ran[2]) >= 3, output[-2000:]
    done = re.search(r"Done\. PASS=(\d+) WARN=\d+ ERROR=(\d+) SKIP=(\d+)", output)
    assert done and int(done[1]) > 70 and done[2] == "0" and done[3] == "0", output[-2000:]


def test_same_tables_as_duckdb(warehouse: Path, server_warehouse) -> None:
    url, _ = server_warehouse
    same_tables(published_tables(str(warehouse)), published_tables(url))
