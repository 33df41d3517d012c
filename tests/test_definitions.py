"""The Dagster definitions load, as `dagster dev` loads them, with every asset, check, the
schedule and the sensor."""

from __future__ import annotations

import os

import dagster as dg

from pipelines.definitions import defs
from pipelines.validation.suites import suite_tables


def test_definitions_load_with_the_whole_graph() -> None:
    repository = defs.get_repository_def()
    keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    assert {"raw/file_versions", "raw/skipped_files", "raw/issues", "main/ingest_files",
            "main/ingest_issues", "main/mart_capacity_trend", "dbt_docs",
            "published_warehouse", "dashboard_site"} <= keys
    # Ingest is one step that materializes the raw tables, which are dbt's sources.
    ingested = {key.to_user_string() for key, asset in repository.assets_defs_by_key.items()
                if asset.node_def.name == "ingest"}
    assert ingested == {key for key in keys if key.startswith("raw/")}

    checks = {key.name: key for key in repository.asset_graph.asset_check_keys}
    # The suites are checks of the raw tables their rows come from.
    for suite, table in suite_tables().items():
        assert checks[f"suite_{suite}"].asset_key == dg.AssetKey(["raw", table])
    assert any(name.startswith("rules_mart_capacity_trend") for name in checks), (
        "dbt tests should appear as asset checks")
    # The singular reconciliation test reads several models; it is the trend mart's check.
    (reconcile,) = [key for key in repository.asset_graph.asset_check_keys
                    if key.name == "activity_sums_reconcile_with_accepted_rows"]
    assert reconcile.asset_key.to_user_string() == "main/mart_capacity_trend"


def test_schedule_and_sensor() -> None:
    schedule = defs.resolve_schedule_def("nightly_ingest")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    sensor = defs.resolve_sensor_def("new_files_sensor")
    assert sensor.job_name == "bangfu_pipeline"


# The libraries first: Dagster's vendored croniter runs `file` on the interpreter, polars sets
# its allocator's variable. What is measured is what bangfu's own modules do on top.
IMPORT_PROBE = """
import json, os, subprocess
import dagster, dagster_dbt, duckdb, polars
before = dict(os.environ)
started = []
real_init = subprocess.Popen.__init__
def recording_init(self, args, *rest, **kwargs):
    started.append(str(args))
    real_init(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = recording_init
import pipelines.definitions
changed = sorted(k for k in before.keys() | os.environ.keys() if before.get(k) != os.environ.get(k))
print(json.dumps({"started": started, "changed": changed}))
"""


def test_importing_the_definitions_runs_nothing_and_changes_no_environment(tmp_path) -> None:
    """`dagster dev`, the daemon and `bangfu run` import the code; importing it must not run
    dbt or point the process anywhere (the run points dbt at its working copy itself)."""
    import json
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if k != "DAGSTER_IS_DEV_CLI"}
    env["BANGFU_WAREHOUSE"] = str(tmp_path / "warehouse" / "bangfu.duckdb")
    probe = subprocess.run([sys.executable, "-c", IMPORT_PROBE], env=env, capture_output=True,
                           text=True, check=True)
    assert json.loads(probe.stdout.splitlines()[-1]) == {"started": [], "changed": []}


def test_the_warehouse_resource_shows_its_settings_and_a_field_overrides_the_environment(
        bangfu_env) -> None:
    from pipelines.defs.resources import WarehouseResource

    fields = WarehouseResource().get_resource_definition().config_schema.config_type.fields
    assert set(fields) == {"raw_dir", "warehouse", "site_dir", "settle_seconds"}
    assert all(field.description for field in fields.values())  # what the UI shows
    # Empty fields read the contract's variables when the run starts; a given field wins.
    assert WarehouseResource().settings.raw_dir == bangfu_env["raw"]
    given = WarehouseResource(raw_dir=str(bangfu_env["raw"] / "省"), settle_seconds=5).settings
    assert (given.raw_dir, given.settle_seconds) == (bangfu_env["raw"] / "省", 5)
    assert given.warehouse == bangfu_env["warehouse"]
    # The working copy lives beside the warehouse it will replace, under dbt's database name.
    assert given.working_warehouse.parent == bangfu_env["warehouse"].parent


def test_the_scan_job_starts_without_dbt() -> None:
    """A run with nothing new is the scan job: its definitions load no dbt (seconds of
    imports), and hold ingest alone."""
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from pipelines.defs.scan import scan_defs; "
         "job = scan_defs.resolve_job_def('bangfu_scan'); "
         "print(sorted(n for n in sys.modules if n.split('.')[0] in ('dbt', 'dagster_dbt')), "
         "[node.name for node in job.nodes])"],
        capture_output=True, text=True, check=True)
    assert probe.stdout.split() == ["[]", "['ingest']"]


def test_the_definitions_load_under_dagster_dev_without_the_environment_on_path(
        tmp_path) -> None:
    """`.venv/bin/dagster dev` (the environment not on PATH) parses the dbt project as the
    code loads, with the dbt installed beside the interpreter, and loads every asset."""
    import subprocess
    import sys
    from pathlib import Path

    bin_folder = str(Path(sys.executable).parent)
    path = os.pathsep.join(folder for folder in os.environ.get("PATH", "").split(os.pathsep)
                           if folder and Path(folder).resolve() != Path(bin_folder).resolve())
    assert not any(Path(folder, "dbt").exists() for folder in path.split(os.pathsep))
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env |= {"PATH": path, "DAGSTER_IS_DEV_CLI": "1",
            # A target folder of its own: the parse is this test's, not the other workers'.
            "BANGFU_DBT_TARGET": str(tmp_path / "target"),
            "BANGFU_WAREHOUSE": str(tmp_path / "warehouse" / "bangfu.duckdb")}
    loaded = subprocess.run(
        [sys.executable, "-c", "from pipelines.definitions import defs; "
         "print(len(defs.get_repository_def().asset_graph.get_all_asset_keys()))"],
        env=env, capture_output=True, text=True, timeout=600)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert int(loaded.stdout.splitlines()[-1]) > 50
    assert (tmp_path / "target" / "manifest.json").is_file()
