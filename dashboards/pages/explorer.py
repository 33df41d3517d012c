"""分析浏览: drill from a pair to a department (its metric trends) and to each person.

The selection (pair, department, person, metric, year) lives in the URL's hash, so a view can
be bookmarked and sent; `view_href` writes such a link for other pages.
"""

from __future__ import annotations

import json
from collections import defaultdict
from urllib.parse import quote

from dashboards.context import Page, SiteContext
from dashboards.figures import metric_panels, trend_charts
from dashboards.html import (
    NOT_COMPUTABLE,
    NOT_REPORTED,
    Markup,
    count_cell,
    is_missing,
    join,
    no_data,
    note,
    number_cell,
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
            _filters(marts, pairs),
            tag("div", None, id="explorer-search-results", class_="search-results",
                aria_live="polite", hidden=True),
            _search_index(marts, pairs),
            note(
                "先选择帮扶关系，再选择科室；可按姓名筛选人员，或在“查找”中搜索所有帮扶关系的"
                "科室和人员。所选内容记在网址中，复制网址即可收藏或发给他人。"
                "“未报告”表示该年度报表中没有该指标（不等于 0），"
                "“—”表示该人员该年度没有被接收的数据行；合计带 * 的，不含未报告的年度。"
            ),
            *sections,
        ]
    )


def view_href(
    pair: Pair,
    department: str | None = None,
    person: str | None = None,
    metric: str | None = None,
    year: int | None = None,
    *,
    page: str = "explorer.html",
) -> str:
    """A link to an explorer view, relative to the site's root (pass `page="../explorer.html"`
    from a folder below it): explorer.html#pair=<supporting>/<recipient>&department=…"""
    pair_key = f"{quote(pair.supporting, safe='')}/{quote(pair.recipient, safe='')}"
    parts = [f"pair={pair_key}"]
    for key, value in (("department", department), ("person", person), ("metric", metric),
                       ("year", year)):
        if value is not None and str(value) != "":
            parts.append(f"{key}={quote(str(value), safe='')}")
    return f"{page}#{'&'.join(parts)}"


def _pair_key(pair: Pair) -> str:
    return f"{pair.supporting}/{pair.recipient}"


def _filters(marts: Marts, pairs: list[Pair]) -> Markup:
    # Shown by site.js; without JavaScript every section is simply listed.
    pair_options = [tag("option", pair.label, value=f"p{n}", data_key=_pair_key(pair))
                    for n, pair in enumerate(pairs, 1)]
    codes = {row["metric_code"] for name in ("mart_department_trend", "mart_person_activity")
             for row in marts.rows(name)}
    metric_options = [tag("option", "全部指标", value="")] + [
        tag("option", metric.title, value=metric.code, data_title=metric.title)
        for metric in _sorted_metrics(marts, codes)
    ]
    year_options = [tag("option", "全部年度", value="")] + [
        tag("option", f"{year} 年", value=str(year)) for year in PROGRAMME_YEARS
    ]
    return tag(
        "form",
        [
            tag("label", ["帮扶关系", tag("select", pair_options, name="pair")]),
            tag("label", ["科室", tag("select", None, name="department")]),
            tag("label", ["指标", tag("select", metric_options, name="metric")]),
            tag("label", ["年度", tag("select", year_options, name="year")]),
            tag(
                "label",
                [
                    "人员姓名",
                    tag("input", None, type="search", name="person", placeholder="输入姓名筛选"),
                ],
            ),
            tag(
                "label",
                [
                    "查找科室或人员",
                    tag("input", None, type="search", name="explorer-search",
                        placeholder="在所有帮扶关系中查找"),
                ],
                class_="search",
            ),
        ],
        class_="filters",
        data_explorer_filters="true",
        hidden=True,
        onsubmit="return false",
    )


def _search_index(marts: Marts, pairs: list[Pair]) -> Markup:
    """Every department and person of every pair, for the explorer's search."""
    entries = []
    for pair in pairs:
        departments = {row["department"] for row in marts.rows("mart_department_trend", pair)}
        people = {(row["department"], row["person_name"])
                  for row in marts.rows("mart_person_activity", pair)}
        departments |= {department for department, _ in people}
        common = {"pair": _pair_key(pair), "pair_label": pair.label}
        entries += [{**common, "department": _department_label(d)}
                    for d in sorted(departments, key=lambda d: (d is None, d or ""))]
        entries += [{**common, "department": _department_label(d), "person": person}
                    for d, person in sorted(people, key=lambda p: (p[1] or "", p[0] or ""))
                    if person]
    spec = json.dumps(entries, ensure_ascii=False).replace("</", "<\\/")
    return Markup(f'<script type="application/json" id="explorer-index">{spec}</script>')


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
                *(count_cell(reports_by_year.get(year)) for year in PROGRAMME_YEARS),
                count_cell(len(people.get(department, {}))),
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
             *(_department_value(trends[department][metric.code].get(year))
               for year in PROGRAMME_YEARS)]
            for department in departments
            if metric.code in trends.get(department, {})
        ]
        total = [
            tag("strong", "帮扶关系合计"),
            *(number_cell(totals.get((metric.code, year)),
                          tag("strong", number_or(totals.get((metric.code, year)))))
              for year in PROGRAMME_YEARS),
        ]
        blocks.append(tag("details", [tag("summary", metric.title),
                                      table(header, rows, footer=[total])],
                          class_="by-metric", data_metric=metric.code))
    return join([
        tag("h3", "各项指标按科室"),
        note("点开一项指标，看每个科室每年的数值；最后一行“帮扶关系合计”即领导汇总中的数值，"
             "等于各科室之和（下派人员数按人计，不重复计同一人）。"),
        *blocks,
    ])


def _department_value(row: dict | None) -> Markup:
    if row is None:
        return number_cell(None, tag("span", NOT_COMPUTABLE, class_="missing"))
    return number_cell(row["value"])


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
        data_department=label,
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
    """Each person's yearly figures for every metric the department's people report, a row per
    person and metric. In a year the person has accepted rows, a metric their form did not
    have is 未报告, not —; a total that leaves such years out is marked *."""
    if not people:
        return no_data("该科室没有被接收的人员数据")
    metrics = _sorted_metrics(marts, {code for person in people.values() for code in person})
    header = ["姓名", "指标", *(f"{year} 年" for year in PROGRAMME_YEARS), "合计"]
    rows = []
    for person in sorted(people):
        active = {year for years in people[person].values() for year in years}
        for metric in metrics:
            years = people[person].get(metric.code, {})
            reported = [years[year]["value"] for year in sorted(active) if year in years
                        and not is_missing(years[year]["value"])]
            partial = len(reported) < len(active)
            total = sum(reported) if reported else None
            shown = join([number_or(total), tag("span", "*", class_="missing",
                                                title="不含未报告的年度")
                          if reported and partial else None])
            rows.append([
                person,
                metric.title,
                *(_person_cell(years.get(year), year in active) for year in PROGRAMME_YEARS),
                number_cell(total, shown),
            ])
    return table(header, rows, class_="people")


def _person_cell(row: dict | None, active: bool) -> Markup:
    if row is not None:
        return number_cell(row["value"])
    return number_cell(None, tag("span", NOT_REPORTED if active else NOT_COMPUTABLE,
                                 class_="missing"))


PAGE = Page(
    filename="explorer.html",
    title="分析浏览",
    summary=(
        "按帮扶关系 → 科室 → 人员逐级查看：科室各项指标的年度趋势，以及每位下派人员的逐年工作量。"
    ),
    render=render,
)
