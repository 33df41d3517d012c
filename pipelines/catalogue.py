"""The seeds dbt loads, read once for Python: the metric catalogue (names, units, bounds, how a
metric is derived and how the form writes it) for the reader's vocabulary, the writers and the
suites; the words of the codes the warehouse uses (file statuses, severities, form types: their
Chinese label, tone and flags); and the other seeds as rows. A new metric, bound or derivation is
a change to dbt_project/seeds/metrics.csv only; a status's word, to its seed only."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from pipelines.settings import SEEDS_DIR

# How derived_from joins a metric's parts: `outpatient_visits + emergency_visits`.
PART_SEPARATOR = "+"


@cache
def seed(name: str) -> tuple[dict[str, str], ...]:
    """The rows of dbt_project/seeds/<name>.csv, as text (read once per process)."""
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@dataclass(frozen=True)
class Label:
    """What people read for a code (a file status, a severity, a form type), from its seed."""

    text: str
    # CSS modifier for badges and heat-map colours: good, warn, bad, info or neutral.
    tone: str
    description: str = ""
    # file statuses only: its accepted rows count in the marts; nothing is left to fix in it
    counts: bool = False
    settled: bool = False


# The seeds of words: code, label_zh, tone, description_zh, sort_order (and flags).
FILE_STATUSES_SEED = "file_statuses"
SEVERITIES_SEED = "severities"
FORM_TYPES_SEED = "form_types"
# The statuses the marts compute, one family per column (mart_target_attainment.status is
# `attainment`): family, code, label_zh, tone, description_zh, sort_order.
MART_STATUSES_SEED = "mart_statuses"


@cache
def words(name: str, family: str | None = None) -> dict[str, Label]:
    """The labels of one seed of words (of one family of it), by code, in its sort order."""
    rows = sorted((row for row in seed(name) if family is None or row["family"] == family),
                  key=lambda row: int(row["sort_order"]))
    return {
        row["code"]: Label(row["label_zh"], row["tone"], row["description_zh"],
                           counts=row.get("counts") == "true",
                           settled=row.get("settled") == "true")
        for row in rows
    }


def file_statuses() -> dict[str, Label]:
    return words(FILE_STATUSES_SEED)


def severities() -> dict[str, Label]:
    return words(SEVERITIES_SEED)


def form_types() -> dict[str, Label]:
    return words(FORM_TYPES_SEED)


def mart_statuses(family: str) -> dict[str, Label]:
    """The words of one mart status column (expected_report, reporting, coverage, work_plan,
    attainment)."""
    if not (found := words(MART_STATUSES_SEED, family)):
        raise KeyError(f"no status family {family!r} in {MART_STATUSES_SEED}.csv")
    return found


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@dataclass(frozen=True)
class Metric:
    code: str
    name_zh: str
    unit: str  # the contract's unit text, as it is
    unit_zh: str
    kind: str  # activity | derived | capacity
    value_type: str  # count | decimal | percent | index
    sort_order: int
    # Bounds: what a cell may hold at all (min_value, max_value: templates and suites), and
    # what one person usually does in a day of the period, in one report, or an indicator
    # reaches in a year (the suites' implausible_value warnings).
    min_value: float | None
    max_value: float | None
    max_per_day: float | None
    max_per_report: float | None
    max_per_year: float | None
    derivation: str  # pro_rata_sum | distinct_people | as_reported
    parts: tuple[str, ...]  # the metrics it is the sum of, when a form has no column for it
    form_label: str | None  # its sub-header under the metric it is part of (门诊 under 诊疗人次)

    @property
    def is_derived(self) -> bool:
        return bool(self.parts)


@cache
def metrics() -> dict[str, Metric]:
    """Every metric, by code, in the seed's sort order."""
    rows = sorted(seed("metrics"), key=lambda row: int(row["sort_order"]))
    catalogue = {
        row["metric_code"]: Metric(
            code=row["metric_code"], name_zh=row["metric_name_zh"], unit=row["unit"],
            unit_zh=row["unit_zh"], kind=row["kind"], value_type=row["value_type"],
            sort_order=int(row["sort_order"]),
            min_value=_number(row["min_value"]), max_value=_number(row["max_value"]),
            max_per_day=_number(row["max_per_day"]),
            max_per_report=_number(row["max_per_report"]),
            max_per_year=_number(row["max_per_year"]), derivation=row["derivation"],
            parts=tuple(p.strip() for p in row["derived_from"].split(PART_SEPARATOR)
                        if p.strip()),
            form_label=row["form_label"] or None,
        )
        for row in rows
    }
    for metric in catalogue.values():
        if unknown := set(metric.parts) - set(catalogue):
            raise ValueError(f"metrics.csv: {metric.code} is derived from unknown metrics "
                             f"{sorted(unknown)}")
    return catalogue


def metrics_of(kind: str) -> list[Metric]:
    """The metrics of one kind (activity, capacity) in their seed order."""
    return [m for m in metrics().values() if m.kind == kind]


def derived_metrics() -> list[Metric]:
    return [m for m in metrics().values() if m.is_derived]


def group_of(code: str) -> Metric | None:
    """The derived metric a part belongs to (total_visits for outpatient_visits), if any."""
    return next((m for m in derived_metrics() if code in m.parts), None)

