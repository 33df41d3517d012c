"""The seeds dbt loads, read once for Python: the metric catalogue (names, units, bounds, how a
metric is derived and how the form writes it) for the reader's vocabulary, the writers and the
suites, and the other seeds as rows. A new metric, bound or derivation is a change to
dbt_project/seeds/metrics.csv only."""

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
    min_value: float | None
    max_value: float | None
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


def bound_parameters() -> dict[str, float]:
    """The bounds as GX expectation parameters: `max_value_<code>`, `min_value_<code>`."""
    return {
        f"{side}_{m.code}": value
        for m in metrics().values()
        for side, value in (("min_value", m.min_value), ("max_value", m.max_value))
        if value is not None
    }
