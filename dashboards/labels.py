"""Chinese labels for the codes the marts use (statuses, severities, metric kinds).

Metric names and units are not here: they come from the marts' own columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.catalogue import Label, file_statuses, form_types, mart_statuses, severities

# The words of the warehouse's codes come from their seeds (file_statuses.csv, severities.csv,
# form_types.csv, mart_statuses.csv), which the command line, the workbooks and dbt read too.
FILE_STATUSES: dict[str, Label] = file_statuses()
FORM_TYPES: dict[str, Label] = form_types()
SEVERITIES: dict[str, Label] = severities()

REPORTING_STATUSES = mart_statuses("reporting")  # mart_reporting_completeness.status
# The completeness grid (mart_reporting_completeness.coverage_status); a quarter without a row
# is one nobody was expected to report for (not_expected).
COVERAGE_STATUSES = mart_statuses("coverage")
EXPECTED_REPORT_STATUSES = mart_statuses("expected_report")  # mart_expected_reports.status
WORK_PLAN_STATUSES = mart_statuses("work_plan")  # mart_work_plan_status.status
ATTAINMENT_STATUSES = mart_statuses("attainment")  # mart_target_attainment.status

COMPARATOR_SYMBOLS = {">=": "≥", "<=": "≤", ">": "＞", "<": "＜", "=": "＝", "==": "＝"}


@dataclass(frozen=True)
class MetricGroup:
    key: str
    title: str
    kinds: tuple[str, ...]


# How the leadership summary groups metrics by the mart's `kind` column.
METRIC_GROUPS = (
    MetricGroup("workload", "帮扶工作量", ("activity", "derived")),
    MetricGroup("capacity", "受援医院能力指标", ("capacity",)),
)
OTHER_METRICS = MetricGroup("other", "其他指标", ())


def label_for(labels: dict[str, Label], code: str | None) -> Label:
    """The label of a known code; an unknown code is shown as written, never dropped."""
    if code is None:
        return Label("—", "neutral")
    return labels.get(code, Label(code, "neutral"))


def group_for(kind: str | None) -> MetricGroup:
    return next((group for group in METRIC_GROUPS if kind in group.kinds), OTHER_METRICS)
