"""领导汇总: an overview of all pairs, and a page per pair that answers first.

A pair's page opens on its scorecard (each capacity indicator's latest value, index, CAGR,
year-over-year change with an arrow coloured by whether up is good, and its target status),
then the year's largest gains and falls in sentences, then the outcome charts with their target
lines, then the support activity with how complete each year's reports are, the work plan and
the reports still to chase. The printable year-end report of each pair and year is built here too.
"""

from __future__ import annotations

from collections import defaultdict

from dashboards.annual_report import (
    AnnualReport,
    Quantity,
    Table,
    build_report,
    cell_text,
    coverage_text,
    is_partial,
    report_years,
)
from dashboards.annual_report import Cell as ReportCell
from dashboards.context import Document, Page, SiteContext
from dashboards.figures import TargetLine, TrendPanel, partial_coverage, trend_charts
from dashboards.html import (
    NOT_COMPUTABLE,
    Cell,
    Markup,
    as_float,
    badge,
    cell,
    esc,
    format_number,
    format_time,
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
    EXPECTED_REPORT_STATUSES,
    METRIC_GROUPS,
    OTHER_METRICS,
    WORK_PLAN_STATUSES,
    MetricGroup,
    group_for,
    label_for,
)
from dashboards.marts import PROGRAMME_YEARS, Marts, Metric, Pair
from dashboards.numbers import metric_change, metric_value
from dashboards.pages.explorer import view_href
from dashboards.pair_site import LEADERSHIP, href, pair_path, pair_slug
from dashboards.parts import Part

GROUP_COLOURS = {"workload": "#1d4ed8", "capacity": "#2f855a", "other": "#6b7280"}
# Outcomes (the recipient's capacity) before inputs (the support activity).
GROUP_ORDER = ("capacity", "workload", "other")
CHANGES_SHOWN = 3
# The overview shows the latest value and change of the first capacity indicators in the
# catalogue's order (metrics.csv's sort_order, the scorecard's order): a row per pair must
# stay readable with a hundred pairs; the scorecard shows them all.
KEY_INDICATORS = 4
# Files whose problems are the submitter's to fix (a rejected file stays so until replaced).
OPEN_REJECTIONS = ("rejected",)

ByMetric = dict[str, dict[int, dict]]

__all__ = ["pair_slug"]  # the portal's name for a pair's folder, kept where it looked for it


def pair_page(pair: Pair) -> str:
    return pair_path(pair, LEADERSHIP)


def report_page(pair: Pair, year: int) -> str:
    return pair_path(pair, f"report_{year}.html")


def _pairs(marts: Marts) -> list[Pair]:
    return marts.pairs("mart_capacity_trend", "mart_target_attainment")


# --- the overview (leadership.html) ---------------------------------------------------------


def render(context: SiteContext) -> Markup:
    marts = context.marts
    pairs = _pairs(marts)
    if not pairs:
        return no_data("数据仓库中还没有帮扶关系的趋势数据")
    provinces = pair_provinces(marts)
    key = _key_indicators(marts)
    rows = [_overview_row(marts, pair, provinces.get(pair), key) for pair in pairs]
    header = [
        "受援医院（打开记分卡）",
        "支援医院",
        "受援医院所在省份",
        "最新年度",
        *(metric.title for metric in key),
        "能力指标同比向好／变差",
        "目标达成",
        "报表完整度",
        "未改正的退回文件",
        "工作计划",
        "年终汇报附件",
    ]
    return join(
        [
            note("每个帮扶关系一行，点击帮扶关系打开其记分卡。可按任一列排序，"
                 "按省份、支援医院或受援医院筛选；各项能力指标为最新年度的数值及较上年的变化。"),
            choice_filters(
                "overview",
                [(2, "省份", sorted({p for p in provinces.values() if p})),
                 (1, "支援医院", sorted({p.supporting for p in pairs})),
                 (0, "受援医院", sorted({p.recipient for p in pairs}))],
            ),
            table(header, rows, class_="overview", download="领导汇总_全部帮扶关系"),
        ]
    )


