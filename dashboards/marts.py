"""Read-only access to what the site shows: the tables of schema `main` of the warehouse."""

from __future__ import annotations

import copy
import hashlib
import io
import logging
import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.settings import programme_window
from pipelines.warehouse.location import WarehouseLocation, as_location
from pipelines.warehouse.reading import open_published, published_exists

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
    "mart_pairs",
    "ingest_files",
    "ingest_issues",
    "ingest_skipped_files",
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


# Pairs whose rows (as dicts) are kept at once: a pair's parts ask for the same rows.
PAIR_ROWS_KEPT = 16

# A question a page asks the marts, as the incremental build records it (dashboards.parts):
# ("rows", table), ("rows", table, supporting, recipient), ("pairs", table, …), ("metrics",),
# ("has", table) or ("updated_at",).
Read = tuple[str, ...]


class Marts:
    """The site's tables, loaded once. A table the warehouse lacks is absent, not empty.

    Pages read them only through the methods below; each answer is worked out once per build
    and shared, so callers must not modify the rows they get. A view from `noting_reads()`
    also notes every question it is asked in `reads`: the incremental build keys each part of
    the site by the answers to the questions that part asked.
    """

    def __init__(self, tables: dict[str, pl.DataFrame], updated_at: datetime | None = None) -> None:
        self._tables = tables
        self._updated_at = updated_at
        self._catalog = _metric_catalog(tables.get("mart_capacity_trend"))
        # Shared by every view of these marts: answers already worked out.
        self._by_pair: dict[str, dict[tuple, pl.DataFrame]] = {}
        # A whole table's rows are kept (several pages read them); a pair's only while its
        # parts are being made: a province's pairs together hold every person's rows.
        self._rows: dict[tuple, tuple[dict, ...]] = {}
        self._pair_rows: OrderedDict[tuple, tuple[dict, ...]] = OrderedDict()
        self._pairs: dict[tuple[str, ...], list[Pair]] = {}
        self._digests: dict[Read, str] = {}
        self.reads: set[Read] | None = None

    def noting_reads(self) -> Marts:
        """A view of the same marts that notes, in its `reads`, every question it is asked."""
        view = copy.copy(self)
        view.reads = set()
        return view

    def _note(self, read: Read) -> None:
        if self.reads is not None:
            self.reads.add(read)

    @property
    def updated_at(self) -> datetime | None:
        """When the warehouse file was last written; None when there is no warehouse."""
        self._note(("updated_at",))
        return self._updated_at

    def has(self, name: str) -> bool:
        """Whether the warehouse has the table (an empty one included)."""
        self._note(("has", name))
        return name in self._tables

    def rows(self, name: str, pair: Pair | None = None) -> tuple[dict, ...]:
        """The table's rows as dicts (of one pair when given); no rows when the table is absent."""
        key = (name,) if pair is None else (name, pair.supporting, pair.recipient)
        self._note(("rows", *key))
        kept = self._rows if pair is None else self._pair_rows
        found = kept.get(key)
        if found is None:
            frame = self._frame(key)
            found = kept[key] = () if frame is None else tuple(frame.to_dicts())
        if pair is not None:
            self._pair_rows.move_to_end(key)
            while len(self._pair_rows) > PAIR_ROWS_KEPT:
                self._pair_rows.popitem(last=False)
        return found

    def distinct_per_pair(self, columns: tuple[str, ...], *names: str) -> dict[Pair, int]:
        """Per pair, how many distinct values of `columns` the named tables hold together
        (a missing value counts as one): counted in the frames, not row by row, since a
        province's tables hold a row per person and year."""
        frames = []
        for name in names:
            self._note(("rows", name))
            frame = self._tables.get(name)
            if frame is not None:
                frames.append(frame.select("supporting_hospital", "recipient_hospital",
                                           *columns))
        if not frames:
            return {}
        counted = (pl.concat(frames).drop_nulls(["supporting_hospital", "recipient_hospital"])
                   .group_by("supporting_hospital", "recipient_hospital")
                   .agg(pl.struct(columns).n_unique()))
        return {Pair(supporting, recipient): count
                for supporting, recipient, count in counted.iter_rows()}

    def _frame(self, key: tuple) -> pl.DataFrame | None:
        """The rows of ("table",) or ("table", supporting, recipient) as a frame."""
        frame = self._tables.get(key[0])
        if frame is None or len(key) == 1:
            return frame
        by_pair = self._by_pair.get(key[0])
        if by_pair is None:
            by_pair = self._by_pair[key[0]] = frame.partition_by(
                "supporting_hospital", "recipient_hospital", as_dict=True)
        return by_pair.get(key[1:], frame.clear())

    def pairs(self, *names: str) -> list[Pair]:
        """Pairs present in the given marts (default: all pair-keyed marts), sorted."""
        names = names or PAIR_MARTS
        self._note(("pairs", *names))
        found = self._pairs.get(names)
        if found is None:
            found = self._pairs[names] = self._find_pairs(names)
        return list(found)

    def _find_pairs(self, names: tuple[str, ...]) -> list[Pair]:
        found: set[Pair] = set()
        for name in names:
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
        self._note(("metrics",))
        known = self._catalog.get(code)
        if known is not None:
            return known
        return Metric(code, name_zh or code, unit or "", None, None, None, math.inf)

    def answer_digest(self, read: Read) -> str:
        """A digest of what a question gets now; ValueError for one that is no question."""
        found = self._digests.get(read)
        if found is None:
            found = self._digests[read] = hashlib.sha256(self._answer(read)).hexdigest()
        return found

    def _answer(self, read: Read) -> bytes:
        kind, *arguments = read
        if kind == "rows" and len(arguments) in (1, 3):
            frame = self._frame(tuple(arguments))
            if frame is None:
                return b"absent"
            # Parquet holds the column names and types and the values exactly (a null is no
            # value): the same rows give the same bytes however they are held in memory,
            # which Arrow's own format does not (what lies under a null is written as it is).
            parquet = io.BytesIO()
            frame.write_parquet(parquet, compression="uncompressed", statistics=False)
            return parquet.getvalue()
        answers = {
            "pairs": lambda: self._find_pairs(tuple(arguments)),
            "metrics": lambda: sorted(self._catalog.items()),
            "has": lambda: [name in self._tables for name in arguments],
            "updated_at": lambda: self._updated_at,
        }
        if kind not in answers or (kind in ("pairs", "has")) != bool(arguments):
            raise ValueError(f"not a question to the marts: {read!r}")
        return repr(answers[kind]()).encode()


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


def load_marts(warehouse: WarehouseLocation | Path | str) -> Marts:
    """Read the site's tables from schema `main` of the published warehouse (a DuckDB file
    opened read-only, or a PostgreSQL URL read in one read-only transaction).

    A warehouse that does not exist yet (nothing ingested) gives a site that says so.
    """
    location = as_location(warehouse)
    if not published_exists(location):
        log.warning("warehouse %s does not exist; building a site without data",
                    location.describe())
        return Marts({})
    with open_published(location) as reader:
        present = reader.tables()
        tables = {name: reader.frame(name) for name in SITE_TABLES if name in present}
        updated_at = reader.updated_at or datetime.now(UTC)
    missing = sorted(set(SITE_TABLES) - tables.keys())
    if missing:
        log.warning("warehouse %s lacks %s; their sections say so", location.describe(),
                    ", ".join(missing))
    return Marts(tables, updated_at)
