"""The year-end report annex (年终书面汇报附件) of one pair and year, as content: sections of
sentences and tables of plain values, read from the marts only.

The site's printable report page, the PDF, the Word document and the Excel workbook are all
written from this one content, so they cannot disagree with each other or with the marts.
Every number in a table is a `Quantity` with its unit, written by that unit's one rule
(dashboards/numbers.py) wherever it appears.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from dashboards.html import is_missing
from dashboards.labels import ATTAINMENT_STATUSES, COMPARATOR_SYMBOLS, WORK_PLAN_STATUSES, label_for
from dashboards.marts import PROGRAMME_YEARS, Marts, Pair
from dashboards.numbers import (
    NOT_COMPUTABLE,
    NOT_REPORTED,
    format_value,
    metric_change,
    metric_unit,
    value_or,
)
from pipelines.naming import xml_safe

FIRST_YEAR = PROGRAMME_YEARS[0]

# Activity metrics the per-department table shows, beside each department's coverage.
DEPARTMENT_COLUMNS = ("staff_dispatched", "total_visits", "surgeries", "training_attendees")


@dataclass(frozen=True)
class Quantity:
    """A number of a table with its unit (numbers.UNITS); `signed` for a change; `missing` is
    what stands for NULL (未报告 for a value nobody reported, — for a ratio not computable)."""

    value: float | int | None
    unit: str
    signed: bool = False
    missing: str = NOT_REPORTED

    @property
    def text(self) -> str:
        return value_or(self.value, self.unit, self.missing, signed=self.signed)


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, or number (right-aligned; its cells are Quantity)
    width: int = 12


Cell = str | Quantity | None


@dataclass
class Table:
    key: str  # sheet and anchor name (ASCII)
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
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


def cell_text(value: Cell) -> str:
    """A table cell as every document writes it (a character XML cannot hold, which a file's
    name may have, as \\xNN)."""
    if isinstance(value, Quantity):
        return value.text
    return "" if value is None else xml_safe(value)


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
    quality = ReportingQuality.of(marts, pair, year)
    return AnnualReport(
        pair=pair,
        year=year,
        built_at=built_at,
        sections=[
            _workload(marts, pair, year, activity, trend, quality),
            _capacity(year, capacity, trend),
            _targets(marts, pair, year),
            _work_plan(marts, pair, year),
            _quality(quality, year),
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


def _workload(marts, pair, year, activity, trend, quality: ReportingQuality) -> Section:
    rows: list[list[Cell]] = []
    for metric in activity:
        row = trend[metric.code].get(year, {})
        unit = metric_unit(metric)
        rows.append(
            [
                metric.title,
                Quantity(row.get("value"), unit),
                Quantity(row.get("prior_year_value"), unit),
                Quantity(row.get("yoy_change"), unit, signed=True, missing=NOT_COMPUTABLE),
                Quantity(row.get("yoy_pct"), "growth", missing=NOT_COMPUTABLE),
            ]
        )
    paragraphs = []
    if quality.expected:
        sentence = f"{year} 年应报统计表 {quality.expected} 份，已接收 {quality.accepted} 份。"
        if quality.accepted < quality.expected:
            sentence += ("以下工作量为已接收报表的合计，少于全年实际工作量；"
                         "缺报与退回未改的报表见“数据质量说明”。")
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
                    Column("同比变化", "number"),
                    Column("同比增长", "number"),
                ],
                rows,
            ),
            Table(
                "departments",
                f"{year} 年各科室工作量与报表完整度",
                [
                    Column("科室", width=12),
                    Column("应报", "number", 6),
                    Column("已收到", "number", 6),
                    Column("已接收", "number", 6),
                    Column("完整度", width=10),
                    *(Column(marts.metric(code).title, "number", 10)
                      for code in DEPARTMENT_COLUMNS),
                ],
                departments,
                "完整度为已接收报表数／应报报表数；不足的年度，工作量为部分合计。",
            ),
        ],
    )


def _department_rows(marts: Marts, pair: Pair, year: int) -> list[list[Cell]]:
    by_department: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in marts.rows("mart_department_trend", pair):
        if row["year"] == year:
            by_department[row["department"]][row["metric_code"]] = row
    rows: list[list[Cell]] = []
    for department in sorted(by_department):
        metrics = by_department[department]
        any_row = next(iter(metrics.values()))
        if not any_row.get("reports") and not any_row.get("reports_expected"):
            continue
        rows.append(
            [
                department,
                Quantity(any_row.get("reports_expected"), "count", missing=NOT_COMPUTABLE),
                Quantity(any_row.get("reports_received"), "count", missing=NOT_COMPUTABLE),
                Quantity(any_row.get("reports_accepted"), "count", missing=NOT_COMPUTABLE),
                coverage_text(
                    any_row.get("reports_expected"),
                    any_row.get("reports_accepted"),
                    any_row.get("reporting_cadence"),
                )
                or "计划外",
                *(
                    Quantity(metrics.get(code, {}).get("value"), metric_unit(marts.metric(code)))
                    for code in DEPARTMENT_COLUMNS
                ),
            ]
        )
    return rows


def _capacity(year, capacity, trend) -> Section:
    rows: list[list[Cell]] = []
    for metric in capacity:
        years = trend[metric.code]
        row = years.get(year, {})
        unit = metric_unit(metric)
        rows.append(
            [
                metric.title,
                Quantity(years.get(FIRST_YEAR, {}).get("value"), unit),
                Quantity(years.get(year - 1, {}).get("value"), unit),
                Quantity(row.get("value"), unit),
                metric_change(metric, row.get("yoy_change")) or NOT_COMPUTABLE,
                Quantity(row.get("index_vs_2018"), "index", missing=NOT_COMPUTABLE),
                Quantity(row.get("cagr_2018_2022"), "growth", missing=NOT_COMPUTABLE),
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
                    Column("指标", width=26),
                    Column(f"{FIRST_YEAR} 年", "number"),
                    Column(f"{year - 1} 年", "number"),
                    Column(f"{year} 年", "number"),
                    Column("同比变化", "number", 15),
                    Column(f"指数（{FIRST_YEAR}=100）", "number", 17),
                    Column("年均复合增长率", "number", 15),
                ],
                rows,
            )
        ],
    )


def _targets(marts: Marts, pair: Pair, year: int) -> Section:
    rows: list[list[Cell]] = []
    counts: dict[str, int] = defaultdict(int)
    for row in sorted(marts.rows("mart_target_attainment", pair), key=lambda r: r["target_code"]):
        if row["year"] != year:
            continue
        status = label_for(ATTAINMENT_STATUSES, row["status"])
        counts[status.text] += 1
        metric = marts.metric(row["metric_code"])
        unit = metric_unit(metric)
        comparator = COMPARATOR_SYMBOLS.get(row["comparator"], row["comparator"] or "")
        rows.append(
            [
                row["target_name_zh"],
                metric.title,
                f"{comparator}{format_value(row['target_value'], unit)}",
                Quantity(row["actual_value"], unit),
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
                    Column("目标", width=36),
                    Column("指标", width=24),
                    Column("目标值", width=10),
                    Column("实际值", "number"),
                    Column("状态", width=8),
                ],
                rows,
            )
        ],
    )


DIGITS = "一二三四五六七八九"
ATTACHMENT = re.compile(r"附件\s*(\d*)")
HEADING = re.compile(r"([一二三四五六七八九十]+)\s*[、（(]")


def _numeral(text: str) -> int:
    """一 … 九十九 as a number (the plans' section headings)."""
    if "十" not in text:
        return DIGITS.index(text) + 1
    tens, _, ones = text.partition("十")
    return (DIGITS.index(tens) + 1 if tens else 1) * 10 + (DIGITS.index(ones) + 1 if ones else 0)


def plan_document_order(source_zh: str, item_no: str | None) -> tuple:
    """Where a plan item stands in its source document: the document (its number), its main
    text before its attachments (附件1 before 附件2), the heading's numeral (一、 before 三、),
    then the item's number (2 before 10), unnumbered items after the numbered."""
    document, _, place = (source_zh or "").partition(" ")
    attachment = ATTACHMENT.search(place)
    heading = HEADING.search(place)
    number = (item_no or "").strip()
    return (
        document,
        (1, int(attachment.group(1) or 0)) if attachment else (0, 0),
        _numeral(heading.group(1)) if heading else 0,
        (0, int(number)) if number.isdigit() else (1, 0),
        number,
    )


def _work_plan(marts: Marts, pair: Pair, year: int) -> Section:
    rows: list[list[Cell]] = []
    counts: dict[str, int] = defaultdict(int)
    items = [r for r in marts.rows("mart_work_plan_status", pair) if r["year"] == year]
    items.sort(key=lambda r: (plan_document_order(r["source_zh"], r["item_no"]),
                              r["plan_item_code"]))
    documents = list(dict.fromkeys((r["source_zh"] or "").partition(" ")[0] for r in items))
    for row in items:
        status = label_for(WORK_PLAN_STATUSES, row["status"])
        counts[status.text] += 1
        place = (row["source_zh"] or "").partition(" ")[2]
        number = f"第 {row['item_no']} 项" if row["item_no"] else None
        rows.append(
            [
                "　".join(filter(None, [place, number])),
                row["item_zh"],
                row["when_zh"],
                row["lead_department"],
                status.text,
                row["evidence_detail_zh"],
            ]
        )
    summary = "、".join(f"{text} {n} 项" for text, n in counts.items())
    paragraphs = (
        [f"{year} 年工作计划 {len(rows)} 项（出自{'、'.join(documents)}，按原文顺序）：{summary}。"
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
                    Column("出处", width=26),
                    Column("工作计划", width=46),
                    Column("完成时间", width=17),
                    Column("牵头科室", width=17),
                    Column("状态", width=13),
                    Column("依据", width=55),
                ],
                rows,
            )
        ],
    )