def pair_provinces(marts: Marts) -> dict[Pair, str | None]:
    """Each registered pair's recipient province (mart_pairs)."""
    return {Pair(row["supporting_hospital"], row["recipient_hospital"]): row["recipient_province"]
            for row in marts.rows("mart_pairs")}


def choice_filters(table_class: str, choices: list[tuple[int, str, list[str]]]) -> Markup:
    """Selects that filter a table's column to one value (site.js): (column, label, values)."""
    selects = [
        tag("label", [label, tag("select", [tag("option", "全部", value=""),
                                            *(tag("option", v, value=v) for v in values)],
                                 data_filter_column=str(column))])
        for column, label, values in choices
    ]
    return tag("form", selects, class_="filters table-filters", data_filters_for=table_class,
               onsubmit="return false")


def _key_indicators(marts: Marts) -> list[Metric]:
    codes = {row["metric_code"] for row in marts.rows("mart_capacity_trend")}
    capacity = [m for m in map(marts.metric, codes) if m.kind == "capacity"]
    return sorted(capacity, key=lambda m: (m.sort_order, m.code))[:KEY_INDICATORS]


def _overview_row(marts: Marts, pair: Pair, province: str | None,
                  key: list[Metric]) -> list[object]:
    trend = _by_metric(marts.rows("mart_capacity_trend", pair))
    year = _latest_year(trend, marts)
    better = worse = 0
    for code, years in trend.items():
        metric = marts.metric(code)
        if metric.kind != "capacity":
            continue
        tone = _tone(metric, years.get(year, {}).get("yoy_change"))
        better += tone == "gain"
        worse += tone == "loss"
    targets = [r for r in marts.rows("mart_target_attainment", pair) if r["year"] == year]
    plan = [r for r in marts.rows("mart_work_plan_status", pair) if r["year"] == year]
    coverage = next(
        (r for r in marts.rows("mart_capacity_trend", pair)
         if r["year"] == year and r["kind"] != "capacity" and r.get("reports_expected")),
        {},
    )
    expected, accepted = coverage.get("reports_expected"), coverage.get("reports_accepted")
    met = sum(1 for r in targets if r["status"] == "met")
    judged = sum(1 for r in targets if r["status"] in ("met", "not_met"))
    rejected = sum(1 for r in marts.rows("ingest_files", pair) if r["status"] in OPEN_REJECTIONS)
    years = report_years(marts, pair)
    return [
        cell(tag("a", pair.recipient, href=href(pair_page(pair)), title=pair.label),
             data_pair=pair_slug(pair)),
        pair.supporting,
        province or NOT_COMPUTABLE,
        number_cell(year, f"{year} 年"),
        *(_key_cell(metric, trend.get(metric.code, {}).get(year, {})) for metric in key),
        cell(join([tag("span", f"向好 {better}", class_="gain"), "／",
                   tag("span", f"变差 {worse}", class_="loss")]),
             data_order=str(better - worse), data_export=f"向好 {better}／变差 {worse}"),
        cell(_status_counts(ATTAINMENT_STATUSES, targets),
             data_order="" if not judged else str(round(met / judged * 100, 1))),
        cell(coverage_text(expected, accepted) or NOT_COMPUTABLE, class_="number",
             data_order="" if not expected else str(round((accepted or 0) / expected * 100, 1))),
        number_cell(rejected, str(rejected), data_field="open-rejections"),
        _status_counts(WORK_PLAN_STATUSES, plan),
        join(
            tag("a", f"{y} 年", href=href(report_page(pair, y)), class_="report-link")
            for y in years
        ),
    ]


def _key_cell(metric: Metric, row: dict) -> Cell:
    """The indicator's value in the pair's latest year, its change on the year before under it."""
    value = row.get("value")
    change = metric_change(metric, row.get("yoy_change"))
    return number_cell(value, [
        metric_value(metric, value),
        tag("span", ["较上年 ", _arrow(metric, row.get("yoy_change")), " ", change],
            class_=f"sub {_tone(metric, row.get('yoy_change'))}".strip()) if change else None,
    ], data_metric=metric.code)


