"""The warehouse as a Dagster resource: the contract's settings, read when a run starts, and
the run lock held for the whole run."""


import contextlib
from collections.abc import Iterator

import dagster as dg

from pipelines.settings import Settings
from pipelines.warehouse.store import exclusive_run


class WarehouseResource(dg.ConfigurableResource):
    """Where raw files, the warehouse and the site are. Read from the environment at run
    time (BANGFU_RAW_DIR, BANGFU_WAREHOUSE, BANGFU_SITE_DIR), not when code is loaded."""

    @property
    def settings(self) -> Settings:
        return Settings.from_env()

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WarehouseResource"]:
        with exclusive_run(self.settings):
            yield self
