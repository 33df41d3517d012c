"""Transform: the dbt project, each model and seed an asset and each dbt test an asset check,
built in the run's working copy of the warehouse; and dbt's documentation, its own asset."""


import contextlib
import fcntl
import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cache, cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from packaging.version import Version

from pipelines import digests
from pipelines.defs.ownership import OWNERS
from pipelines.defs.resources import WarehouseResource
from pipelines.errors import OperatorError
from pipelines.settings import DBT_DATABASE_NAME, DBT_PROJECT_DIR, Settings, dbt_target_dir
from pipelines.warehouse import build_record, postgres
from pipelines.warehouse.location import WarehouseLocation

TRANSFORM_DOCS = "transform"
SEEDS_GROUP = "seeds"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Where a run's dbt writes (an absolute path): the project's target folder unless
# BANGFU_DBT_TARGET moves it. Runs sharing one take turns in dbt (the link's lock below).
DBT_TARGET = dbt_target_dir()
# profiles.yml opens this path (relative to the project, where dbt runs): a link the run
# points at its working copy. The profile never changes, so dbt's partial parse holds
# whichever warehouse a run builds.
DBT_DATABASE_LINK = DBT_TARGET / f"{DBT_DATABASE_NAME}.duckdb"


def dbt_target(settings: Settings) -> Path:
    """dbt's target folder for this warehouse's engine: DBT_TARGET, and a folder of its own
    inside it for a server (its profile target differs, and dbt's partial parse holds for
    one target: runs of the two engines on one checkout would otherwise parse anew)."""
    return DBT_TARGET / "postgres" if settings.location.is_server else DBT_TARGET


class BangfuDbtResource(DbtCliResource):
    """dbt from this environment. dagster-dbt asks a `dbt --version` subprocess for the
    version and opens an adapter in this process on every invocation; bangfu reads the
    version from the installed package and uses no adapter here (no row counts or column
    metadata are fetched). Measured on the 2-core machine, loaded (2026-12-07, dagster-dbt
    0.29.27, dbt-core 1.11.16): the version 12.3 s and 13.6 s, an adapter 10.7 s and 9.4 s,
    against 0.00 s here, and a run invokes dbt twice (build, docs): so these two private
    hooks stay, pinned by the lock file, until dagster-dbt offers a public way."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


# The dbt installed beside the running interpreter (the environment's bin folder), whatever
# PATH holds: `.venv/bin/dagster dev` runs without the environment on PATH.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

dbt_resource = BangfuDbtResource(
    project_dir=dbt_project,
    profiles_dir=str(DBT_PROJECT_DIR),
    dbt_executable=str(DBT_EXECUTABLE),
)


@contextlib.contextmanager
def _dbt_target_lock() -> Iterator[None]:
    """One dbt of this checkout at a time in the target folder (and its link)."""
    DBT_TARGET.mkdir(parents=True, exist_ok=True)
    with (DBT_TARGET / ".link.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def parse_if_dev() -> None:
    """Under `dagster dev`, the project parsed anew as the code loads, as
    `DbtProject.prepare_if_dev` does, but by DBT_EXECUTABLE: dagster-dbt's preparer runs the
    `dbt` on PATH. Parsed in DBT_TARGET (where the runs' partial parse is); the manifest the
    assets are made from is then replaced in one step, so that a process loading the code
    meanwhile reads the old one or the new one, whole."""
    if not os.environ.get("DAGSTER_IS_DEV_CLI"):
        return
    with _dbt_target_lock():
        dbt_resource.cli(["parse", "--quiet"], target_path=DBT_TARGET).wait()
    parsed = DBT_TARGET / "manifest.json"
    if parsed.resolve() != dbt_project.manifest_path.resolve():
        staged = dbt_project.manifest_path.with_name(f".manifest.{os.getpid()}.json")
        shutil.copyfile(parsed, staged)
        staged.replace(dbt_project.manifest_path)


# The manifest is generated, not committed: `make setup` parses the project (and again after
# an edit of it); under `dagster dev` the project is parsed anew when the code loads.
parse_if_dev()


@contextlib.contextmanager
def _dbt_pointed_at(settings: Settings) -> Iterator[list[str]]:
    """Point dbt at the run's working copy for the duration of its commands; yields the
    arguments that choose the profile's target. DuckDB: the profile's link, pointed at the
    working copy, one run of this checkout's dbt at a time (the link and the target folder
    are shared). PostgreSQL: the `postgres` target, its server and the build schemas from
    the environment (the password stays PGPASSWORD's or ~/.pgpass's)."""
    with _dbt_target_lock():
        if settings.location.is_server:
            with _environment(postgres_target_environment(settings.location)):
                yield ["--target", "postgres"]
            return
        # A WAL beside the link belongs to a dbt that was killed, on another run's copy.
        DBT_DATABASE_LINK.with_name(DBT_DATABASE_LINK.name + ".wal").unlink(missing_ok=True)
        staged = DBT_DATABASE_LINK.with_name(f".{DBT_DATABASE_LINK.name}.{os.getpid()}")
        staged.unlink(missing_ok=True)
        staged.symlink_to(settings.working_warehouse)
        staged.replace(DBT_DATABASE_LINK)
        try:
            yield []
        finally:
            DBT_DATABASE_LINK.unlink(missing_ok=True)


def postgres_target_environment(location: WarehouseLocation,
                                schema_suffix: str = postgres.BUILD_SUFFIX) -> dict[str, str]:
    """The variables profiles.yml's `postgres` target reads, for a build in the schemas
    ending in `schema_suffix`."""
    parameters = location.connection_parameters()
    return {"BANGFU_PG_HOST": parameters["host"], "BANGFU_PG_PORT": parameters["port"],
            "BANGFU_PG_USER": parameters["user"], "BANGFU_PG_DATABASE": parameters["dbname"],
            "BANGFU_SCHEMA_SUFFIX": schema_suffix}


@contextlib.contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    """dagster-dbt starts dbt with this process's environment: set for its commands."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@cache
def _manifest() -> dict[str, Any]:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def seed_checksums() -> dict[str, str]:
    """Each seed's name and the checksum of its file, as the manifest has them."""
    return {node["name"]: node["checksum"]["checksum"]
            for node in _manifest()["nodes"].values() if node["resource_type"] == "seed"}


