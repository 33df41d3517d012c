"""Read-only access to what the site shows: the tables of schema `main` of the warehouse."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.settings import programme_window

log = logging.getLogger(__name__)

# The programme window, from its one home (dbt's vars); every mart covers these years.
_FIRST_DAY, _LAST_DAY = programme_window()
PROGRAMME_YEARS = tuple(range(_FIRST_DAY.year, _LAST_DAY.year + 1))

SITE_TABLES = (
    "mart_capacity_trend",
    "mart_department_trend",
    "mart_person_activity",
    "mart_target_attainment",
    "mart_reporting_completeness",
    "mart_expected_reports",
    "mart_work_plan_status",
    "ingest_files",
    "ingest_issues",
    "quarantined_rows",
)

# Marts keyed by pair; the pairs the site knows are those that appear in any of them.
PAIR_MARTS = (
    "mart_capacity_trend",
    "mart_target_attainment",
    "mart_department_trend",
    "mart_reporting_completeness",
)


@dataclass(frozen=True, order=True)
class Pair:
    supporting: str
    recipient: str

    @property
    def label(self) -> str:
        return f"{self.supporting} → {self.recipient}"


@dataclass(frozen=True)
class Metric:
    code: str
    name_zh: str
    unit_zh: str
    kind: str | None
    value_type: str | None
    higher_is_better: bool | None
    sort_order: float

    @property
    def title(self) -> str:
        """Name with unit, unless the name already ends with it (支援经费（万元）)."""
        if not self.unit_zh or self.name_zh.endswith((f"（{self.unit_zh}）", f"({self.unit_zh})")):
            return self.name_zh
        return f"{self.name_zh}（{self.unit_zh}）"


class Marts:
    """The site's tables, loaded once. A table the warehouse lacks is None, not empty."""

    def __init__(self, tables: dict[str, pl.DataFrame]) -> None:
        self._tables = tables
        self._catalog = _metric_catalog(tables.get("mart_capacity_trend"))

    def frame(self, name: str) -> pl.DataFrame | None:
        return self._tables.get(name)

    def rows(self, name: str, pair: Pair | None = None) -> list[dict]:
        """The table's rows as dicts (of one pair when given); no rows when the table is absent."""
        frame = self._tables.get(name)
        if frame is None:
            return []
        if pair is not None:
            frame = frame.filter(
                (pl.col("supporting_hospital") == pair.supporting)
                & (pl.col("recipient_hospital") == pair.recipient)
            )
        return frame.to_dicts()

    def pairs(self, *names: str) -> list[Pair]:
        """Pairs present in the given marts (default: all pair-keyed marts), sorted."""
        found: set[Pair] = set()
        for name in names or PAIR_MARTS:
            frame = self._tables.get(name)
            if frame is None:
                continue
            hospitals = frame.select("supporting_hospital", "recipient_hospital").unique()
            found.update(
                Pair(supporting, recipient)
                for supporting, recipient in hospitals.iter_rows()
                if supporting is not None and recipient is not None
            )
        return sorted(found)

    def metric(self, code: str, name_zh: str | None = None, unit: str | None = None) -> Metric:
        """The metric as `mart_capacity_trend` describes it; else as the calling mart names it."""
        known = self._catalog.get(code)
        if known is not None:
            return known
        return Metric(code, name_zh or code, unit or "", None, None, None, math.inf)


def _metric_catalog(trend: pl.DataFrame | None) -> dict[str, Metric]:
    if trend is None:
        return {}
    columns = (
        "metric_code",
        "metric_name_zh",
        "unit_zh",
        "unit",
        "kind",
        "value_type",
        "higher_is_better",
        "sort_order",
    )
    described = trend.select(columns).unique(subset="metric_code", keep="first")
    return {
        row["metric_code"]: Metric(
            code=row["metric_code"],
            name_zh=row["metric_name_zh"] or row["metric_code"],
            unit_zh=row["unit_zh"] or "",
            kind=row["kind"],
            value_type=row["value_type"],
            higher_is_better=row["higher_is_better"],
            sort_order=math.inf if row["sort_order"] is None else float(row["sort_order"]),
        )
        for row in described.iter_rows(named=True)
    }


def load_marts(warehouse: Path) -> Marts:
    """Read the site's tables from schema `main`, opening the warehouse read-only.

    A warehouse that does not exist yet (nothing ingested) gives a site that says so.
    """
    if not warehouse.exists():
        log.warning("warehouse %s does not exist; building a site without data", warehouse)
        return Marts({})
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        present = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'main' and table_catalog = current_database()"
            ).fetchall()
        }
        tables = {
            name: connection.sql(f'select * from main."{name}"').pl()
            for name in SITE_TABLES
            if name in present
        }
    missing = sorted(set(SITE_TABLES) - tables.keys())
    if missing:
        log.warning("warehouse %s lacks %s; their sections say so", warehouse, ", ".join(missing))
    return Marts(tables)