def _status_counts(labels, rows: list[dict]) -> Markup:
    if not rows:
        return tag("span", NOT_COMPUTABLE, class_="missing")
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["status"]] += 1
    return join(
        join([badge(f"{labels[s].text} {counts[s]}", labels[s].tone), " "])
        for s in labels
        if counts[s]
    )


# --- a pair's page ----------------------------------------------------------------------------


# The pair's explorer, seen from its other pages in the same folder.
EXPLORER_PAGE = "explorer.html"

# A pair's pages, linked from each of them: (key, title, file in the pair's folder).
PAIR_PAGES = (("leadership", "记分卡", LEADERSHIP), ("explorer", "分析浏览", "explorer.html"),
              ("quality", "数据质量", "quality.html"))


def pair_links(pair: Pair, current: str) -> Markup:
    """Links between a pair's pages, and back to the overview of every pair."""
    links: list[object] = [tag("a", "← 全部帮扶关系", href="../../leadership.html")]
    for key, title, filename in PAIR_PAGES:
        links += ["　·　", tag("strong", title) if key == current
                  else tag("a", title, href=href(filename))]
    return tag("p", links, class_="page-links-inline pair-links", data_pair=pair_slug(pair))


def pair_parts(marts: Marts, pairs: list[Pair]) -> list[Part]:
    """Each pair's page and each of its printable year-end reports, a part of the site each
    (every pair with a folder has one, so that its pages' links between them all hold)."""
    parts = []
    for pair in pairs:
        parts.append(Part(pair_page(pair), _pair_document, (pair,)))
        parts += [Part(report_page(pair, year), _report_document, (pair, year))
                  for year in report_years(marts, pair)]
    return parts


def _pair_document(context: SiteContext, pair: Pair) -> list[Document]:
    body = _pair_body(context.marts, pair)
    return [Document(pair_page(pair), f"{pair.label} · 记分卡", body, PAGE.filename)]


def _report_document(context: SiteContext, pair: Pair, year: int) -> list[Document]:
    marts = context.marts
    report = build_report(marts, pair, year, context.built_at)
    body = report_body(report, "../../", capacity_charts(marts, pair))
    return [Document(report_page(pair, year), report.title, body, PAGE.filename)]


def _by_metric(rows: list[dict]) -> ByMetric:
    by_metric: ByMetric = defaultdict(dict)
    for row in rows:
        by_metric[row["metric_code"]][row["year"]] = row
    return by_metric


def _latest_year(trend: ByMetric, marts: Marts) -> int:
    """The latest year in which any capacity indicator was reported (else any metric)."""
    for kinds in (("capacity",), ("activity", "derived", "capacity", None)):
        years = [
            year
            for code, rows in trend.items()
            if marts.metric(code).kind in kinds
            for year, row in rows.items()
            if not is_missing(row["value"])
        ]
        if years:
            return max(years)
    return PROGRAMME_YEARS[-1]


def _pair_body(marts: Marts, pair: Pair) -> Markup:
    trend = _by_metric(marts.rows("mart_capacity_trend", pair))
    if not trend:
        return no_data("该帮扶关系暂无趋势指标")
    year = _latest_year(trend, marts)
    targets = _targets_by_metric(marts, pair)
    grouped: dict[str, list[Metric]] = defaultdict(list)
    for code in trend:
        metric = marts.metric(code)
        grouped[group_for(metric.kind).key].append(metric)
    for metrics in grouped.values():
        metrics.sort(key=lambda m: (m.sort_order, m.code))
    groups = {g.key: g for g in (*METRIC_GROUPS, OTHER_METRICS)}

    # A pair with nothing reported has no report page.
    report_link = tag("p", tag("a", f"{year} 年度汇报附件（可打印）",
                               href=href(report_page(pair, year).rsplit("/", 1)[1])),
                      class_="page-links-inline") if year in report_years(marts, pair) else None
    parts: list[object] = [
        pair_links(pair, "leadership"),
        report_link,
        tag(
            "section",
            [
                tag("h2", f"{year} 年记分卡：受援医院能力指标"),
                _target_strip(marts, pair, year),
                _scorecard(grouped.get("capacity", []), trend, targets, year),
            ],
            class_="scorecard",
            id="scorecard",
        ),
        _changes(grouped.get("capacity", []) + grouped.get("workload", []), trend, year),
    ]
    for key in GROUP_ORDER:
        metrics = grouped.get(key)
        if metrics:
            parts.append(_group_block(marts, pair, groups[key], metrics, trend, targets))
    parts += [
        _department_block(marts, pair, year),
        _attainment_block(marts, pair),
        _work_plan_block(marts, pair),
        _chase_block(marts, pair),
    ]
    return tag("section", parts, class_="pair-section", id="pair")


