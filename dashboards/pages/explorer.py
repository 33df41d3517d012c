"""分析浏览: drill from a pair to a department (its metric trends) and to each person."""

from __future__ import annotations

import re
from collections import defaultdict

from dashboards.context import Page, SiteContext
from dashboards.figures import metric_panels, trend_charts
from dashboards.html import (
    NOT_COMPUTABLE,
    NOT_REPORTED,
    Markup,
    cell,
    format_count,
    is_missing,
    join,
    no_data,
    note,
    number_or,
    table,
    tag,
)
from dashboards.marts import PROGRAMME_YEARS, Marts, Metric, Pair

DEPARTMENT_COLOUR = "#6b46c1"

# Mart rows keyed by metric code, then year; and those by person or department.
ByMetric = dict[str, dict[int, dict]]
ByName = dict[str | None, ByMetric]


def render(context: SiteContext) -> Markup:
    marts = context.marts
    pairs = marts.pairs("mart_department_trend", "mart_person_activity")
    if not pairs:
        return no_data("数据仓库中还没有科室或人员数据")
    sections = [_pair_section(marts, pair, f"p{n}") for n, pair in enumerate(pairs, 1)]
    return join(
        [
            _filters(pairs),
            note(
                "先选择帮扶关系，再选择科室；可按姓名筛选人员。"
                "“未报告”表示该年度报表中没有该指标（不等于 0），"
                "“—”表示该人员该年度没有被接收的数据行；合计带 * 的，不含未报告的年度。"
            ),
            *sections,
        ]
    )


def _filters(pairs: list[Pair]) -> Markup:
    # Shown by site.js; without JavaScript every section is simply listed.
    pair_options = [tag("option", pair.label, value=f"p{n}") for n, pair in enumerate(pairs, 1)]
    return tag(
        "form",
        [
            tag("label", ["帮扶关系", tag("select", pair_options, name="pair")]),
            tag("label", ["科室", tag("select", None, name="department")]),
            tag(
                "label",
                [
                    "人员姓名",
                    tag("input", None, type="search", name="person", placeholder="输入姓名筛选"),
                ],
            ),
        ],
        class_="filters",
        data_explorer_filters="true",
        hidden=True,
        onsubmit="return false",
    )


def _pair_section(marts: Marts, pair: Pair, pair_id: str) -> Markup:
    trends: ByName = defaultdict(lambda: defaultdict(dict))
    for row in marts.rows("mart_department_trend", pair):
        trends[row["department"]][row["metric_code"]][row["year"]] = row
    people: dict[str | None, ByName] = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for row in marts.rows("mart_person_activity", pair):
        people[row["department"]][row["person_name"]][row["metric_code"]][row["year"]] = row

    departments = sorted(trends.keys() | people.keys(), key=lambda d: (d is None, d or ""))
    department_ids = {d: f"{pair_id}-d{n}" for n, d in enumerate(departments, 1)}
    parts: list[object] = [tag("h2", pair.label), tag("h3", "科室概览")]
    parts.append(_overview(departments, department_ids, trends, people))
    parts.append(_by_metric(marts, pair, departments, trends))
    for department in departments:
        parts.append(
            _department_section(
                marts,
                department,
                department_ids[department],
                pair_id,
                trends.get(department, {}),
                people.get(department, {}),
            )
        )
    return tag("section", parts, class_="pair-section", id=pair_id, data_explorer_pair=pair_id)


def _department_label(department: str | None) -> str:
    return department or "（未注明科室）"


def _overview(
    departments: list[str | None],
    department_ids: dict[str | None, str],
    trends: ByName,
    people: dict[str | None, ByName],
) -> Markup:
    header = ["科室", *(f"{year} 年报表数" for year in PROGRAMME_YEARS), "人员数"]
    rows = []
    for department in departments:
        reports_by_year = _reports_by_year(trends.get(department, {}))
        link = tag(
            "a",
            _department_label(department),
            href=f"#{department_ids[department]}",
            data_select_department=department_ids[department],
        )
        rows.append(
            [
                link,
                *(
                    cell(format_count(reports_by_year.get(year)), class_="number")
                    for year in PROGRAMME_YEARS
                ),
                cell(format_count(len(people.get(department, {}))), class_="number"),
            ]
        )
    return table(header, rows)


def _by_metric(marts: Marts, pair: Pair, departments: list[str | None],
               trends: ByName) -> Markup:
    """Each metric by department and year, and the pair's figure under them: the number on
    the leadership page, explained department by department."""
    totals = {(r["metric_code"], r["year"]): r["value"]
              for r in marts.rows("mart_capacity_trend", pair)}
    metrics = _sorted_metrics(marts, {code for trend in trends.values() for code in trend})
    header = ["科室", *(f"{year} 年" for year in PROGRAMME_YEARS)]
    blocks = []
    for metric in metrics:
        rows = [
            [_department_label(department),
             *(cell(_department_value(trends[department][metric.code].get(year)),
                    class_="number") for year in PROGRAMME_YEARS)]
            for department in departments
            if metric.code in trends.get(department, {})
        ]
        rows.append([
            tag("strong", "帮扶关系合计"),
            *(cell(tag("strong", number_or(totals.get((metric.code, year)))), class_="number")
              for year in PROGRAMME_YEARS),
        ])
        blocks.append(tag("details", [tag("summary", metric.title), table(header, rows)],
                          class_="by-metric"))
    return join([
        tag("h3", "各项指标按科室"),
        note("点开一项指标，看每个科室每年的数值；最后一行“帮扶关系合计”即领导汇总中的数值，"
             "等于各科室之和（下派人员数按人计，不重复计同一人）。"),
        *blocks,
    ])


