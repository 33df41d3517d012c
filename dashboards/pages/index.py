"""首页: what the site holds, when it was built, the pairs and their headline numbers."""

from __future__ import annotations

from collections import Counter, defaultdict

from dashboards.context import Page, SiteContext
from dashboards.html import (
    NOT_COMPUTABLE,
    Markup,
    count_cell,
    format_count,
    format_time,
    is_missing,
    join,
    no_data,
    note,
    table,
    tag,
)
from dashboards.labels import ATTAINMENT_STATUSES, FILE_STATUSES, SEVERITIES, group_for
from dashboards.marts import PROGRAMME_YEARS, Marts, Pair
from dashboards.pair_site import href


def render(context: SiteContext) -> Markup:
    marts = context.marts
    return join(
        [
            tag(
                "p",
                [
                    "本站汇总对口帮扶（",
                    f"{PROGRAMME_YEARS[0]}—{PROGRAMME_YEARS[-1]} 年",
                    "）各科室报送的工作统计表和受援医院能力指标，离线即可浏览和打印。",
                ],
            ),
            _build_facts(context),
            tag("h2", "内容"),
            _contents(context),
            tag("h2", "数据概况"),
            _data_cards(marts),
            tag("h2", "帮扶关系"),
            _pairs_table(marts),
        ]
    )


def _build_facts(context: SiteContext) -> Markup:
    facts = [f"生成时间：{format_time(context.built_at)}"]
    updated_at = context.marts.updated_at
    if updated_at is not None:
        facts.append(f"数据仓库更新时间：{format_time(updated_at)}")
    else:
        facts.append("数据仓库尚未建立（还没有处理过任何文件）")
    return note("　·　".join(facts))


def _contents(context: SiteContext) -> Markup:
    entries = [
        (page.filename, page.title, page.summary)
        for page in context.pages
        if page.filename != PAGE.filename
    ]
    entries += [(href, section.title, section.summary) for section, href in context.sections]
    return tag(
        "ul",
        [
            tag("li", [tag("a", title, href=href), "：", summary])
            for href, title, summary in entries
        ],
        class_="page-links",
    )


def _card(figure: str, caption: str) -> Markup:
    return tag(
        "div",
        [tag("div", figure, class_="figure"), tag("div", caption, class_="caption")],
        class_="card",
    )


def _data_cards(marts: Marts) -> Markup:
    files = marts.rows("ingest_files")
    if not files:
        return no_data("还没有收到任何文件")
    statuses = Counter(row["status"] for row in files)
    issues = Counter(row["severity"] for row in marts.rows("ingest_issues"))
    missing = sum(
        1 for row in marts.rows("mart_reporting_completeness") if row["status"] == "missing"
    )
    cards = [
        _card(format_count(len(marts.pairs())), "帮扶关系"),
        _card(format_count(len(files)), "收到的文件（版本）"),
        *(
            _card(format_count(statuses.get(status)), FILE_STATUSES[status].text)
            for status in ("accepted", "partial", "rejected")
        ),
        *(
            _card(format_count(issues.get(severity)), f"{label.text}（{label.description}）")
            for severity, label in SEVERITIES.items()
        ),
        _card(format_count(missing), "缺报的科室季度"),
    ]
    return tag("div", cards, class_="cards")


def _pairs_table(marts: Marts) -> Markup:
    """A row per pair, its counts sortable (a province has a hundred pairs); the pair links
    to its scorecard."""
    from dashboards.pages.leadership import pair_page, pair_provinces

    pairs = marts.pairs()
    if not pairs:
        return no_data("数据仓库中还没有帮扶关系")
    departments = marts.distinct_per_pair(("department",), "mart_department_trend")
    people = marts.distinct_per_pair(("department", "person_name"), "mart_person_activity")
    files: dict[Pair, Counter] = defaultdict(Counter)
    for row in marts.rows("ingest_files"):
        files[_pair_of(row)][row["status"]] += 1
    issues: dict[Pair, Counter] = defaultdict(Counter)
    for row in marts.rows("ingest_issues"):
        issues[_pair_of(row)][row["severity"]] += 1
    provinces = pair_provinces(marts)
    header = [
        "帮扶关系",
        "受援医院所在省份",
        "科室数",
        "有数据的下派人员",
        "收到的文件",
        "已退回的文件",
        "错误",
        "提示",
        "能力指标较 2018 年",
        "最近年度目标达成",
    ]
    rows = [
        [
            tag("a", pair.label, href=href(pair_page(pair))),
            provinces.get(pair) or NOT_COMPUTABLE,
            count_cell(departments.get(pair, 0)),
            count_cell(people.get(pair, 0)),
            count_cell(files[pair].total()),
            count_cell(files[pair]["rejected"]),
            count_cell(issues[pair]["error"]),
            count_cell(issues[pair]["warning"]),
            _capacity_direction(marts, pair),
            _latest_attainment(marts, pair),
        ]
        for pair in pairs
    ]
    return join(
        [
            table(header, rows, class_="pairs", download="首页_各帮扶关系"),
            note(
                "每个帮扶关系一行，可按任一列排序。"
                "“能力指标较 2018 年”按每项指标 2022 年与 2018 年的数值比较，"
                "并考虑该指标是越高越好还是越低越好。"
            ),
        ]
    )


def _pair_of(row: dict) -> Pair:
    return Pair(row["supporting_hospital"], row["recipient_hospital"])


def _capacity_direction(marts: Marts, pair: Pair) -> str:
    """How many recipient capacity indicators improved, worsened or cannot be compared."""
    outcome: Counter = Counter()
    for row in marts.rows("mart_capacity_trend", pair):
        metric = marts.metric(row["metric_code"])
        if row["year"] != PROGRAMME_YEARS[-1] or group_for(metric.kind).key != "capacity":
            continue
        index = row["index_vs_2018"]
        if is_missing(index) or metric.higher_is_better is None:
            outcome["unknown"] += 1
        elif index == 100:
            outcome["flat"] += 1
        else:
            outcome["better" if (index > 100) == metric.higher_is_better else "worse"] += 1
    if not outcome:
        return "—"
    return (
        f"改善 {outcome['better']} 项，下降 {outcome['worse']} 项，持平 {outcome['flat']} 项，"
        f"无法比较 {outcome['unknown']} 项"
    )


def _latest_attainment(marts: Marts, pair: Pair) -> str:
    rows = marts.rows("mart_target_attainment", pair)
    reported_years = [r["year"] for r in rows if r["status"] != "not_reported"]
    if not reported_years:
        return "—"
    year = max(reported_years)
    counts = Counter(r["status"] for r in rows if r["year"] == year)
    parts = [
        f"{label.text} {counts.get(status, 0)} 项" for status, label in ATTAINMENT_STATUSES.items()
    ]
    return f"{year} 年：" + "，".join(parts)


PAGE = Page(
    filename="index.html",
    title="首页",
    summary="本站内容、生成时间、帮扶关系及主要数字。",
    render=render,
)