def _targets_by_metric(marts: Marts, pair: Pair) -> dict[str, dict[int, dict]]:
    by_metric: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in marts.rows("mart_target_attainment", pair):
        by_metric[row["metric_code"]][row["year"]] = row
    return by_metric


def _target_strip(marts: Marts, pair: Pair, year: int) -> Markup:
    rows = sorted(
        (r for r in marts.rows("mart_target_attainment", pair) if r["year"] == year),
        key=lambda r: r["target_code"],
    )
    if not rows:
        return note(f"{year} 年没有适用的目标。")
    cards = []
    for row in rows:
        status = label_for(ATTAINMENT_STATUSES, row["status"])
        metric = marts.metric(row["metric_code"])
        comparator = COMPARATOR_SYMBOLS.get(row["comparator"], row["comparator"] or "")
        cards.append(
            tag(
                "div",
                [
                    badge(status.text, status.tone),
                    tag("span", row["target_name_zh"], class_="target-name"),
                    tag(
                        "span",
                        [
                            "实际 ",
                            metric_value(metric, row["actual_value"]),
                            "／目标 ",
                            f"{comparator}{format_number(row['target_value'])}",
                        ],
                        class_="sub",
                    ),
                ],
                class_=f"target-card target-{row['status']}",
                data_target=row["target_code"],
            )
        )
    return tag("div", cards, class_="target-strip", aria_label=f"{year} 年目标达成")


def _arrow(metric: Metric, change: object) -> Markup:
    if is_missing(change):
        return tag("span", NOT_COMPUTABLE, class_="missing")
    symbol = "▲" if change > 0 else "▼" if change < 0 else "＝"
    return tag("span", symbol, class_=f"arrow {_tone(metric, change)}".strip())


def _yoy_label(metric: Metric, row: dict) -> Markup:
    change = row.get("yoy_change")
    text = metric_change(metric, change)
    if text is None:
        return tag("span", NOT_COMPUTABLE, class_="missing")
    parts: list[object] = [_arrow(metric, change), " ", text]
    if metric.value_type != "percent" and not is_missing(row.get("yoy_pct")):
        parts += ["（", percent_or(row.get("yoy_pct")), "）"]
    return tag("span", parts, class_=_tone(metric, change) or None)


def _scorecard(capacity: list[Metric], trend: ByMetric, targets, year: int) -> Markup:
    if not capacity:
        return no_data("没有受援医院能力指标")
    header = ["指标", f"{year} 年", "较上年", f"指数（{PROGRAMME_YEARS[0]}=100）",
              f"年均增长 {PROGRAMME_YEARS[0]}—{PROGRAMME_YEARS[-1]}", "目标"]
    rows = []
    for metric in capacity:
        row = trend[metric.code].get(year, {})
        cagr = next(
            (r["cagr_2018_2022"] for r in trend[metric.code].values()
             if not is_missing(r["cagr_2018_2022"])),
            None,
        )
        target = targets.get(metric.code, {}).get(year)
        direction = "越少越好" if metric.higher_is_better is False else None
        rows.append(
            [
                cell([metric.title, tag("span", direction, class_="sub") if direction else None]),
                cell(metric_value(metric, row.get("value")), class_="number",
                     data_metric=metric.code, data_field="value"),
                cell(_yoy_label(metric, row), class_="number", data_metric=metric.code,
                     data_field="yoy"),
                cell(_index(row.get("index_vs_2018")), class_="number"),
                cell(tag("span", percent_or(cagr), class_=_tone(metric, cagr) or None),
                     class_="number"),
                cell(_target_cell(metric, target), data_metric=metric.code, data_field="target"),
            ]
        )
    return table(header, rows, class_="scorecard-table")


