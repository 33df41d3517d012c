"""The frames the suites validate, made from a batch of read files: what one file's rows say.
Judgments across files (overlapping periods, a department's usual range) are dbt's
(int_corpus_issues), made over the reports that count.

Each frame carries the columns that locate a failure for the submitter — sha256, sheet,
row_number, cell, column_name, value_found — beside the columns the expectations test. The
frames compute features (a rate per day, a modified z-score, the two sides of a rule) and
carry each metric's bounds from metrics.csv (its one home); the suites say which feature is
compared with which bound, and hold the thresholds of no metric. A suite names its frame in
its meta.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from pipelines.batch import FormBatch
from pipelines.catalogue import derived_metrics, metrics
from pipelines.forms.text import label_key
from pipelines.forms.vocabulary import vocabulary
from pipelines.settings import EXPECTATIONS_DIR

RULES_FILE = EXPECTATIONS_DIR / "validation_rules.yml"


@dataclass(frozen=True)
class Inputs:
    """What a frame is made from: the batch of files being judged."""

    batch: FormBatch


# The catalogue's columns joined to each cell: the suites compare a cell with its metric's
# bounds there, so a bound changed in metrics.csv is the one the suites judge by.
BOUNDS = ("min_value", "max_value", "max_per_day", "max_per_report", "max_per_year")


def _metric_types() -> pl.DataFrame:
    """The catalogue's value type, name, unit and bounds of each metric, to join to cells."""
    return pl.DataFrame(
        [(m.code, m.value_type, m.name_zh, m.unit_zh, *(getattr(m, b) for b in BOUNDS))
         for m in metrics().values()],
        schema={"metric_code": pl.String, "value_type": pl.String,
                "metric_name_zh": pl.String, "unit_zh": pl.String,
                **dict.fromkeys(BOUNDS, pl.Float64)},
        orient="row",
    )


