"""The year-end report annex (年终书面汇报附件) of one pair and year, as content: sections of
sentences and tables of plain values, read from the marts only.

The site's printable report page, the Excel workbook and the Word document are all written
from this one content, so they cannot disagree with each other or with the marts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from dashboards.html import format_number, format_signed, is_missing
from dashboards.labels import ATTAINMENT_STATUSES, COMPARATOR_SYMBOLS, WORK_PLAN_STATUSES, label_for
from dashboards.marts import PROGRAMME_YEARS, Marts, Metric, Pair

FIRST_YEAR = PROGRAMME_YEARS[0]

# Activity metrics the per-department table shows, beside each department's coverage.
DEPARTMENT_COLUMNS = ("staff_dispatched", "total_visits", "surgeries", "training_attendees")


@dataclass(frozen=True)
class Column:
    title: str
    # text, count (whole number), number (decimals kept), percent (a value in %), signed
    kind: str = "text"
    width: int = 12


@dataclass
class Table:
    key: str  # sheet and anchor name (ASCII)
    title: str
    columns: list[Column]
    rows: list[list[object]]  # None = 未报告 / —, numbers stay numbers
    note: str | None = None


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class AnnualReport:
    pair: Pair
    year: int
    built_at: datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{self.pair.supporting}对口帮扶{self.pair.recipient} {self.year} 年度工作汇报附件"

    @property
    def file_stem(self) -> str:
        """File names hold the recipient hospital and the year."""
        return f"{self.pair.recipient}_{self.year}年度帮扶工作汇报附件"


SECTION_TITLES = ("帮扶工作量", "受援医院能力指标", "目标达成", "工作计划执行", "数据质量说明")


def report_years(marts: Marts, pair: Pair) -> list[int]:
    """Years with anything reported for the pair (activity or capacity)."""
    return sorted(
        {
            row["year"]
            for row in marts.rows("mart_capacity_trend", pair)
            if not is_missing(row["value"])
        }
    )


def build_report(marts: Marts, pair: Pair, year: int, built_at: datetime) -> AnnualReport:
    trend = _by_metric(marts.rows("mart_capacity_trend", pair))
    metrics = sorted((marts.metric(code) for code in trend), key=lambda m: (m.sort_order, m.code))
    activity = [m for m in metrics if m.kind in ("activity", "derived")]
    capacity = [m for m in metrics if m.kind == "capacity"]
    return AnnualReport(
        pair=pair,
        year=year,
        built_at=built_at,
        sections=[
            _workload(marts, pair, year, activity, trend),
            _capacity(year, capacity, trend),
            _targets(marts, pair, year),
            _work_plan(marts, pair, year),
            _quality(marts, pair, year),
        ],
    )


def _by_metric(rows: list[dict]) -> dict[str, dict[int, dict]]:
    by_metric: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        by_metric[row["metric_code"]][row["year"]] = row
    return by_metric


def coverage_text(expected: object, accepted: object, cadence: str | None = None) -> str | None:
    """'11/12 个月' for a department, '63/64 份' for a pair; None when nothing was expected."""
    if is_missing(expected) or not expected:
        return None
    unit = {"week": "周", "month": "个月", "quarter": "个季度"}.get(cadence or "", "份")
    return f"{int(accepted or 0)}/{int(expected)} {unit}"


def is_partial(row: dict) -> bool:
    expected, accepted = row.get("reports_expected"), row.get("reports_accepted")
    return not is_missing(expected) and expected > 0 and (accepted or 0) < expected


def change_text(metric: Metric, change: object) -> str | None:
    """A year-over-year change in the metric's own unit: 百分点 for percentages."""
    if is_missing(change):
        return None
    if metric.value_type == "percent":
        return f"{format_signed(change, 1, fixed=True)} 个百分点"
    return f"{format_signed(change)} {metric.unit_zh}".rstrip()


def value_text(metric: Metric, value: object) -> str:
    if is_missing(value):
        return "未报告"
    if metric.value_type == "percent":
        return f"{format_number(value, 1, fixed=True)}%"
    return f"{format_number(value)} {metric.unit_zh}".rstrip()


