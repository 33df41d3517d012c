"""The warehouse as a Dagster resource: where a run reads and writes (config fields shown in
the UI, each defaulting to the contract's environment variable), the run lock held for the
whole run, and the run's working copy of the warehouse."""


import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipelines.settings import REPO_ROOT, SERVER_PLACEHOLDER, Settings
from pipelines.warehouse import engine
from pipelines.warehouse.location import parse_warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The raw folder, the warehouse (a DuckDB file or a PostgreSQL URL) and the dashboard
    site of a run. A field left empty is read from its environment variable when the run
    starts (not when code loads), so `bangfu run`, the schedule and the sensor share one
    configuration. A run loads and builds in a working copy (a file beside the warehouse, or
    build schemas on the server) and publishes it only at the end."""

    raw_dir: str | None = Field(
        default=None, description="报送文件夹 / the raw folder (default: BANGFU_RAW_DIR, raw/)")
    warehouse: str | None = Field(
        default=None, description="数据仓库：DuckDB 文件或 postgresql:// 地址 / the published "
        "warehouse, a DuckDB file or a PostgreSQL URL "
        "(default: BANGFU_WAREHOUSE, warehouse/bangfu.duckdb)")
    site_dir: str | None = Field(
        default=None, description="看板网站文件夹 / the dashboard site "
        "(default: BANGFU_SITE_DIR, dashboards/site)")
    settle_seconds: float | None = Field(
        default=None, description="文件改动后等待多少秒才读取 / how long a file must be "
        "unchanged before it is read (default: BANGFU_SETTLE_SECONDS, 60)")

    @property
    def settings(self) -> Settings:
        settings = Settings.from_env()
        given = {"raw_dir": self.raw_dir, "site_dir": self.site_dir}
        paths = {name: Path(value).resolve() for name, value in given.items() if value}
        if self.warehouse:
            location = parse_warehouse(self.warehouse, REPO_ROOT,
                                       settings.warehouse_dir if settings.warehouse_url else None)
            paths["warehouse"] = (location.path.resolve() if location.path
                                  else location.files_dir / SERVER_PLACEHOLDER)
            paths["warehouse_url"] = location.dsn
        if self.settle_seconds is not None:
            paths["settle_seconds"] = self.settle_seconds
        return dataclasses.replace(settings, **paths)

    # The working copy ------------------------------------------------------------------

    def start_working_copy(self) -> str:
        """A fresh copy of the published warehouse (an empty one the first time) for this
        run to load and build in; what it is, for the log."""
        return engine.start_working_copy(self.settings)

    def ensure_working_copy(self) -> None:
        """This run's working copy; a step run without ingest (dbt, its docs) starts one
        from the published warehouse, which is never published (dbt did not build it
        after a load)."""
        if not engine.working_copy_exists(self.settings):
            self.start_working_copy()

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WarehouseResource"]:
        run_id = context.run.run_id if context.run else ""
        settings = self.settings
        with engine.exclusive_run(settings, run_id, context.log.info) as killed:
            # The lock is ours: whatever a killed run left (its working copy among it) is
            # nobody's now, so every run starts from the published warehouse.
            for leftover in engine.remove_leftovers(settings):
                context.log.info(f"removed what a killed run left: {leftover}")
            if killed:
                _close_killed_run(context.instance, killed)
            yield self


def _close_killed_run(instance: dg.DagsterInstance, run_id: str) -> None:
    """A run killed while it held the lock stays STARTED in Dagster's history: mark it failed."""
    run = instance.get_run_by_id(run_id)
    if run is not None and run.status == dg.DagsterRunStatus.STARTED:
        instance.report_run_failed(
            run, message="its process was killed (kill -9, power loss); closed by the next run")


# The run tag naming the warehouse a run writes: deploy/dagster.yaml's QueuedRunCoordinator
# lets one run per value at a time (the run lock would make a second one wait anyway).
WAREHOUSE_TAG = "bangfu/warehouse"


def warehouse_tags() -> dict[str, str]:
    """The tags of the jobs that write the warehouse, as the code location's environment
    names it (a URL without its password, or the file's path)."""
    return {WAREHOUSE_TAG: Settings.from_env().location.describe()}
