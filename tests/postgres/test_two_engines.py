"""The sample pipeline on PostgreSQL and on DuckDB: `bangfu run` on the same raw folder into a
DuckDB file and into a database of a real server; every table of schema `main` equal row for
row (values to 1e-9), the same columns and types, the contract holding on both
(check_contract.py given the file and the URL), and the site, the report and the export made
from the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from warehouses import published_tables, same_tables

REPO_ROOT = Path(__file__).resolve().parents[2]
CHECK_CONTRACT = REPO_ROOT.parent / "shared" / "tools" / "check_contract.py"


def bangfu(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], env=env,
                          capture_output=True, text=True, check=False, cwd=REPO_ROOT)


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory, pg_server) -> dict[str, dict[str, str]]:
    """The sample corpus, run once into each engine; each run's environment."""
    root = tmp_path_factory.mktemp("engines")
    raw = root / "raw"
    base = {**os.environ, "BANGFU_RAW_DIR": str(raw), "BANGFU_SETTLE_SECONDS": "0"}
    done = bangfu(base, "sample")
    assert done.returncode == 0, done.stderr
    envs = {
        "duckdb": {**base, "BANGFU_WAREHOUSE": str(root / "duck" / "bangfu.duckdb"),
                   "BANGFU_SITE_DIR": str(root / "duck" / "site"),
                   "DAGSTER_HOME": str(root / "duck" / "dagster")},
        "postgres": {**base, "BANGFU_WAREHOUSE": pg_server.create_database("engines"),
                     "BANGFU_FILES_DIR": str(root / "pg" / "files"),
                     "BANGFU_SITE_DIR": str(root / "pg" / "site"),
                     "DAGSTER_HOME": str(root / "pg" / "dagster")},
    }
    for engine, env in envs.items():
        done = bangfu(env, "run")
        assert done.returncode == 0, f"{engine}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return envs


def test_every_mart_equal_row_for_row(engines) -> None:
    duck = published_tables(engines["duckdb"]["BANGFU_WAREHOUSE"])
    assert {"ingest_files", "ingest_issues", "mart_capacity_trend"} <= set(duck)
    assert all(frame.height for name, (_, frame) in duck.items()
               if name != "ingest_skipped_files")
    same_tables(duck, published_tables(engines["postgres"]["BANGFU_WAREHOUSE"]))


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_contract_holds(engines, engine: str) -> None:
    done = subprocess.run([sys.executable, str(CHECK_CONTRACT),
                           engines[engine]["BANGFU_WAREHOUSE"]],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "holds" in done.stdout


def test_site_report_and_export_from_the_server(engines, tmp_path: Path) -> None:
    env = engines["postgres"]
    site = Path(env["BANGFU_SITE_DIR"])
    assert (site / "index.html").is_file()
    # The feedback section finds the archived files in BANGFU_FILES_DIR.
    archive = Path(env["BANGFU_FILES_DIR"]) / "archive"
    assert any(archive.rglob("*.xlsx"))
    exported = bangfu(env, "export", "--out", str(tmp_path / "export"))
    assert exported.returncode == 0, exported.stderr
    workbook = tmp_path / "export" / "bangfu_marts.xlsx"
    assert workbook.is_file()
    duck_export = bangfu(engines["duckdb"], "export", "--out", str(tmp_path / "duck"))
    assert duck_export.returncode == 0, duck_export.stderr
    for parquet in (tmp_path / "duck").glob("*.parquet"):
        duck, server = pl.read_parquet(parquet), pl.read_parquet(tmp_path / "export" /
                                                                  parquet.name)
        assert duck.columns == server.columns and duck.height == server.height, parquet.name
    reported = bangfu(env, "report", "--year", "2022", "--out", str(tmp_path / "reports"))
    assert reported.returncode == 0, reported.stderr
    assert list((tmp_path / "reports").glob("*2022*.xlsx"))


def test_a_url_is_never_a_folder(tmp_path: Path) -> None:
    """Before: BANGFU_WAREHOUSE=postgresql://… built a DuckDB file in a folder `postgresql:`
    and exited 0. A server that does not answer, or a URL of another kind, is one line."""
    (tmp_path / "raw").mkdir()
    env = {**os.environ, "BANGFU_RAW_DIR": str(tmp_path / "raw"),
           "BANGFU_SITE_DIR": str(tmp_path / "site"), "BANGFU_FILES_DIR": str(tmp_path / "f"),
           "DAGSTER_HOME": str(tmp_path / "dagster")}
    closed = bangfu({**env, "BANGFU_WAREHOUSE": "postgresql://bangfu@127.0.0.1:1/bangfu"},
                    "run")
    assert closed.returncode != 0
    assert "无法连接数据仓库 postgresql://bangfu@127.0.0.1:1/bangfu" in closed.stderr + \
        closed.stdout
    other = bangfu({**env, "BANGFU_WAREHOUSE": "mysql://bangfu@127.0.0.1/bangfu"}, "run")
    assert other.returncode == 2
    assert "warehouse_url_unsupported" in other.stderr
    assert not list(REPO_ROOT.glob("postgresql:*")) and not list(REPO_ROOT.glob("mysql:*"))
    assert not list(tmp_path.rglob("*.duckdb"))
