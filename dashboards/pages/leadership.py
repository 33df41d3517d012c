"""领导汇总: per pair, five-year trends, year-over-year gains and target attainment."""

from __future__ import annotations

from collections import defaultdict

from dashboards.context import Page, SiteContext
from dashboards.figures import metric_panels, trend_charts
from dashboards.html import (
    NOT_COMPUTABLE,
    Markup,
    badge,
    cell,
    esc,
    is_missing,
    join,
    no_data,
    note,
    number_cell,
    number_or,
    percent_or,
    table,
    tag,
)
from dashboards.labels import (
    ATTAINMENT_STATUSES,
    COMPARATOR_SYMBOLS,
    METRIC_GROUPS,
    OTHER_METRICS,
    MetricGroup,
    group_for,
    label_for,
)
from dashboards.marts import PROGRAMME_YEARS, Marts, Metric, Pair

GROUP_COLOURS = {"workload": "#1d4ed8", "capacity": "#2f855a", "other": "#6b7280"}


def render(context: SiteContext) -> Markup:
    marts = context.marts
    pairs = marts.pairs("mart_capacity_trend", "mart_target_attainment")
    intro = note(
        "“未报告”表示该年度没有任何报表填报该指标（不等于 0）；"
        "“—”表示无法计算（上一年或 2018 年未报告或为 0）。"
        "指数以 2018 年为 100；年均复合增长率按 2018—2022 年计算。"
    )
    if not pairs:
        return join([intro, no_data("数据仓库中还没有帮扶关系的趋势数据")])
    toc = tag(
        "ul",
        [tag("li", tag("a", pair.label, href=f"#pair-{n}")) for n, pair in enumerate(pairs, 1)],
        class_="toc",
    )
    sections = [_pair_section(marts, pair, f"pair-{n}") for n, pair in enumerate(pairs, 1)]
    return join([intro, toc, *sections])


def _pair_section(marts: Marts, pair: Pair, anchor: str) -> Markup:
    by_metric: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in marts.rows("mart_capacity_trend", pair):
        by_metric[row["metric_code"]][row["year"]] = row
    grouped: dict[MetricGroup, list[Metric]] = defaultdict(list)
    for code in by_metric:
        metric = marts.metric(code)
        grouped[group_for(metric.kind)].append(metric)

    parts: list[object] = [tag("h2", pair.label)]
    if not by_metric:
        parts.append(no_data("该帮扶关系暂无趋势指标"))
    for group in (*METRIC_GROUPS, OTHER_METRICS):
        metrics = sorted(grouped.get(group, []), key=lambda m: (m.sort_order, m.code))
        if metrics:
            parts.append(_group_block(group, metrics, by_metric, f"{anchor}-{group.key}"))
    parts.append(_attainment_block(marts, pair))
    return tag("section", parts, class_="pair-section", id=anchor)


def _group_block(
    group: MetricGroup, metrics: list[Metric], by_metric: dict[str, dict[int, dict]], anchor: str
) -> Markup:
    charts = trend_charts(
        metric_panels(metrics, by_metric, PROGRAMME_YEARS),
        PROGRAMME_YEARS,
        GROUP_COLOURS[group.key],
        f"{anchor}-trend",
        f"{group.title} 2018—2022 年趋势",
    )
    return join(
        [
            tag("h3", group.title),
            charts,
            tag("h4", f"{group.title}：逐年数值与同比增长"),
            _gains_table(metrics, by_metric),
        ]
    )


def _gains_table(metrics: list[Metric], by_metric: dict[str, dict[int, dict]]) -> Markup:
    header = ["指标", *(f"{year} 年" for year in PROGRAMME_YEARS), "年均复合增长率"]
    rows = []
    for metric in metrics:
        rows_by_year = by_metric[metric.code]
        cagr = next(
            (r["cagr_2018_2022"] for r in rows_by_year.values() if r["cagr_2018_2022"] is not None),
            None,
        )
        rows.append(
            [
                metric.title,
                *(_year_cell(metric, year, rows_by_year.get(year)) for year in PROGRAMME_YEARS),
                number_cell(
                    cagr,
                    tag("span", percent_or(cagr), class_=_tone(metric, cagr)),
                    data_metric=metric.code,
                    data_field="cagr_2018_2022",
                ),
            ]
        )
    return table(header, rows, class_="gains")


def _year_cell(metric: Metric, year: int, row: dict | None) -> Markup:
    """The value, its change on the year before and its index; 未报告 alone when not reported
    (every ratio of a missing value is missing too)."""
    row = row or {}
    value = row.get("value")
    attributes = {"data_metric": metric.code, "data_year": str(year)}
    if is_missing(value):
        return number_cell(value, **attributes)
    change = row.get("yoy_change")
    year_on_year = tag(
        "span",
        [
            "较上年 ",
            number_or(change, NOT_COMPUTABLE, signed=True),
            "（",
            percent_or(row.get("yoy_pct")),
            "）",
        ],
        class_=f"sub {_tone(metric, change)}".strip(),
    )
    index = tag(
        "span", ["指数 ", number_or(row.get("index_vs_2018"), NOT_COMPUTABLE)], class_="sub"
    )
    first_year = year == PROGRAMME_YEARS[0]
    # Sorted and downloaded by the value; the change and index are the lines under it.
    return number_cell(value, [number_or(value), None if first_year else year_on_year, index],
                       **attributes)


def _tone(metric: Metric, change: object) -> str:
    """`gain` when the change is an improvement for this metric, `loss` when it is not."""
    if is_missing(change) or change == 0 or metric.higher_is_better is None:
        return ""
    return "gain" if (change > 0) == metric.higher_is_better else "loss"


def _attainment_block(marts: Marts, pair: Pair) -> Markup:
    heading = tag("h3", "目标达成情况")
    if marts.frame("mart_target_attainment") is None:
        return join([heading, no_data()])
    by_target: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in marts.rows("mart_target_attainment", pair):
        by_target[row["target_code"]][row["year"]] = row
    if not by_target:
        return join([heading, no_data("该帮扶关系未设定目标")])
    header = ["目标", "指标", *(f"{year} 年" for year in PROGRAMME_YEARS)]
    rows = []
    for code in sorted(by_target):
        years = by_target[code]
        first = next(iter(years.values()))
        metric = marts.metric(first["metric_code"])
        rows.append(
            [
                first["target_name_zh"] or code,
                metric.title,
                *(_attainment_cell(years.get(year), code, year) for year in PROGRAMME_YEARS),
            ]
        )
    return join([heading, table(header, rows, class_="attainment")])


def _attainment_cell(row: dict | None, target_code: str, year: int) -> Markup:
    if row is None:
        return cell(tag("span", NOT_COMPUTABLE, class_="missing"))
    status = label_for(ATTAINMENT_STATUSES, row["status"])
    comparator = COMPARATOR_SYMBOLS.get(row["comparator"], row["comparator"] or "")
    detail = tag(
        "span",
        [
            "实际 ",
            number_or(row["actual_value"]),
            " ／ 目标 ",
            esc(comparator),
            number_or(row["target_value"], NOT_COMPUTABLE),
        ],
        class_="sub",
    )
    return cell(
        [badge(status.text, status.tone), detail], data_target=target_code, data_year=str(year)
    )


PAGE = Page(
    filename="leadership.html",
    title="领导汇总",
    summary=(
        "每个帮扶关系 2018—2022 年帮扶工作量与受援医院能力指标的五年趋势、同比增长和目标达成情况。"
    ),
    render=render,
)