def _person_cells(batch: FormBatch) -> pl.DataFrame:
    """Metric cells of person rows with their report's who and when, and a rate per day."""
    people = batch.activity_rows.filter(pl.col("row_kind") == "person").select(
        "report_id", "row_number", "sheet", "person_key"
    )
    reports = batch.reports.select(
        "report_id", "supporting_hospital", "recipient_hospital", "department", "period_start",
        "period_end",
    )
    return (
        batch.activity_values.join(people, on=["report_id", "row_number"])
        .join(reports, on="report_id")
        .with_columns(
            period_days=(pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
        )
        .with_columns(value_per_day=pl.col("value") / pl.col("period_days"))
    )


def activity_cells(inputs: Inputs) -> pl.DataFrame:
    """One row per metric cell of a person row: its number, its distance to a whole number
    and its rate per day of the period."""
    batch = inputs.batch
    return (
        _person_cells(batch)
        .join(batch.report_columns.select("report_id", "metric_code", "column_name"),
              on=["report_id", "metric_code"], how="left")
        .join(_metric_types(), on="metric_code", how="left")
        .with_columns(
            value_found=pl.col("raw_text"),
            whole_remainder=(pl.col("value") - pl.col("value").round(0)).abs(),
        )
    )


def activity_rows(inputs: Inputs) -> pl.DataFrame:
    """One row per person row: its name, and the other rows of the same report naming the
    same person (a name merged down over several rows is one person, not a repeat)."""
    batch = inputs.batch
    people = batch.activity_rows.filter(pl.col("row_kind") == "person")
    repeats = (
        people.drop_nulls("person_key")
        .group_by("report_id", "person_key")
        .agg(person_repeats=pl.col("name_cell").n_unique(),
             rows_of_person=pl.col("row_number").sort())
    )
    return people.join(repeats, on=["report_id", "person_key"], how="left").with_columns(
        cell=pl.col("name_cell"),
        column_name=pl.lit("姓名"),
        value_found=pl.col("person_name"),
        rows_of_person=pl.col("rows_of_person").list.eval(pl.element().cast(pl.String))
        .list.join("、"),
    )


def report_headers(inputs: Inputs) -> pl.DataFrame:
    """One row per report: who sent it (the department, as resolved or as written)."""
    return inputs.batch.reports.with_columns(
        row_number=pl.lit(None, pl.Int32),
        cell=pl.lit(None, pl.String),
        column_name=pl.lit("填报科室"),
        value_found=pl.col("department"),
    )


def _totals_kind(label: str | None) -> str:
    """grand (合计, 总计), subtotal (小计), or not_a_sum (本年累计, 人均), from the label."""
    key = label_key(label or "")
    vocab = vocabulary()
    if any(marker in key for marker in vocab.not_a_sum_markers):
        return "not_a_sum"
    if any(marker in key for marker in vocab.subtotal_markers):
        return "subtotal"
    return "grand"


def report_totals(inputs: Inputs) -> pl.DataFrame:
    """One row per cell of a totals row: the number written and the sum of the people it
    totals — every person of the report for 合计, the people since the totals row before it
    for 小计. A running total (本年累计) or an average (人均) is no such sum: not compared."""
    batch = inputs.batch
    rows = batch.activity_rows.select("report_id", "row_number", "row_kind", "sheet",
                                      "person_name")
    totals_rows = (
        rows.filter(pl.col("row_kind") == "totals")
        .sort("report_id", "row_number")
        .with_columns(
            kind=pl.col("person_name").map_elements(_totals_kind, return_dtype=pl.String),
            after_row=pl.col("row_number").shift(1).over("report_id").fill_null(0),
        )
    )
    values = batch.activity_values.join(rows, on=["report_id", "row_number"])
    people = values.filter(pl.col("row_kind") == "person").select(
        "report_id", "metric_code", people_row="row_number", people_value="value")
    sums = (
        values.filter(pl.col("row_kind") == "totals")
        .join(totals_rows.select("report_id", "row_number", "kind", "after_row"),
              on=["report_id", "row_number"])
        .join(people, on=["report_id", "metric_code"], how="left")
        .filter((pl.col("kind") == "grand") | pl.col("people_row").is_between(
            pl.col("after_row"), pl.col("row_number"), closed="none"))
        .group_by("report_id", "row_number", "metric_code")
        .agg(sum_of_people=pl.col("people_value").sum().round(6))
    )
    return (
        values.filter(pl.col("row_kind") == "totals")
        .join(totals_rows.select("report_id", "row_number", "kind"),
              on=["report_id", "row_number"])
        .join(sums, on=["report_id", "row_number", "metric_code"], how="left")
        .join(batch.report_columns.select("report_id", "metric_code", "column_name"),
              on=["report_id", "metric_code"], how="left")
        .with_columns(
            # A blank cell in a totals row was not totalled (people total a few key columns).
            written_total=pl.when(
                (pl.col("raw_text").str.strip_chars() != "") & (pl.col("kind") != "not_a_sum"))
            .then(pl.col("value").round(6)),
            value_found=pl.col("raw_text"),
        )
    )


@dataclass(frozen=True)
class Rule:
    name: str
    left: str
    operator: str
    right: str
    importance: str
    description_zh: str

    @property
    def metrics(self) -> set[str]:
        return set(_metrics_in(self.left)) | set(_metrics_in(self.right))

    @property
    def located_at(self) -> str:
        """The metric whose cell a broken rule points at: the first one of its left side."""
        return _metrics_in(self.left)[0]


def _metrics_in(expression: str) -> list[str]:
    words = expression.replace("(", " ").replace(")", " ").split()
    return [w for w in words if w in metrics()]


def _derivation_rules(spec: dict[str, str]) -> list[Rule]:
    """A rule written once for every metric the catalogue derives from parts."""
    rules = []
    for metric in derived_metrics():
        parts = [metrics()[part] for part in metric.parts]
        words = "与".join(part.form_label or part.name_zh for part in parts)
        rules.append(Rule(
            name=spec["name"].format(metric=metric.code), left=metric.code,
            operator=spec["operator"], right=" + ".join(metric.parts),
            importance=spec["importance"],
            description_zh=spec["description_zh"].format(
                name=metric.name_zh, parts=words + parts[0].unit_zh, left="{left}",
                right="{right}"),
        ))
    return rules


@cache
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    with path.open(encoding="utf-8") as fh:
        specs = yaml.safe_load(fh)
    rules = tuple(rule for spec in specs for rule in (
        _derivation_rules(spec) if spec.pop("each_derived_metric", False) else [Rule(**spec)]))
    for rule in rules:
        stray = set(rule.left.split() + rule.right.split()) - rule.metrics - set("+-*/()")
        if stray or not rule.metrics:
            raise ValueError(f"rule {rule.name}: {sorted(stray)} are not metric codes")
    return rules


def cross_field_rules(inputs: Inputs) -> pl.DataFrame:
    """One row per (person row, rule) where the report has every column the rule names: the
    rule's two sides evaluated on the row."""
    import pandas as pd  # here, not at import: `bangfu check` imports it with GX, meanwhile

    batch = inputs.batch
    people = batch.activity_rows.filter(pl.col("row_kind") == "person").select(
        "report_id", "sha256", "sheet", "row_number", "name_cell", "person_name")
    if people.is_empty():
        return pl.DataFrame()
    wide = (
        batch.activity_values.join(people.select("report_id", "row_number"),
                                   on=["report_id", "row_number"])
        .pivot(on="metric_code", index=["report_id", "row_number"], values="value")
        .join(people, on=["report_id", "row_number"])
        .to_pandas()
    )
    collected = batch.report_columns.group_by("report_id").agg(pl.col("metric_code"))
    has = {r: set(codes) for r, codes in collected.iter_rows()}
    # The 2021 template has 门诊 and 急诊 but no 诊疗人次: a derived metric a report has no
    # column for is the sum of its parts (as in the marts), so the rules about it apply too.
    for metric in derived_metrics():
        parts = set(metric.parts)
        derived = [r for r, codes in has.items() if parts <= codes and metric.code not in codes]
        if not derived:
            continue
        if metric.code not in wide:
            wide[metric.code] = float("nan")
        rows = wide["report_id"].isin(derived)
        wide.loc[rows, metric.code] = wide.loc[rows, list(metric.parts)].sum(axis=1,
                                                                              skipna=False)
        for report_id in derived:
            has[report_id] = has[report_id] | {metric.code}
    located = batch.activity_values.join(batch.report_columns, on=["report_id", "metric_code"]
                                         ).select("report_id", "row_number", "metric_code",
                                                  "cell", "column_name", "raw_text").to_pandas()
    frames = []
    for rule in load_rules():
        applies = wide[[rule.metrics <= has.get(r, set()) for r in wide["report_id"]]]
        if applies.empty:
            continue
        # Values that are errors themselves (not a number, negative) are reported once, as such.
        valid = applies[sorted(rule.metrics)].ge(0).all(axis=1)
        applies = applies[valid].merge(
            located[located["metric_code"] == rule.located_at], on=["report_id", "row_number"])
        if applies.empty:
            continue
        frames.append(pd.DataFrame({
            "sha256": applies["sha256"], "sheet": applies["sheet"],
            "row_number": applies["row_number"], "cell": applies["cell"],
            "column_name": applies["column_name"], "value_found": applies["raw_text"],
            "rule": rule.name, "operator": rule.operator, "importance": rule.importance,
            "description_zh": rule.description_zh, "left_side": rule.left,
            "right_side": rule.right,
            "left_value": applies.eval(rule.left).astype(float),
            "right_value": applies.eval(rule.right).astype(float),
        }))
        frames[-1]["rule_detail"] = [
            rule.description_zh.format(left=_number(left), right=_number(right))
            for left, right in zip(frames[-1]["left_value"], frames[-1]["right_value"],
                                   strict=True)
        ]
    if not frames:
        return pl.DataFrame()
    return pl.from_pandas(pd.concat(frames, ignore_index=True))


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def capacity_cells(inputs: Inputs) -> pl.DataFrame:
    """One row per (indicator, year) cell of a capacity report."""
    return inputs.batch.capacity_values.join(
        _metric_types(), on="metric_code", how="left"
    ).with_columns(
        column_name=pl.col("indicator_name"),
        value_found=pl.col("raw_text"),
        whole_remainder=(pl.col("value") - pl.col("value").round(0)).abs(),
    )


FRAMES: dict[str, Callable[[Inputs], pl.DataFrame]] = {
    "activity_cells": activity_cells,
    "activity_rows": activity_rows,
    "report_headers": report_headers,
    "report_totals": report_totals,
    "cross_field_rules": cross_field_rules,
    "capacity_cells": capacity_cells,
}


def frame_for(name: str, inputs: Inputs) -> pl.DataFrame:
    """The rows a suite validates, one per cell or row it judges, in an order GX's unexpected
    row numbers (0..n-1) map back to."""
    return FRAMES[name](inputs)


def registered_departments() -> list[str]:
    return sorted(set(vocabulary().departments.values()))