def _index(value: object) -> Markup:
    if is_missing(value):
        return tag("span", NOT_COMPUTABLE, class_="missing")
    return esc(format_number(value, 1))


def _target_cell(metric: Metric, target: dict | None) -> Markup:
    if target is None:
        return tag("span", "未设目标", class_="missing")
    status = label_for(ATTAINMENT_STATUSES, target["status"])
    comparator = COMPARATOR_SYMBOLS.get(target["comparator"], target["comparator"] or "")
    return join(
        [
            badge(status.text, status.tone),
            " ",
            tag(
                "span",
                f"实际 {metric_value(metric, target['actual_value'])}／目标 {comparator}"
                f"{format_number(target['target_value'])}",
                class_="target-detail",
            ),
        ]
    )


def _tone(metric: Metric, change: object) -> str:
    """`gain` when the change is an improvement for this metric, `loss` when it is not."""
    if is_missing(change) or change == 0 or metric.higher_is_better is None:
        return ""
    return "gain" if (change > 0) == metric.higher_is_better else "loss"


def change_sentence(metric: Metric, prior: object, value: object, change: float,
                    pct: object, year: int) -> str:
    """'三、四级手术占比由 2021 年的 23.1% 升至 2022 年的 25.6%，提高 2.5 个百分点。'"""
    verb = "升至" if change > 0 else "降至"
    amount = metric_change(metric, abs(change)).lstrip("+")
    how = "增加" if change > 0 else "减少"
    if metric.value_type == "percent":
        how = "提高" if change > 0 else "下降"
    relative = "" if is_missing(pct) or metric.value_type == "percent" else (
        f"（{format_number(abs(pct), 1, fixed=True)}%）"
    )
    judgement = ""
    if metric.higher_is_better is False:
        judgement = "，向好" if change < 0 else "，需关注"
    return (
        f"{metric.title}由 {year - 1} 年的 {metric_value(metric, prior)} {verb} {year} 年的 "
        f"{metric_value(metric, value)}，{how} {amount}{relative}{judgement}。"
    )


def _changes(metrics: list[Metric], trend: ByMetric, year: int) -> Markup:
    """The year's largest gains and falls, judged by whether up is good, in sentences."""
    scored = []
    for metric in metrics:
        row = trend[metric.code].get(year, {})
        change, pct = row.get("yoy_change"), row.get("yoy_pct")
        if is_missing(change) or change == 0 or metric.higher_is_better is None:
            continue
        size = abs(pct) if not is_missing(pct) else 0.0
        good = (change > 0) == metric.higher_is_better
        sentence = change_sentence(metric, row.get("prior_year_value"), row.get("value"),
                                   change, pct, year)
        if is_partial(row):
            coverage = coverage_text(row["reports_expected"], row["reports_accepted"])
            sentence = sentence.removesuffix("。") + f"（{year} 年报表 {coverage}，为部分合计）。"
        scored.append((metric.kind == "capacity", good, size, sentence))

    def largest(good: bool) -> list[str]:
        # Outcomes (the recipient's capacity) before inputs (the support activity).
        picked = []
        for outcome, shown in ((True, CHANGES_SHOWN), (False, CHANGES_SHOWN - 1)):
            ranked = sorted((t for t in scored if t[0] == outcome and t[1] == good),
                            key=lambda t: -t[2])
            picked += [t[3] for t in ranked[:shown]]
        return picked

    gains, falls = largest(True), largest(False)
    return tag(
        "section",
        [
            tag("h2", f"本年度变化（{year} 年较 {year - 1} 年）"),
            tag(
                "div",
                [
                    tag("div", [tag("h3", "进步最大", class_="gain"),
                                tag("ul", [tag("li", s) for s in gains] or [tag("li", "无")])]),
                    tag("div", [tag("h3", "退步最大", class_="loss"),
                                tag("ul", [tag("li", s) for s in falls] or [tag("li", "无")])]),
                ],
                class_="changes",
            ),
        ],
        class_="year-changes",
        id="changes",
    )


