"""Dagster on the server: `bangfu run` with a DAGSTER_HOME holding deploy/dagster.yaml
(dagster-postgres storage, credentials from the environment, the QueuedRunCoordinator) records
its run in Dagster's run storage on the PostgreSQL server, where the webserver and the daemon
would find it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import psycopg
import pytest
from test_crash import corpus

REPO_ROOT = Path(__file__).resolve().parents[2]
DAGSTER_YAML = REPO_ROOT / "deploy" / "dagster.yaml"


def test_bangfu_run_is_in_the_servers_run_storage(tmp_path: Path, pg_server) -> None:
    warehouse = pg_server.create_database("warehouse_of_dagster_test")
    history = urlsplit(pg_server.create_database("dagster"))
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(DAGSTER_YAML, home / "dagster.yaml")
    corpus(tmp_path / "raw")
    env = {**os.environ, "DAGSTER_HOME": str(home), "BANGFU_WAREHOUSE": warehouse,
           "BANGFU_RAW_DIR": str(tmp_path / "raw"), "BANGFU_SITE_DIR": str(tmp_path / "site"),
           "BANGFU_FILES_DIR": str(tmp_path / "files"), "BANGFU_SETTLE_SECONDS": "0",
           "DAGSTER_PG_HOST": history.hostname, "DAGSTER_PG_PORT": str(history.port),
           "DAGSTER_PG_USER": history.username, "DAGSTER_PG_PASSWORD": "",
           "DAGSTER_PG_DB": history.path.lstrip("/")}
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # Nothing of the history on disk: it is all on the server.
    assert sorted(p.name for p in home.iterdir()) == ["dagster.yaml"] or not list(
        home.rglob("*.db"))

    with psycopg.connect(pg_server.url("dagster")) as con:
        runs = con.execute("select pipeline_name, status from runs").fetchall()
    assert runs == [("bangfu_pipeline", "SUCCESS")]

    with pytest.MonkeyPatch.context() as patch:
        for name in ("DAGSTER_HOME", "DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER",
                     "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB"):
            patch.setenv(name, env[name])
        with dg.DagsterInstance.get() as instance:
            (run,) = instance.get_runs()
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            assert run.status == dg.DagsterRunStatus.SUCCESS
            assert run.tags["bangfu/warehouse"].startswith("postgresql://postgres@127.0.0.1")
            materialized = instance.get_latest_materialization_event(
                dg.AssetKey("published_warehouse"))
            assert materialized is not None and materialized.run_id == run.run_id