def _department_value(row: dict | None) -> Markup:
    return number_or(row["value"]) if row else tag("span", NOT_COMPUTABLE, class_="missing")


def _reports_by_year(metrics: ByMetric) -> dict[int, int]:
    """Winning reports touching each year; every metric row of a year carries the same count."""
    counts: dict[int, int] = {}
    for years in metrics.values():
        for year, row in years.items():
            counts[year] = max(counts.get(year, 0), row.get("reports") or 0)
    return counts


def _department_section(
    marts: Marts,
    department: str | None,
    department_id: str,
    pair_id: str,
    trend: ByMetric,
    people: ByName,
) -> Markup:
    label = _department_label(department)
    metrics = _metrics_of(marts, trend)
    reported = [
        m for m in metrics if any(not is_missing(r["value"]) for r in trend[m.code].values())
    ]
    silent = [m for m in metrics if m not in reported]
    parts: list[object] = [tag("h3", label), tag("h4", "科室指标趋势")]
    if reported:
        panels = metric_panels(reported, trend, PROGRAMME_YEARS)
        parts.append(
            trend_charts(
                panels,
                PROGRAMME_YEARS,
                DEPARTMENT_COLOUR,
                f"{department_id}-trend",
                f"{label} 指标趋势",
            )
        )
    else:
        parts.append(no_data("该科室 2018—2022 年没有任何已报告的指标"))
    if silent:
        parts.append(note("2018—2022 年均未报告的指标：" + "、".join(m.title for m in silent)))
    parts += [tag("h4", "人员明细"), _people_table(marts, people)]
    return tag(
        "section",
        parts,
        class_="department-section",
        id=department_id,
        data_explorer_department=department_id,
        data_pair_id=pair_id,
        data_label=label,
    )


def _catalog_order(metric: Metric) -> tuple:
    """The leadership page's order of metrics."""
    return (metric.sort_order, metric.code)


def _sorted_metrics(marts: Marts, codes: set[str]) -> list[Metric]:
    return sorted((marts.metric(code) for code in codes), key=_catalog_order)


def _metrics_of(marts: Marts, rows_by_metric: ByMetric) -> list[Metric]:
    """The metrics of mart rows keyed by metric code, in the catalog's order."""
    metrics = []
    for code, years in rows_by_metric.items():
        sample = next(iter(years.values()))
        metrics.append(marts.metric(code, sample.get("metric_name_zh"), sample.get("unit")))
    return sorted(metrics, key=_catalog_order)


def _people_table(marts: Marts, people: ByName) -> Markup:
    """Each person's yearly figures for every metric the department's people report. In a
    year the person has accepted rows, a metric their form did not have is 未报告, not —; a
    total that leaves such years out is marked *."""
    if not people:
        return no_data("该科室没有被接收的人员数据")
    metrics = _sorted_metrics(marts, {code for person in people.values() for code in person})
    header = ["姓名", "指标", *(f"{year} 年" for year in PROGRAMME_YEARS), "合计"]
    head = tag("thead", tag("tr", [tag("th", title, scope="col") for title in header]))
    groups = []
    for person in sorted(people):
        active = {year for years in people[person].values() for year in years}
        rows = []
        for position, metric in enumerate(metrics):
            years = people[person].get(metric.code, {})
            reported = [years[year]["value"] for year in sorted(active) if year in years
                        and not is_missing(years[year]["value"])]
            partial = len(reported) < len(active)
            name_cell = (
                tag("th", person, scope="rowgroup", rowspan=str(len(metrics)))
                if position == 0
                else None
            )
            total = (number_or(sum(reported)) if reported
                     else tag("span", NOT_REPORTED, class_="missing"))
            rows.append(
                tag(
                    "tr",
                    [
                        name_cell,
                        tag("td", metric.title),
                        *(_person_cell(years.get(year), year in active)
                          for year in PROGRAMME_YEARS),
                        cell(join([total, tag("span", "*", class_="missing",
                                              title="不含未报告的年度")
                                   if reported and partial else None]), class_="number"),
                    ],
                )
            )
        groups.append(tag("tbody", rows, data_person=re.sub(r"\s+", "", person)))
    return tag("div", tag("table", [head, *groups], class_="people"), class_="table-wrap")


def _person_cell(row: dict | None, active: bool) -> Markup:
    if row is not None:
        return cell(number_or(row["value"]), class_="number")
    return cell(tag("span", NOT_REPORTED if active else NOT_COMPUTABLE, class_="missing"),
                class_="number")


PAGE = Page(
    filename="explorer.html",
    title="分析浏览",
    summary=(
        "按帮扶关系 → 科室 → 人员逐级查看：科室各项指标的年度趋势，以及每位下派人员的逐年工作量。"
    ),
    render=render,
)
