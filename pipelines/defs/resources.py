"""The warehouse as a Dagster resource: the contract's settings, read when a run starts, and
the run lock held for the whole run."""


import contextlib
from collections.abc import Iterator

import dagster as dg

from pipelines.settings import Settings
from pipelines.warehouse.store import exclusive_run, remove_leftovers


class WarehouseResource(dg.ConfigurableResource):
    """Where raw files, the warehouse and the site are. Read from the environment at run
    time (BANGFU_RAW_DIR, BANGFU_WAREHOUSE, BANGFU_SITE_DIR), not when code is loaded."""

    @property
    def settings(self) -> Settings:
        return Settings.from_env()

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WarehouseResource"]:
        run_id = context.run.run_id if context.run else ""
        with exclusive_run(self.settings, run_id, context.log.info) as killed:
            # The lock is ours: whatever a killed run left is nobody's now.
            for leftover in remove_leftovers(self.settings):
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
