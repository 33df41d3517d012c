"""Transform: the dbt project, each model and seed an asset and each dbt test an asset check,
built in the run's working copy of the warehouse."""


import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.defs.resources import WarehouseResource
from pipelines.settings import DBT_PROJECT_DIR, Settings
from pipelines.warehouse import store

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# dbt's own folder for what it generates, as an absolute path (DbtProject keeps it relative).
DBT_TARGET = DBT_PROJECT_DIR / dbt_project.target_path
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "seeds", "macros", "tests")


def _manifest_is_stale() -> bool:
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in _PROJECT_FILES:
        path = DBT_PROJECT_DIR / name
        paths = [path] if path.is_file() else path.rglob("*")
        if any(p.stat().st_mtime > built for p in paths):
            return True
    return False


# dbt from this environment, whether or not its bin folder is on PATH.
dbt_resource = DbtCliResource(
    project_dir=dbt_project,
    profiles_dir=str(DBT_PROJECT_DIR),
    dbt_executable=str(Path(sys.executable).with_name("dbt")),
)

def _point_dbt_at(database: Path) -> None:
    """dbt's profile reads the database path from the environment it inherits. Parsing and
    building see the same path, so dbt's partial parsing stays valid between runs."""
    os.environ["BANGFU_DBT_DATABASE"] = str(database)


_point_dbt_at(Settings.from_env().working_warehouse)
if _manifest_is_stale():
    # The manifest is generated, not committed: parse once after a checkout or an edit.
    dbt_resource.cli(["parse", "--quiet"], target_path=DBT_TARGET).wait()


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
    _point_dbt_at(store.working_copy(warehouse.settings))
    # One target folder, not one per run: runs never overlap (the run lock), and dbt reuses
    # its partial parse from there.
    yield from dbt.cli(["build"], context=context, target_path=DBT_TARGET).stream()
    dbt.cli(["docs", "generate", "--static"], manifest=dbt_project.manifest_path,
            target_path=DBT_TARGET).wait()


def dbt_docs_page() -> Path:
    """The self-contained page `dbt docs generate --static` writes."""
    return DBT_TARGET / "static_index.html"