@dataclass(frozen=True)
class RejectedFile:
    """A file of the pair, touching the year, rejected in whole or in part and not replaced
    by an accepted version since: a person reads its name, never the raw folder's path."""

    name: str
    department: str | None
    period: str | None  # None: the file names no period bangfu could read
    whole: bool
    problems: str  # '未填写统计周期 1 处；…'


@dataclass(frozen=True)
class ReportingQuality:
    """The year's reporting in one set of counts, which every sentence and table of the
    report uses: expected reports, accepted, 缺报 (nothing received for the period), 退回未改
    (a file received for the period was rejected and not yet corrected), and the rejected
    files themselves, one count."""

    expected: int
    accepted: int
    chase: list[dict]  # the expected periods not accepted, in department and period order
    files: list[RejectedFile]

    @property
    def missing(self) -> list[dict]:
        return [r for r in self.chase if r["status"] == "missing"]

    @property
    def returned(self) -> list[dict]:
        return [r for r in self.chase if r["status"] != "missing"]

    @classmethod
    def of(cls, marts: Marts, pair: Pair, year: int) -> ReportingQuality:
        expected = [r for r in marts.rows("mart_expected_reports", pair) if r["year"] == year]
        labels = {(r["department"], r["period_start"], r["period_end"]): r["period_label"]
                  for r in expected}
        files = {
            (f["file_path"], f["sha256"]): f
            for f in marts.rows("ingest_files", pair)
            if f["status"] in ("rejected", "partial") and _touches(f, year)
        }
        problems: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for issue in marts.rows("ingest_issues", pair):
            key = (issue["file_path"], issue["sha256"])
            if issue["severity"] == "error" and key in files:
                problems[key][issue["code_title_zh"]] += 1
        rejected = []
        for key, file in sorted(files.items(), key=lambda item: (item[1]["department"] or "",
                                                                  item[1]["period_start"] or
                                                                  datetime.min.date(), item[0])):
            period = None
            if file["period_start"] is not None:
                period = labels.get((file["department"], file["period_start"], file["period_end"]),
                                    f"{file['period_start']:%Y-%m-%d}—{file['period_end']:%Y-%m-%d}")
            rejected.append(RejectedFile(
                name=PurePosixPath(file["file_path"]).name,
                department=file["department"],
                period=period,
                whole=file["status"] == "rejected",
                problems="；".join(f"{title} {n} 处" for title, n in problems[key].items()),
            ))
        return cls(
            expected=len(expected),
            accepted=sum(1 for r in expected if r["status"] == "accepted"),
            chase=sorted((r for r in expected if r["status"] != "accepted"),
                         key=lambda r: (r["department"], r["period_start"])),
            files=rejected,
        )


