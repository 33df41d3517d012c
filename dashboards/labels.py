"""Chinese labels for the codes the marts use (statuses, severities, metric kinds).

Metric names and units are not here: they come from the marts' own columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.catalogue import Label, file_statuses, form_types, severities

# The words of the warehouse's codes come from their seeds (file_statuses.csv, severities.csv,
# form_types.csv), which the command line, the workbooks and dbt read too.
FILE_STATUSES: dict[str, Label] = file_statuses()
FORM_TYPES: dict[str, Label] = form_types()
SEVERITIES: dict[str, Label] = severities()

REPORTING_STATUSES: dict[str, Label] = {
    "on_time": Label("按时", "good", "按时报送"),
    "late": Label("迟报", "warn", "已报送，但晚于截止时间"),
    "missing": Label("缺报", "bad", "应报未报"),
    "unexpected": Label("计划外", "info", "未列入报送计划，但收到了报表"),
}

# The completeness grid (mart_reporting_completeness.coverage_status); a quarter without a row
# is one nobody was expected to report for.
COVERAGE_STATUSES: dict[str, Label] = {
    "accepted": Label("已接收", "good", "应报的报表均已接收"),
    "incomplete": Label("部分缺报", "warn", "本季度应报的月报有缺报或被退回"),
    "rejected": Label("被退回", "bad", "收到了报表，但整份被退回，需修改后重新提交"),
    "missing": Label("缺报", "bad", "应报未报"),
    "unexpected": Label("计划外", "info", "未列入报送计划，但收到了报表"),
    "not_expected": Label("无需报送", "neutral", "报送计划未要求该科室本季度报送"),
}

EXPECTED_REPORT_STATUSES: dict[str, Label] = {
    "accepted": Label("已接收", "good"),
    "rejected": Label("已收到但被退回", "bad"),
    "missing": Label("缺报", "bad"),
}

WORK_PLAN_STATUSES: dict[str, Label] = {
    "done": Label("已完成", "good"),
    "not_done": Label("未完成", "bad"),
    "no_data": Label("无数据", "neutral"),
}

ATTAINMENT_STATUSES: dict[str, Label] = {
    "met": Label("达标", "good"),
    "not_met": Label("未达标", "bad"),
    "not_reported": Label("未报告", "neutral"),
}

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
