"""Where things live: the contract's environment variables and the repository's own folders."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from pipelines.warehouse.location import DUCKDB, POSTGRES, WarehouseLocation, warehouse_location

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
# The database name dbt builds in (its profile opens `target/bangfu.duckdb`).
DBT_DATABASE_NAME = "bangfu"
# Settings.warehouse of a server warehouse: a name in its files folder that nothing opens.
SERVER_PLACEHOLDER = "bangfu.postgres"


def dbt_target_dir() -> Path:
    """dbt's folder for what it generates (its parse, compiled SQL, logs, the docs page) and
    for the link its profile opens: `BANGFU_DBT_TARGET`, relative to the dbt project."""
    folder = Path(os.environ.get("BANGFU_DBT_TARGET") or "target")
    return folder if folder.is_absolute() else DBT_PROJECT_DIR / folder


def _number(variable: str, default: float) -> float:
    value = os.environ.get(variable)
    return float(value) if value else default


@dataclass(frozen=True)
class ReadLimits:
    """What one file may cost to read (docs/operations.md lists each with its variable).
    A file over a limit is rejected with its own issue code, naming the limit."""

    # Memory (address space) of a reading worker, and the wall-clock time one file may take.
    # Address space, not resident memory: polars and its allocator reserve about 1.2 GB of it
    # before reading anything, so a lower cap rejects small files at random.
    worker_memory_mb: int = 2048
    seconds_per_file: float = 120
    # The submitted file, its rows per sheet, and the text kept of one cell.
    file_mb: float = 50
    rows_per_sheet: int = 20_000
    cell_chars: int = 2_000
    # A workbook is a zip: its inflated size, its entries, and how far it inflates.
    inflated_mb: float = 300
    zip_entries: int = 10_000
    inflation_ratio: float = 200

    @classmethod
    def from_env(cls) -> ReadLimits:
        default = cls()
        return cls(
            worker_memory_mb=int(_number("BANGFU_READ_MEMORY_MB", default.worker_memory_mb)),
            seconds_per_file=_number("BANGFU_READ_SECONDS", default.seconds_per_file),
            file_mb=_number("BANGFU_MAX_FILE_MB", default.file_mb),
            rows_per_sheet=int(_number("BANGFU_MAX_ROWS", default.rows_per_sheet)),
            cell_chars=int(_number("BANGFU_MAX_CELL_CHARS", default.cell_chars)),
            inflated_mb=_number("BANGFU_MAX_INFLATED_MB", default.inflated_mb),
            zip_entries=int(_number("BANGFU_MAX_ZIP_ENTRIES", default.zip_entries)),
            inflation_ratio=_number("BANGFU_MAX_INFLATION_RATIO", default.inflation_ratio),
        )


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    # The DuckDB file, or for a server warehouse the placeholder `<files_dir>/bangfu.postgres`
    # that nothing opens (code that reads or writes the warehouse goes through `location`).
    warehouse: Path
    site_dir: Path
    # The operator's registry workbook; when no file is there, the built-in registry applies.
    registry: Path = REPO_ROOT / "registry" / "登记表.xlsx"
    # A file modified (or its inode changed) less than this long ago may still be copying in:
    # it waits for the next run.
    settle_seconds: float = 60
    # How long a run waits for another one holding the warehouse before it gives up.
    lock_timeout_seconds: float = 3600
    # New files are read, judged and loaded this many at a time: a run's memory is bounded
    # by one part, not by the corpus; a part also costs a pool of readers to start (seconds).
    files_per_part: int = 2000
    read_limits: ReadLimits = ReadLimits()
    # A PostgreSQL URL when the warehouse is a server (BANGFU_WAREHOUSE), else None.
    warehouse_url: str | None = None

    @property
    def location(self) -> WarehouseLocation:
        """The warehouse's engine and address (pipelines/warehouse/location.py)."""
        if self.warehouse_url:
            return WarehouseLocation(POSTGRES, self.warehouse_dir, dsn=self.warehouse_url)
        return WarehouseLocation(DUCKDB, self.warehouse_dir, path=self.warehouse)
    # Only reports a reviewer approved in the portal count in the marts (off: every report).
    approval_required: bool = False

    @property
    def warehouse_dir(self) -> Path:
        """The folder on disk of the archive, validation results and logs: the DuckDB file's
        folder, or BANGFU_FILES_DIR beside a server warehouse."""
        return self.warehouse.parent

    @property
    def portal_dir(self) -> Path:
        """The portal's own folder (`bangfu serve`): its database, uploads' annotated copies,
        and the review actions it exports for the next run."""
        if folder := os.environ.get("BANGFU_PORTAL_DIR"):
            return Path(folder) if Path(folder).is_absolute() else REPO_ROOT / folder
        return self.warehouse_dir / "portal"

    @property
    def review_actions(self) -> Path:
        """Every review action taken in the portal, as CSV: loaded by each run (raw schema)."""
        return self.portal_dir / "review_actions.csv"

    @property
    def archive_dir(self) -> Path:
        return self.warehouse_dir / "archive"

    @property
    def annotated_dir(self) -> Path:
        """The annotated copies of the contents with errors, each named by its own sha256."""
        return self.warehouse_dir / "annotated"

    @property
    def validation_results(self) -> Path:
        """Great Expectations' record of every validation, and its Data Docs."""
        return self.warehouse_dir / "gx"

    @property
    def working_warehouse(self) -> Path:
        """The file a run loads and builds in before it is published over `warehouse`. DuckDB
        names a database by its file name up to the first dot, and dbt's relations name that
        database: the working copy is `bangfu.…` whatever the warehouse is called."""
        return self.warehouse_dir / f"{DBT_DATABASE_NAME}.building"

    @classmethod
    def from_env(cls) -> Settings:
        def path(variable: str, default: str) -> Path:
            value = Path(os.environ.get(variable) or default)
            return value if value.is_absolute() else (REPO_ROOT / value)

        location = warehouse_location()
        return cls(
            raw_dir=path("BANGFU_RAW_DIR", "raw"),
            warehouse=location.path or location.files_dir / SERVER_PLACEHOLDER,
            warehouse_url=location.dsn,
            site_dir=path("BANGFU_SITE_DIR", "dashboards/site"),
            registry=path("BANGFU_REGISTRY", "registry/登记表.xlsx"),
            settle_seconds=_number("BANGFU_SETTLE_SECONDS", cls.settle_seconds),
            lock_timeout_seconds=_number("BANGFU_LOCK_TIMEOUT_SECONDS", cls.lock_timeout_seconds),
            files_per_part=max(1, int(_number("BANGFU_FILES_PER_PART", cls.files_per_part))),
            read_limits=ReadLimits.from_env(),
            approval_required=os.environ.get("BANGFU_APPROVAL_REQUIRED", "").strip().lower()
            in {"1", "true", "yes", "on"},
        )


@cache
def programme_window() -> tuple[dt.date, dt.date]:
    """The programme's first and last day, from the years dbt's project declares (one source
    for the reader's window check and the marts' year spine)."""
    with (DBT_PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as fh:
        project_vars = yaml.safe_load(fh)["vars"]
    first, last = int(project_vars["first_year"]), int(project_vars["last_year"])
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


@cache
def read_limits() -> ReadLimits:
    """The limits of reading one file, as this process's environment sets them."""
    return ReadLimits.from_env()