def _hover(metric: Metric, rows: dict[int, dict]) -> list[str]:
    texts = []
    for year in PROGRAMME_YEARS:
        row = rows.get(year, {})
        text = metric_value(metric, row.get("value"))
        change = metric_change(metric, row.get("yoy_change"))
        if change:
            text += f"<br>较上年 {change}"
        texts.append(text)
    return texts


def _panels(metrics: list[Metric], trend: ByMetric, targets) -> list[TrendPanel]:
    """A panel per metric: its five years, the YoY in the hover, its target lines."""
    panels = []
    for metric in metrics:
        rows = trend[metric.code]
        lines = {
            (t["comparator"], t["target_value"])
            for t in targets.get(metric.code, {}).values()
        }
        panels.append(
            TrendPanel(
                title=metric.title,
                values=[as_float(rows.get(y, {}).get("value")) for y in PROGRAMME_YEARS],
                hover=_hover(metric, rows),
                partial=partial_coverage(rows, PROGRAMME_YEARS),
                targets=[
                    TargetLine(value, f"目标 {COMPARATOR_SYMBOLS.get(c, c)}{format_number(value)}")
                    for c, value in sorted(lines)
                ],
            )
        )
    return panels


def trend_panels(marts: Marts, pair: Pair, group: str) -> list[TrendPanel]:
    """The panels of a metric group ('capacity', 'workload') of the pair: each metric's five
    years with its target lines, its partial years drawn as partial."""
    trend = _by_metric(marts.rows("mart_capacity_trend", pair))
    metrics = sorted((m for m in map(marts.metric, trend) if group_for(m.kind).key == group),
                     key=lambda m: (m.sort_order, m.code))
    return _panels(metrics, trend, _targets_by_metric(marts, pair))


def capacity_charts(marts: Marts, pair: Pair) -> Markup:
    """The recipient's capacity indicators over five years, with their target lines."""
    panels = trend_panels(marts, pair, "capacity")
    if not panels:
        return Markup("")
    return trend_charts(panels, PROGRAMME_YEARS, GROUP_COLOURS["capacity"],
                        "report-capacity-trend", "受援医院能力指标 2018—2022 年趋势")


def _group_block(marts: Marts, pair: Pair, group: MetricGroup, metrics: list[Metric],
                 trend: ByMetric, targets) -> Markup:
    charts = trend_charts(_panels(metrics, trend, targets), PROGRAMME_YEARS,
                          GROUP_COLOURS[group.key], f"{group.key}-trend",
                          f"{group.title} 2018—2022 年趋势")
    return tag(
        "section",
        [
            tag("h2", group.title),
            charts,
            tag("h3", f"{group.title}：逐年数值与同比增长"),
            _gains_table(pair, metrics, trend),
        ],
        id=group.key,
    )


