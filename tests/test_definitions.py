"""The Dagster definitions load, as `dagster dev` loads them, with every asset, check, the
schedule and the sensor."""

from __future__ import annotations

from pipelines.defs import defs
from pipelines.validation.suites import suite_names


def test_definitions_load_with_the_whole_graph() -> None:
    repository = defs.get_repository_def()
    keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    assert {"raw_manifest", "parsed_forms", "validated_forms", "raw/file_versions",
            "raw/issues", "main/ingest_files", "main/ingest_issues", "main/mart_capacity_trend",
            "published_warehouse", "dashboard_site"} <= keys

    checks = {key.name for key in repository.asset_graph.asset_check_keys}
    assert {f"suite_{name}" for name in suite_names()} <= checks
    assert any(name.startswith("not_null_mart_capacity_trend") for name in checks), (
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