def _workload(marts, pair, year, activity, trend) -> Section:
    rows = []
    coverage_row: dict = {}
    for metric in activity:
        row = trend[metric.code].get(year, {})
        coverage_row = coverage_row or row
        rows.append(
            [
                metric.title,
                row.get("value"),
                row.get("prior_year_value"),
                row.get("yoy_change"),
                row.get("yoy_pct"),
            ]
        )
    expected, accepted = coverage_row.get("reports_expected"), coverage_row.get("reports_accepted")
    received = coverage_row.get("reports_received")
    paragraphs = []
    if not is_missing(expected) and expected:
        sentence = (
            f"{year} 年应报统计表 {int(expected)} 份，收到 {int(received or 0)} 份，"
            f"已接收 {int(accepted or 0)} 份。"
        )
        if accepted < expected:
            sentence += "以下工作量为已接收报表的合计，少于全年实际工作量。"
        paragraphs.append(sentence)
    departments = _department_rows(marts, pair, year)
    return Section(
        "帮扶工作量",
        paragraphs,
        [
            Table(
                "workload",
                f"{year} 年帮扶工作量",
                [
                    Column("指标", width=28),
                    Column(f"{year} 年", "number"),
                    Column(f"{year - 1} 年", "number"),
                    Column("同比变化", "signed"),
                    Column("同比增长（%）", "percent"),
                ],
                rows,
            ),
            Table(
                "departments",
                f"{year} 年各科室工作量与报表完整度",
                [
                    Column("科室", width=14),
                    Column("应报", "count", 8),
                    Column("已收到", "count", 8),
                    Column("已接收", "count", 8),
                    Column("完整度", width=12),
                    *(Column(marts.metric(code).title, "number") for code in DEPARTMENT_COLUMNS),
                ],
                departments,
                "完整度为已接收报表数／应报报表数；不足的年度，工作量为部分合计。",
            ),
        ],
    )


def _department_rows(marts: Marts, pair: Pair, year: int) -> list[list[object]]:
    by_department: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in marts.rows("mart_department_trend", pair):
        if row["year"] == year:
            by_department[row["department"]][row["metric_code"]] = row
    rows = []
    for department in sorted(by_department):
        metrics = by_department[department]
        any_row = next(iter(metrics.values()))
        if not any_row.get("reports") and not any_row.get("reports_expected"):
            continue
        rows.append(
            [
                department,
                any_row.get("reports_expected"),
                any_row.get("reports_received"),
                any_row.get("reports_accepted"),
                coverage_text(
                    any_row.get("reports_expected"),
                    any_row.get("reports_accepted"),
                    any_row.get("reporting_cadence"),
                )
                or "计划外",
                *(metrics.get(code, {}).get("value") for code in DEPARTMENT_COLUMNS),
            ]
        )
    return rows


def _capacity(year, capacity, trend) -> Section:
    rows = []
    for metric in capacity:
        years = trend[metric.code]
        row = years.get(year, {})
        rows.append(
            [
                metric.title,
                years.get(FIRST_YEAR, {}).get("value"),
                years.get(year - 1, {}).get("value"),
                row.get("value"),
                change_text(metric, row.get("yoy_change")),
                row.get("index_vs_2018"),
                row.get("cagr_2018_2022"),
            ]
        )
    return Section(
        "受援医院能力指标",
        [
            "数值为受援医院能力指标表所报；百分比指标的同比变化以百分点计，"
            f"指数以 {FIRST_YEAR} 年为 100，"
            f"年均复合增长率按 {FIRST_YEAR}—{PROGRAMME_YEARS[-1]} 年计算。"
        ],
        [
            Table(
                "capacity",
                f"受援医院能力指标（{year} 年）",
                [
                    Column("指标", width=30),
                    Column(f"{FIRST_YEAR} 年", "number"),
                    Column(f"{year - 1} 年", "number"),
                    Column(f"{year} 年", "number"),
                    Column("同比变化", width=16),
                    Column(f"指数（{FIRST_YEAR}=100）", "number"),
                    Column("年均复合增长率（%）", "percent"),
                ],
                rows,
            )
        ],
    )


def _targets(marts: Marts, pair: Pair, year: int) -> Section:
    rows = []
    counts: dict[str, int] = defaultdict(int)
    for row in sorted(marts.rows("mart_target_attainment", pair), key=lambda r: r["target_code"]):
        if row["year"] != year:
            continue
        status = label_for(ATTAINMENT_STATUSES, row["status"])
        counts[status.text] += 1
        comparator = COMPARATOR_SYMBOLS.get(row["comparator"], row["comparator"] or "")
        rows.append(
            [
                row["target_name_zh"],
                marts.metric(row["metric_code"]).title,
                f"{comparator}{format_number(row['target_value'])}",
                row["actual_value"],
                status.text,
            ]
        )
    summary = "、".join(f"{text} {n} 项" for text, n in counts.items())
    return Section(
        "目标达成",
        [f"{year} 年适用目标 {len(rows)} 项：{summary}。" if rows
         else f"{year} 年没有适用的目标。"],
        [
            Table(
                "targets",
                f"{year} 年目标达成情况",
                [
                    Column("目标", width=40),
                    Column("指标", width=24),
                    Column("目标值", width=10),
                    Column("实际值", "number"),
                    Column("状态", width=10),
                ],
                rows,
            )
        ],
    )