def _quality(quality: ReportingQuality, year: int) -> Section:
    unplaced = defaultdict(list)
    for file in quality.files:
        if file.period is None:
            unplaced[file.department].append(file.name)
    chase_rows: list[list[Cell]] = []
    for row in quality.chase:
        if row["status"] == "missing":
            guess = unplaced.get(row["department"])
            detail = (f"该期未收到文件；本科室有未写统计周期的退回文件（{'、'.join(guess)}），"
                      "可能即为此期，改正后重报" if guess else "该期未收到文件，请催报")
            chase_rows.append([row["department"], row["period_label"], "缺报", detail])
        else:
            names = "、".join(PurePosixPath(path).name
                             for path in (row["files_rejected_paths"] or "").split("、") if path)
            chase_rows.append([row["department"], row["period_label"], "退回未改",
                               f"收到的文件被退回：{names}，改正后重报"])
    file_rows: list[list[Cell]] = [
        [
            file.name,
            file.department or "未能识别",
            file.period or "未能识别",
            "整份退回" if file.whole else "部分数据行退回",
            file.problems,
        ]
        for file in quality.files
    ]
    whole = sum(1 for f in quality.files if f.whole)
    paragraphs = [
        (f"{year} 年应报统计表 {quality.expected} 份：已接收 {quality.accepted} 份，"
         f"缺报 {len(quality.missing)} 份（该期没有收到文件），"
         f"退回未改 {len(quality.returned)} 份（收到的文件被退回，尚未改正重报）。")
        if quality.expected else f"{year} 年没有报送计划。",
        (f"被退回、尚未改正的文件 {len(quality.files)} 个（整份退回 {whole} 个，"
         f"部分数据行退回 {len(quality.files) - whole} 个），见“退回未改的文件”。")
        if quality.files else "没有被退回、尚未改正的文件。",
    ]
    return Section(
        "数据质量说明",
        paragraphs,
        [
            Table(
                "missing_reports",
                "缺报与退回未改的报表（催报清单）",
                [
                    Column("科室", width=12),
                    Column("统计周期", width=14),
                    Column("状态", width=10),
                    Column("说明", width=60),
                ],
                chase_rows,
                "缺报：该统计周期没有收到文件；退回未改：收到了文件，但被退回且尚未改正重报。",
            ),
            Table(
                "open_rejections",
                f"退回未改的文件（{len(quality.files)} 个）",
                [
                    Column("文件", width=36),
                    Column("科室", width=10),
                    Column("统计周期", width=14),
                    Column("处理", width=12),
                    Column("问题", width=30),
                ],
                file_rows,
            ),
        ],
    )


def _touches(file: dict, year: int) -> bool:
    start, end = file.get("period_start"), file.get("period_end")
    if start is None or end is None:
        return True  # a file without a period could be any year's: still to be fixed
    return start.year <= year <= end.year
