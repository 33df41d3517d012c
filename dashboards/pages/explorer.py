"""分析浏览: a pair's departments (their metric trends) and each person, a page per pair.

The site's explorer page lists the pairs; each pair's explorer (`pairs/<pair>/explorer.html`)
holds what grows with the pair's departments (their overview, each metric by department) and
loads a department's trends and persons from the department's own data file
(`pairs/<pair>/explorer/<department>.js`, a `<script>` so that it loads from file:// too) only
when that department is opened. Long person tables are paged (dashboards.html.table).

The selection (department, person, metric, year) lives in the URL's hash, so a view can be
bookmarked and sent; `view_href` writes such a link for other pages.
"""

from __future__ import annotations

import json
from collections import defaultdict
from urllib.parse import quote

from dashboards.context import Document, Page, SiteContext
from dashboards.figures import LOADS_FIGURES, metric_panels, trend_charts
from dashboards.html import (
    NOT_COMPUTABLE,
    NOT_REPORTED,
    Cell,
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
from dashboards.pair_site import EXPLORER, file_names, href, pair_path, pair_slug
from dashboards.parts import File, Part

DEPARTMENT_COLOUR = "#6b46c1"
DEPARTMENT_FILES = "explorer"  # the folder of a pair's department data files

# Mart rows keyed by metric code, then year; and those by person or department.
ByMetric = dict[str, dict[int, dict]]
ByName = dict[str | None, ByMetric]


def _explorer_pairs(marts: Marts) -> list[Pair]:
    return marts.pairs("mart_department_trend", "mart_person_activity")


# --- the site's explorer page: every pair -------------------------------------------------------


def render(context: SiteContext) -> Markup:
    marts = context.marts
    pairs = _explorer_pairs(marts)
    if not pairs:
        return no_data("数据仓库中还没有科室或人员数据")
    departments = marts.distinct_per_pair(("department",), "mart_department_trend",
                                          "mart_person_activity")
    people = marts.distinct_per_pair(("department", "person_name"), "mart_person_activity")
    rows = [
        [tag("a", pair.label, href=href(pair_path(pair, EXPLORER)), data_pair=pair_slug(pair)),
         pair.supporting, pair.recipient,
         count_cell(departments.get(pair, 0)), count_cell(people.get(pair, 0))]
        for pair in pairs
    ]
    # Links written before the explorer had a page per pair (explorer.html#pair=…) still lead
    # to the view they named.
    moved = json.dumps({_pair_key(pair): href(pair_path(pair, EXPLORER)) for pair in pairs},
                       ensure_ascii=False).replace("</", "<\\/")
    return join([
        note("每个帮扶关系一页：先选择帮扶关系，再在其页面上选择科室，查看科室各项指标的年度趋势"
             "和每位下派人员的逐年工作量。"),
        table(["帮扶关系", "支援医院", "受援医院", "科室数", "有数据的下派人员"], rows,
              class_="explorer-pairs", download="分析浏览_全部帮扶关系"),
        Markup(f'<script type="application/json" id="explorer-pairs">{moved}</script>'),
    ])


def view_href(
    pair: Pair,
    department: str | None = None,
    person: str | None = None,
    metric: str | None = None,
    year: int | None = None,
    *,
    page: str | None = None,
) -> str:
    """A link to a view of the pair's explorer, from the site's root unless `page` says where
    the explorer is from the linking page (`"explorer.html"` within the pair's folder):
    pairs/<pair>/explorer.html#department=…&person=…&metric=…&year=…"""
    parts = []
    for key, value in (("department", department), ("person", person), ("metric", metric),
                       ("year", year)):
        if value is not None and str(value) != "":
            parts.append(f"{key}={quote(str(value), safe='')}")
    target = page if page is not None else href(pair_path(pair, EXPLORER))
    return f"{target}#{'&'.join(parts)}" if parts else target


def _pair_key(pair: Pair) -> str:
    return f"{pair.supporting}/{pair.recipient}"


# --- a pair's explorer ----------------------------------------------------------------------------


def pair_parts(pairs: list[Pair]) -> list[Part]:
    """Each pair's explorer page with its departments' data files, a part of the site each
    (every pair with a folder has one, so that its pages' links between them all hold)."""
    return [Part(pair_path(pair, EXPLORER), _pair_explorer, (pair,)) for pair in pairs]


def _pair_explorer(context: SiteContext, pair: Pair) -> list[Document | File]:
    from dashboards.pages.leadership import pair_links

    marts = context.marts
    trends: ByName = defaultdict(lambda: defaultdict(dict))
    for row in marts.rows("mart_department_trend", pair):
        trends[row["department"]][row["metric_code"]][row["year"]] = row
    people: dict[str | None, ByName] = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for row in marts.rows("mart_person_activity", pair):
        people[row["department"]][row["person_name"]][row["metric_code"]][row["year"]] = row

    departments = sorted(trends.keys() | people.keys(), key=lambda d: (d is None, d or ""))
    page = pair_path(pair, EXPLORER)
    if not departments:
        body = join([pair_links(pair, "explorer"), no_data("本帮扶关系还没有科室或人员数据")])
        return [Document(page, f"分析浏览 · {pair.label}", body, PAGE.filename)]
    stems = dict(zip(departments, file_names(_department_label(d) for d in departments),
                     strict=True))
    files = [
        File(pair_path(pair, f"{DEPARTMENT_FILES}/{stems[department]}.js"),
             _department_script(stems[department], _department_section(
                 marts, pair, department, f"d{number}", trends.get(department, {}),
                 people.get(department, {}))))
        for number, department in enumerate(departments, 1)
    ]
    body = join([
        pair_links(pair, "explorer"),
        _filters(marts, pair, departments, stems, trends, people),
        tag("div", None, id="explorer-search-results", class_="search-results",
            aria_live="polite", hidden=True),
        _search_index(departments, stems, people),
        note(
            "选择科室后载入该科室的指标趋势和人员明细；可按姓名筛选人员，或在“查找”中搜索本帮扶关系的"
            "科室和人员。所选内容记在网址中，复制网址即可收藏或发给他人。"
            "“未报告”表示该年度报表中没有该指标（不等于 0），"
            f"“—”表示该人员该年度没有被接收的数据行；“{PARTIAL_TOTAL}”写明合计是否不含未报告的年度。"
        ),
        tag("div", tag("p", "请选择科室（需要启用 JavaScript）。", class_="note"),
            id="department-view", class_="department-view", aria_live="polite",
            **{LOADS_FIGURES.replace("-", "_"): True}),
        tag("h2", "科室概览"),
        _overview(departments, stems, trends, people),
        _by_metric(marts, pair, departments, trends),
    ])
    return [Document(page, f"分析浏览 · {pair.label}", body, PAGE.filename), *files]


def _department_script(stem: str, section: Markup) -> bytes:
    """A department's data file: its section, handed to the explorer that loaded it."""
    arguments = json.dumps([stem, str(section)], ensure_ascii=False)[1:-1]
    return f"bangfuDepartment({arguments});\n".encode()


def _filters(marts: Marts, pair: Pair, departments: list[str | None], stems: dict,
             trends: ByName, people: dict) -> Markup:
    # Shown by site.js; without JavaScript the overview and the metrics are simply listed.
    department_options = [
        tag("option", _department_label(d), value=stems[d], data_key=_department_label(d),
            data_file=href(f"{DEPARTMENT_FILES}/{stems[d]}.js"))
        for d in departments
    ]
    codes = {code for trend in trends.values() for code in trend}
    codes |= {code for by_person in people.values() for person in by_person.values()
              for code in person}
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
            tag("label", ["科室", tag("select", department_options, name="department")]),
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
                        placeholder="在本帮扶关系中查找"),
                ],
                class_="search",
            ),
        ],
        class_="filters",
        data_explorer_filters="true",
        data_pair=pair.label,
        hidden=True,
        onsubmit="return false",
    )