def _work_plan(marts: Marts, pair: Pair, year: int) -> Section:
    rows = []
    counts: dict[str, int] = defaultdict(int)
    items = [r for r in marts.rows("mart_work_plan_status", pair) if r["year"] == year]
    items.sort(key=lambda r: (r["source_zh"], r["item_no"] or "", r["plan_item_code"]))
    for row in items:
        status = label_for(WORK_PLAN_STATUSES, row["status"])
        counts[status.text] += 1
        rows.append(
            [
                row["item_no"],
                row["item_zh"],
                row["when_zh"],
                row["lead_department"],
                status.text,
                row["evidence_detail_zh"],
            ]
        )
    summary = "、".join(f"{text} {n} 项" for text, n in counts.items())
    paragraphs = (
        [f"{year} 年工作计划 {len(rows)} 项：{summary}。"
         "“无数据”表示统计表不能反映该项，需另附材料。"]
        if rows
        else [f"{year} 年没有列入工作计划的事项。"]
    )
    return Section(
        "工作计划执行",
        paragraphs,
        [
            Table(
                "work_plan",
                f"{year} 年工作计划执行情况",
                [
                    Column("序号", width=6),
                    Column("工作计划", width=44),
                    Column("完成时间", width=14),
                    Column("牵头科室", width=10),
                    Column("状态", width=8),
                    Column("依据", width=60),
                ],
                rows,
            )
        ],
    )


def _quality(marts: Marts, pair: Pair, year: int) -> Section:
    expected = [r for r in marts.rows("mart_expected_reports", pair) if r["year"] == year]
    chasing = [r for r in expected if r["status"] != "accepted"]
    # One row per department: its missing and rejected periods, in order.
    by_department: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in sorted(chasing, key=lambda r: (r["department"], r["period_start"])):
        by_department[row["department"]][row["status"]].append(row["period_label"])
        if row.get("files_rejected_paths"):
            by_department[row["department"]]["files"].append(row["files_rejected_paths"])
    chase_rows = [
        [
            department,
            len(periods["missing"]),
            "、".join(periods["missing"]),
            "、".join(periods["rejected"]),
            "、".join(periods["files"]),
        ]
        for department, periods in by_department.items()
    ]
    files = {
        (f["file_path"], f["sha256"]): f
        for f in marts.rows("ingest_files", pair)
        if f["status"] in ("rejected", "partial") and _touches(f, year)
    }
    open_issues: dict[tuple, int] = defaultdict(int)
    for issue in marts.rows("ingest_issues", pair):
        key = (issue["file_path"], issue["sha256"])
        if issue["severity"] == "error" and key in files:
            open_issues[(issue["file_path"], files[key]["status"], issue["code_title_zh"])] += 1
    issue_rows = [
        [path, "整份退回" if status == "rejected" else "部分数据行退回", title, count]
        for (path, status, title), count in sorted(open_issues.items())
    ]
    accepted = sum(1 for r in expected if r["status"] == "accepted")
    paragraphs = [
        f"{year} 年应报统计表 {len(expected)} 份，已接收 {accepted} 份，"
        f"缺报 {sum(1 for r in chasing if r['status'] == 'missing')} 份，"
        f"收到但被退回 {sum(1 for r in chasing if r['status'] == 'rejected')} 份。"
        if expected
        else f"{year} 年没有报送计划。",
        f"尚未改正的退回：{len(files)} 个文件。" if files else "没有尚未改正的退回。",
    ]
    return Section(
        "数据质量说明",
        paragraphs,
        [
            Table(
                "missing_reports",
                "缺报与退回的报表（催报清单）",
                [
                    Column("科室", width=14),
                    Column("缺报（份）", "count", 10),
                    Column("缺报的统计周期", width=40),
                    Column("收到但被退回的统计周期", width=24),
                    Column("被退回的文件", width=40),
                ],
                chase_rows,
            ),
            Table(
                "open_rejections",
                "尚未改正的退回",
                [
                    Column("文件", width=60),
                    Column("处理", width=16),
                    Column("问题", width=20),
                    Column("错误数", "count", 8),
                ],
                issue_rows,
            ),
        ],
    )


def _touches(file: dict, year: int) -> bool:
    start, end = file.get("period_start"), file.get("period_end")
    if start is None or end is None:
        return True  # a file without a period could be any year's: still to be fixed
    return start.year <= year <= end.year
