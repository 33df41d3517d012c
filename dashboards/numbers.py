"""One way to write each unit of number in the year-end report (page, PDF, Word and Excel).

A unit is named by its kind (`count`, `amount`, `percent`, `ratio`, `index`, `growth`); each
has one formatter for text and one Excel number format, so 137.4 and 140.79 can no longer sit
in one column. A metric's unit follows from its value type in the catalogue (metrics.csv).
"""

from __future__ import annotations

from dashboards.html import format_number, format_signed, is_missing
from dashboards.marts import Metric

NOT_REPORTED = "未报告"
NOT_COMPUTABLE = "—"

# kind: (decimal places, always that many, suffix). count: people, visits, cases, beds (a
# pro-rata sum is shown whole); amount: 万元; percent: a share in %; ratio: CMI; index: a
# value ÷ the 2018 value × 100; growth: a relative change in %.
UNITS: dict[str, tuple[int, str]] = {
    "count": (0, ""),
    "amount": (2, ""),
    "percent": (1, "%"),
    "ratio": (2, ""),
    "index": (1, ""),
    "growth": (1, "%"),
}
# The same rules as Excel number formats, for numbers the workbook keeps as numbers.
EXCEL_FORMATS = {
    "count": "#,##0",
    "amount": "#,##0.00",
    "percent": '0.0"%"',
    "ratio": "0.00",
    "index": "#,##0.0",
    "growth": '+0.0"%";-0.0"%";0.0"%"',
}
VALUE_TYPE_UNITS = {"count": "count", "decimal": "amount", "percent": "percent", "index": "ratio"}


def metric_unit(metric: Metric) -> str:
    return VALUE_TYPE_UNITS.get(metric.value_type or "", "count")


def format_value(value: object, unit: str, *, signed: bool = False) -> str:
    """`value` written by its unit's one rule; a sign in front when `signed` (a change)."""
    decimals, suffix = UNITS[unit]
    writer = format_signed if signed or unit == "growth" else format_number
    return f"{writer(value, decimals, fixed=True)}{suffix}"  # type: ignore[arg-type]


def value_or(value: object, unit: str, missing: str = NOT_REPORTED, *,
             signed: bool = False) -> str:
    return missing if is_missing(value) else format_value(value, unit, signed=signed)


def metric_value(metric: Metric, value: object) -> str:
    """'45,303 人次', '41.2%', '0.98'; 未报告 when nothing was reported."""
    if is_missing(value):
        return NOT_REPORTED
    unit = metric_unit(metric)
    if unit == "percent":
        return format_value(value, unit)
    return f"{format_value(value, unit)} {metric.unit_zh}".rstrip()


def metric_change(metric: Metric, change: object) -> str | None:
    """A year-over-year change in the metric's own unit: 百分点 for percentages."""
    if is_missing(change):
        return None
    unit = metric_unit(metric)
    if unit == "percent":
        return f"{format_signed(change, UNITS[unit][0], fixed=True)} 个百分点"  # type: ignore[arg-type]
    return f"{format_value(change, unit, signed=True)} {metric.unit_zh}".rstrip()