def _search_index(departments: list[str | None], stems: dict, people: dict) -> Markup:
    """The pair's departments and, for each, its persons' names, for the explorer's search."""
    entries = [
        {"department": _department_label(d), "stem": stems[d],
         "people": sorted(p for p in people.get(d, {}) if p)}
        for d in departments
    ]
    spec = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return Markup(f'<script type="application/json" id="explorer-index">{spec}</script>')


def _department_label(department: str | None) -> str:
    return department or "（未注明科室）"


def _overview(
    departments: list[str | None],
    stems: dict[str | None, str],
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
            href=f"#department={quote(_department_label(department), safe='')}",
            data_select_department=stems[department],
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
        tag("h2", "各项指标按科室"),
        note("点开一项指标，看每个科室每年的数值；最后一行“帮扶关系合计”即领导汇总中的数值，"
             "等于各科室之和（下派人员数按人计，不重复计同一人）。"),
        *blocks,
    ])


def _department_value(row: dict | None) -> Cell:
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
    pair: Pair,
    department: str | None,
    department_id: str,
    trend: ByMetric,
    people: ByName,
) -> Markup:
    label = _department_label(department)
    metrics = _metrics_of(marts, trend)
    reported = [
        m for m in metrics if any(not is_missing(r["value"]) for r in trend[m.code].values())
    ]
    silent = [m for m in metrics if m not in reported]
    parts: list[object] = [tag("h2", label), tag("h3", "科室指标趋势")]
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
    parts += [tag("h3", "人员明细"), _people_table(marts, pair, label, people)]
    return tag(
        "section",
        parts,
        class_="department-section",
        id=department_id,
        data_department=label,
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


# The person table's column that says whether a total leaves years out (the * beside it).
PARTIAL_TOTAL = "合计说明"
PARTIAL_TOTAL_TEXT = "不含未报告的年度"


def _people_table(marts: Marts, pair: Pair, department: str, people: ByName) -> Markup:
    """Each person's yearly figures for every metric the department's people report, a row per
    person and metric. In a year the person has accepted rows, a metric their form did not
    have is 未报告, not —; a total that leaves such years out says so in a column of its own
    (which a download keeps). A download names the pair and the department, in its file name
    and in columns of its own."""
    if not people:
        return no_data("该科室没有被接收的人员数据")
    metrics = _sorted_metrics(marts, {code for person in people.values() for code in person})
    header = ["姓名", "指标", *(f"{year} 年" for year in PROGRAMME_YEARS), "合计", PARTIAL_TOTAL]
    rows = []
    for person in sorted(people):
        active = {year for years in people[person].values() for year in years}
        for metric in metrics:
            years = people[person].get(metric.code, {})
            reported = [years[year]["value"] for year in sorted(active) if year in years
                        and not is_missing(years[year]["value"])]
            partial = bool(reported) and len(reported) < len(active)
            total = sum(reported) if reported else None
            rows.append([
                person,
                metric.title,
                *(_person_cell(years.get(year), year in active) for year in PROGRAMME_YEARS),
                number_cell(total),
                PARTIAL_TOTAL_TEXT if partial else "",
            ])
    context = {"支援医院": pair.supporting, "受援医院": pair.recipient, "科室": department}
    return table(header, rows, class_="people", context=context,
                 download=f"{pair_slug(pair)}_{department}_人员明细")


def _person_cell(row: dict | None, active: bool) -> Cell:
    if row is not None:
        return number_cell(row["value"])
    return _NO_ROW_CELLS[active]


# A year without the person's row, in a year they had rows (未报告) or not (—): one cell each,
# which most of a person table's cells are.
_NO_ROW_CELLS = {active: number_cell(None, tag("span", NOT_REPORTED if active else NOT_COMPUTABLE,
                                               class_="missing"))
                 for active in (True, False)}


PAGE = Page(
    filename="explorer.html",
    title="分析浏览",
    summary=(
        "按帮扶关系 → 科室 → 人员逐级查看：科室各项指标的年度趋势，以及每位下派人员的逐年工作量。"
    ),
    render=render,
)
