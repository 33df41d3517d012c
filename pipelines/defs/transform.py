"""Transform: the dbt project, each model and seed an asset and each dbt test an asset check,
built in the run's working copy of the warehouse."""


import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.defs.resources import WarehouseResource
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.warehouse import store

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# dbt's own folder for what it generates, as an absolute path (DbtProject keeps it relative).
DBT_TARGET = DBT_PROJECT_DIR / dbt_project.target_path
# profiles.yml reads the database path from this variable.
DBT_DATABASE_VARIABLE = "BANGFU_DBT_DATABASE"
# dbt from this environment, whether or not its bin folder is on PATH.
dbt_resource = DbtCliResource(
    project_dir=dbt_project,
    profiles_dir=str(DBT_PROJECT_DIR),
    dbt_executable=str(Path(sys.executable).with_name("dbt")),
)

# The manifest is generated, not committed: `make setup` parses the project (and again after
# an edit of it); under `dagster dev` the project is parsed anew when the code loads.
dbt_project.prepare_if_dev()


@contextlib.contextmanager
def _dbt_pointed_at(database: Path) -> Iterator[None]:
    """dbt's profile reads the database path from the environment its process inherits: set
    for the run's dbt commands only, and restored after."""
    before = os.environ.get(DBT_DATABASE_VARIABLE)
    os.environ[DBT_DATABASE_VARIABLE] = str(database)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(DBT_DATABASE_VARIABLE, None)
        else:
            os.environ[DBT_DATABASE_VARIABLE] = before


class BangfuTranslator(DagsterDbtTranslator):
    """Groups follow dbt's layers (staging, intermediate, marts, seeds)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "transform"


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=BangfuTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
               warehouse: WarehouseResource):
    """`dbt build` (seeds, models, tests) against the run's working warehouse, then its
    documentation (`dbt docs generate --static`) for the dashboard site."""
    with _dbt_pointed_at(store.working_copy(warehouse.settings)):
        # One target folder, not one per run: runs never overlap (the run lock), and dbt
        # reuses its partial parse from there.
        yield from dbt.cli(["build"], context=context, target_path=DBT_TARGET).stream()
        dbt.cli(["docs", "generate", "--static"], manifest=dbt_project.manifest_path,
                target_path=DBT_TARGET).wait()


def dbt_docs_page() -> Path:
    """The self-contained page `dbt docs generate --static` writes."""
    return DBT_TARGET / "static_index.html"