def _gains_table(pair: Pair, metrics: list[Metric], trend: ByMetric) -> Markup:
    header = ["指标", *(f"{year} 年" for year in PROGRAMME_YEARS), "年均复合增长率"]
    rows = []
    for metric in metrics:
        rows_by_year = trend[metric.code]
        cagr = next(
            (r["cagr_2018_2022"] for r in rows_by_year.values() if r["cagr_2018_2022"] is not None),
            None,
        )
        name: object = metric.title
        if metric.kind != "capacity":
            name = tag("a", metric.title,
                       href=view_href(pair, metric=metric.code, page=EXPLORER_PAGE))
        rows.append(
            [
                name,
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


def _year_cell(metric: Metric, year: int, row: dict | None) -> Cell:
    """The value, its change on the year before, its index and, for a year built from fewer
    reports than expected, how many ('11/12 个月'); 未报告 alone when not reported."""
    row = row or {}
    value = row.get("value")
    attributes = {"data_metric": metric.code, "data_year": str(year)}
    if is_missing(value):
        return number_cell(value, **attributes)
    change = row.get("yoy_change")
    change_label = metric_change(metric, change) if metric.value_type == "percent" else None
    year_on_year = tag(
        "span",
        [
            "较上年 ",
            change_label or number_or(change, NOT_COMPUTABLE, signed=True),
            None if change_label else join(["（", percent_or(row.get("yoy_pct")), "）"]),
        ],
        class_=f"sub {_tone(metric, change)}".strip(),
    )
    index = tag(
        "span", ["指数 ", number_or(row.get("index_vs_2018"), NOT_COMPUTABLE)], class_="sub"
    )
    partial = None
    if is_partial(row):
        partial = tag(
            "span",
            f"部分：{coverage_text(row['reports_expected'], row['reports_accepted'])}",
            class_="sub partial-year",
            title="该年度已接收的报表少于应报数，数值为部分合计",
        )
    first_year = year == PROGRAMME_YEARS[0]
    # Sorted and downloaded by the value; the change, index and coverage are the lines under it.
    return number_cell(value, [number_or(value), None if first_year else year_on_year, index,
                               partial], **attributes)


def _department_block(marts: Marts, pair: Pair, year: int) -> Markup:
    # Coverage is the same on every metric's row of a department and year; staff its own.
    by_department: dict[str, dict[int, dict]] = defaultdict(dict)
    staff_of: dict[tuple[str, int], object] = {}
    for row in marts.rows("mart_department_trend", pair):
        by_department[row["department"]].setdefault(row["year"], row)
        if row["derivation"] == "distinct_people":  # staff dispatched, as metrics.csv says
            staff_of[row["department"], row["year"]] = row["value"]
    heading = tag("h2", "各科室报表完整度与下派人员")
    if not by_department:
        return join([heading, no_data()])
    header = ["科室", *(f"{y} 年" for y in PROGRAMME_YEARS)]
    rows = []
    for department in sorted(by_department):
        years = by_department[department]
        cells = []
        for y in PROGRAMME_YEARS:
            row = years.get(y, {})
            coverage = coverage_text(row.get("reports_expected"), row.get("reports_accepted"),
                                     row.get("reporting_cadence"))
            staff = staff_of.get((department, y))
            cells.append(
                cell(
                    [
                        tag("a", "未报告" if is_missing(staff) else f"{format_number(staff)} 人",
                            href=view_href(pair, department, year=y, page=EXPLORER_PAGE)),
                        tag("span", coverage or "计划外",
                            class_="sub partial-year" if is_partial(row) else "sub"),
                    ],
                    class_="number",
                    data_department=department,
                    data_year=str(y),
                )
            )
        rows.append([tag("a", department, href=view_href(pair, department, page=EXPLORER_PAGE)),
                     *cells])
    return join(
        [
            heading,
            note("每格：下派人员数；其下为已接收报表／应报报表（按报送计划：周报为“周”，月报为“个月”，季报为“个季度”）。"),
            table(header, rows, class_="department-coverage"),
        ]
    )


def _attainment_block(marts: Marts, pair: Pair) -> Markup:
    heading = tag("h2", "目标达成情况（逐年）")
    if not marts.has("mart_target_attainment"):
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


def _attainment_cell(row: dict | None, target_code: str, year: int) -> Cell:
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


def _work_plan_block(marts: Marts, pair: Pair) -> Markup:
    heading = tag("h2", "工作计划执行")
    by_item: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in marts.rows("mart_work_plan_status", pair):
        by_item[row["plan_item_code"]][row["year"]] = row
    if not by_item:
        return join([heading, no_data("该帮扶关系没有列入工作计划的事项")])
    header = ["工作计划", "完成时间", "牵头科室", *(f"{y} 年" for y in PROGRAMME_YEARS)]
    rows = []
    for code, years in sorted(by_item.items(),
                              key=lambda item: next(iter(item[1].values()))["source_zh"]):
        first = next(iter(years.values()))
        cells = []
        for y in PROGRAMME_YEARS:
            row = years.get(y)
            if row is None:
                cells.append(cell(tag("span", "不适用", class_="missing")))
                continue
            status = label_for(WORK_PLAN_STATUSES, row["status"])
            cells.append(
                cell(
                    [badge(status.text, status.tone),
                     tag("span", row["evidence_detail_zh"], class_="sub evidence")],
                    data_item=code,
                    data_year=str(y),
                )
            )
        rows.append(
            [
                join([first["item_zh"], tag("span", first["source_zh"], class_="sub")]),
                first["when_zh"],
                first["lead_department"],
                *cells,
            ]
        )
    return join([heading, table(header, rows, class_="work-plan")])


def _chase_block(marts: Marts, pair: Pair) -> Markup:
    heading = tag("h2", "催报清单")
    rows = [r for r in marts.rows("mart_expected_reports", pair) if r["status"] != "accepted"]
    if not rows:
        return join([heading, note("应报的报表均已接收。")])
    body = []
    for row in sorted(rows, key=lambda r: (-r["year"], r["department"], r["period_start"])):
        status = label_for(EXPECTED_REPORT_STATUSES, row["status"])
        body.append(
            [
                tag("a", row["department"], href=view_href(
                    pair, row["department"], year=row["year"], page=EXPLORER_PAGE)),
                row["period_label"],
                badge(status.text, status.tone),
                row.get("files_rejected_paths") or "",
            ]
        )
    return join(
        [
            heading,
            note("按报送计划应报、但尚无被接收报表的统计周期（新近年度在前）。"),
            table(["科室", "统计周期", "状态", "被退回的文件"], body, class_="chase-list"),
        ]
    )


# --- the printable year-end report --------------------------------------------------------------


def report_body(report: AnnualReport, root: str, charts: Markup | None = None) -> Markup:
    """The year-end report as an A4 document: a cover, then each section (the capacity section
    with its `charts`); tables and charts are never split across pages (leadership.css)."""
    cover = tag(
        "section",
        [
            tag("p", "年终书面汇报附件", class_="cover-kind"),
            tag("h2", report.title, class_="cover-title"),
            tag(
                "dl",
                [
                    tag("dt", "帮扶关系"), tag("dd", report.pair.label),
                    tag("dt", "年度"), tag("dd", f"{report.year} 年"),
                    tag("dt", "生成时间"), tag("dd", format_time(report.built_at)),
                    tag("dt", "编制"), tag("dd", "＿＿＿＿＿＿＿＿　日期：＿＿＿＿＿"),
                    tag("dt", "审核"), tag("dd", "＿＿＿＿＿＿＿＿　日期：＿＿＿＿＿"),
                ],
                class_="cover-fields",
            ),
            tag("p", "数据来源：bangfu 数据仓库（各科室工作统计表、受援医院能力指标表）。",
                class_="note"),
        ],
        class_="report-cover",
    )
    sections = []
    for number, section in enumerate(report.sections, 1):
        sections.append(
            tag(
                "section",
                [
                    tag("h2", f"{_chinese_number(number)}、{section.title}"),
                    *(tag("p", text) for text in section.paragraphs),
                    *(_report_table(t) for t in section.tables),
                    charts if charts and section.title == "受援医院能力指标" else None,
                ],
                class_="report-section",
            )
        )
    back = tag("p", [tag("a", "← 返回帮扶关系页面", href=root + href(pair_page(report.pair)))],
               class_="screen-only")
    return tag("div", [back, cover, *sections], class_="report")


def _report_table(t: Table) -> Markup:
    rows = []
    for values in t.rows:
        rows.append(
            [
                cell(_report_value(value), class_=None if column.kind == "text" else "number")
                for value, column in zip(values, t.columns, strict=True)
            ]
        )
    parts: list[object] = [tag("h3", t.title)]
    parts.append(table([c.title for c in t.columns], rows, class_=f"report-table {t.key}")
                 if rows else note("无。"))
    if t.note:
        parts.append(note(t.note))
    return tag("div", parts, class_="report-block", data_table=t.key)


def _report_value(value: ReportCell) -> Markup:
    """Missing values marked up so they cannot be mistaken for numbers."""
    if isinstance(value, Quantity) and is_missing(value.value):
        return tag("span", value.text, class_="missing")
    return esc(cell_text(value))


def _chinese_number(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


PAGE = Page(
    filename="leadership.html",
    title="领导汇总",
    summary=(
        "每个帮扶关系一页：受援医院能力指标记分卡、目标达成、本年度变化、帮扶工作量与报表完整度、"
        "工作计划执行、催报清单，以及可打印的年终汇报附件。"
    ),
    render=render,
)
