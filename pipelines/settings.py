"""Where things live: the contract's environment variables and the repository's own folders."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse: Path
    site_dir: Path

    @property
    def warehouse_dir(self) -> Path:
        return self.warehouse.parent

    @property
    def archive_dir(self) -> Path:
        return self.warehouse_dir / "archive"

    @property
    def validation_results(self) -> Path:
        """Great Expectations' record of every validation, and its Data Docs."""
        return self.warehouse_dir / "gx"

    @property
    def working_warehouse(self) -> Path:
        """The file a run loads and builds in before it is published over `warehouse`."""
        return self.warehouse.with_name(self.warehouse.name + ".building")

    @classmethod
    def from_env(cls) -> Settings:
        def path(variable: str, default: str) -> Path:
            value = Path(os.environ.get(variable) or default)
            return value if value.is_absolute() else (REPO_ROOT / value)

        return cls(
            raw_dir=path("BANGFU_RAW_DIR", "raw"),
            warehouse=path("BANGFU_WAREHOUSE", "warehouse/bangfu.duckdb"),
            site_dir=path("BANGFU_SITE_DIR", "dashboards/site"),
        )


@cache
def programme_window() -> tuple[dt.date, dt.date]:
    """The programme's first and last day, from the years dbt's project declares (one source
    for the reader's window check and the marts' year spine)."""
    with (DBT_PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as fh:
        project_vars = yaml.safe_load(fh)["vars"]
    first, last = int(project_vars["first_year"]), int(project_vars["last_year"])
    return dt.date(first, 1, 1), dt.date(last, 12, 31)