def _unchanged_seeds(record: build_record.BuildRecord | None) -> list[str]:
    """Seeds already loaded, as they are now, into the warehouse the run started from."""
    if record is None:
        return []
    return sorted(name for name, checksum in seed_checksums().items()
                  if record.seed_checksums.get(name) == checksum)


class BangfuTranslator(DagsterDbtTranslator):
    """Groups follow dbt's layers (staging, intermediate, marts, seeds); every asset has the
    project's owners, as the raw tables do."""

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        return OWNERS

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return SEEDS_GROUP
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "transform"


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=BangfuTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
               warehouse: WarehouseResource):
    """`dbt build` (seeds, models, tests) in the run's working warehouse. Seeds the warehouse
    already holds as they are now are left out, and so are the unit tests when the dbt
    project is the one they passed on; every model is rebuilt and its data tested. Run
    without ingest, it builds in a fresh copy of the published warehouse."""
    warehouse.ensure_working_copy()
    settings = warehouse.settings
    record = build_record.read(settings)
    # A server's build schemas start without seeds: every seed is loaded there.
    unchanged = [] if settings.location.is_server else _unchanged_seeds(record)
    project = digests.dbt_project_digest()
    # --full-refresh: a seed that is loaded is created anew, so a seed that gained columns
    # since the warehouse was built loads (dbt would otherwise insert into the old table).
    # Nothing else here is incremental: every model is rebuilt either way. Unit tests judge
    # the SQL on fixed inputs, not the data: once per version of the project is enough.
    # --no-write-json: Dagster takes each node's outcome from dbt's log lines; the run's
    # manifest.json and run_results.json are read by nobody (0.4 s of CPU per build).
    args = ["build", "--full-refresh", "--no-write-json",
            "--vars", json.dumps({"approval_required": settings.approval_required}),
            *(["--exclude", " ".join(unchanged)] if unchanged else []),
            *(["--exclude-resource-type", "unit_test"]
              if record is not None and record.dbt_project_digest == project else [])]
    with _dbt_pointed_at(settings) as target:
        # One target folder (DBT_TARGET), not one per run: runs sharing it take turns (the
        # link's lock), and dbt reuses its partial parse from there.
        try:
            yield from dbt.cli([*args, *target], context=context,
                               target_path=dbt_target(settings)).stream()
        except DagsterDbtCliRuntimeError as error:
            if "Out of Memory Error" in str(error) and not settings.location.is_server:
                limit = os.environ.get("BANGFU_DUCKDB_MEMORY")
                raise OperatorError(
                    "warehouse_out_of_memory",
                    "dbt 构建数据仓库时 DuckDB 内存不足（" + (
                        f"BANGFU_DUCKDB_MEMORY={limit}" if limit else
                        "BANGFU_DUCKDB_MEMORY 未设置，用 dbt_project/profiles.yml 中的默认上限")
                    + "）：请调高 BANGFU_DUCKDB_MEMORY 后再运行；已发布的数据仓库和看板没有改变"
                ) from error
            raise
    build_record.write_pending(settings, build_record.run_inputs_digest(settings),
                               seed_checksums(),
                               project)


# The models every build rebuilds (seeds may be left out): what the docs wait for. Taken
# from the dbt assets, which have read the manifest already.
MODEL_KEYS = [spec.key for spec in dbt_models.specs if spec.group_name != SEEDS_GROUP]


def dbt_docs_page(settings: Settings) -> Path:
    """The self-contained page `dbt docs generate --static` writes."""
    return dbt_target(settings) / "static_index.html"


def _docs_stamp(settings: Settings) -> Path:
    return dbt_target(settings) / "static_index.inputs"


@dg.asset(group_name=TRANSFORM_DOCS, deps=MODEL_KEYS)
def dbt_docs(context: dg.AssetExecutionContext, dbt: DbtCliResource,
             warehouse: WarehouseResource) -> None:
    """dbt's documentation of every model, column and test, as one page the site ships
    (`dbt docs generate --static` on the run's working copy). Generated again only when the
    dbt project changed since the page was made."""
    project = digests.dbt_project_digest()
    settings = warehouse.settings
    page, stamp = dbt_docs_page(settings), _docs_stamp(settings)
    if page.is_file() and stamp.is_file() and stamp.read_text() == project:
        context.add_output_metadata({"generated": False, "page": str(page)})
        return
    warehouse.ensure_working_copy()
    with _dbt_pointed_at(settings) as target:
        dbt.cli(["docs", "generate", "--static", *target], manifest=dbt_project.manifest_path,
                target_path=dbt_target(settings)).wait()
    stamp.write_text(project)
    context.add_output_metadata({"generated": True, "page": str(page)})
