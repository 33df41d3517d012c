"""What the pages of the sample site show: links, offline resources, NULLs, quality details."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote

import plotly.graph_objects as go
import pytest
from mart_samples import LINXIA, PARTIAL_FILE, REJECTED_FILE, SHAOXING, issue_rows
from page_dom import Element, department_section, figure_specs, parse
from plotly.offline import get_plotlyjs

from dashboards import feedback
from dashboards.marts import Pair
from dashboards.pages import PAGES
from dashboards.pages.leadership import pair_page
from dashboards.pair_site import pair_path

PAGE_FILES = [page.filename for page in PAGES]
NAVIGATION = [*PAGE_FILES, feedback.INDEX]


def pair_section(page: Element, pair: tuple[str, str]) -> Element:
    label = f"{pair[0]} → {pair[1]}"
    sections = [
        s
        for s in page.find_all("section")
        if s.find_all("h2") and s.find_all("h2")[0].text() == label
    ]
    assert len(sections) == 1, f"no single section for {label}"
    return sections[0]


def leadership_page(site: Path, pair: tuple[str, str]) -> Element:
    """The pair's own leadership page."""
    return parse(site / pair_page(Pair(*pair))).find("section", id="pair")


def trace(spec: dict, title: str) -> dict:
    return next(t for t in spec["data"] if t["name"] == title)


def partial_trace(spec: dict, title: str) -> dict:
    """The hollow markers of a panel's years built from fewer reports than expected."""
    return next(t for t in spec["data"] if t["name"] == title
                and t.get("marker", {}).get("symbol") == "circle-open")


@pytest.mark.parametrize("filename", PAGE_FILES)
def test_every_page_has_the_shared_navigation(site: Path, filename: str):
    page = parse(site / filename)
    navigation = page.find("nav")
    assert [a.attributes["href"] for a in navigation.find_all("a")] == NAVIGATION
    current = navigation.find("a", aria_current="page")
    assert current.attributes["href"] == filename
    assert page.find("html").attributes["lang"] == "zh-CN"


def test_index_leads_to_every_page_and_says_when_it_was_built(site: Path):
    index = parse(site / "index.html")
    main = index.find("main")
    linked = {a.attributes["href"] for a in main.find_all("a")}
    assert linked >= set(PAGE_FILES) - {"index.html"}
    text = main.text()
    assert "2023-01-06" in text
    for supporting, recipient in (SHAOXING, LINXIA):
        assert supporting in text and recipient in text


def test_every_link_and_resource_of_every_page_is_local_and_exists(site: Path):
    pages = sorted(site.rglob("*.html"))
    assert {p.relative_to(site).as_posix() for p in pages} >= set(NAVIGATION)
    for path in pages:
        references = [
            (element.name, element.attributes.get("src") or element.attributes.get("href"))
            for element in parse(path).find_all()
            if element.name in {"script", "link", "img", "iframe", "source", "a"}
        ]
        for name, reference in references:
            if reference is None:
                assert name in {"script", "a"}  # inline JSON figure specs, filter anchors
                continue
            assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", reference, re.IGNORECASE), reference
            target = unquote(reference.split("#")[0])
            if target:
                resolved = (path.parent / target).resolve()
                assert resolved.is_relative_to(site.resolve()), f"{path} leaves the site: {target}"
                assert resolved.is_file(), f"{path} links to missing {reference}"


def test_styles_and_plotly_are_served_from_the_site_itself(site: Path):
    css = (site / "assets/style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    plotly = (site / "assets/plotly.min.js").read_text(encoding="utf-8")
    # The cartesian partial bundle of the plotly.js the installed plotly writes figures for,
    # with the zh-CN locale registered after it.
    assert f"plotly.js (cartesian - minified) v{plotly_js_version()}" in plotly[:200]
    assert len(plotly) < len(get_plotlyjs()) / 2
    assert "name: 'zh-CN'" in plotly and plotly.rstrip().endswith("})();")
    leadership = parse(site / pair_page(Pair(*SHAOXING)))
    sources = [s.attributes["src"] for s in leadership.find_all("script") if "src" in s.attributes]
    assert sources == ["../../assets/plotly.min.js", "../../assets/tables.js",
                       "../../assets/site.js"]
    index_sources = [s.attributes.get("src") for s in parse(site / "index.html").find_all("script")]
    # No figure on the index: no plotly to load.
    assert index_sources == ["assets/tables.js", "assets/site.js"]
    assert (site / "assets/tables.js").stat().st_size > 100_000  # DataTables, not a stub


def test_every_figure_spec_is_one_plotly_accepts(site: Path):
    """The site writes its specs as plain dicts: plotly validates them here (an unknown
    property or a wrong value raises), the build skips that for speed."""
    pages = [*(parse(path) for path in site.rglob("*.html")),
             *(department_section(path) for path in site.glob("pairs/*/explorer/*.js"))]
    specs = {f"{n} {figure}": spec for n, page in enumerate(pages)
             for figure, spec in figure_specs(page).items()}
    assert len(specs) > 10
    for name, spec in specs.items():
        assert go.Figure(spec).to_plotly_json()["data"], name


def plotly_js_version() -> str:
    """The plotly.js version of the installed plotly package's own bundle."""
    return re.search(r"plotly\.js v([\d.]+)", get_plotlyjs()[:200]).group(1)


def test_leadership_shows_a_null_year_as_not_reported_never_zero(site: Path):
    section = leadership_page(site, SHAOXING)

    def year_cell(metric: str, year: int) -> Element:
        return section.find("td", data_metric=metric, data_year=str(year))

    visits_2020 = year_cell("total_visits", 2020)
    assert visits_2020.find("span", class_="missing").text() == visits_2020.text() == "未报告"
    assert year_cell("total_visits", 2021).text() == "1,800较上年 —（—）指数 150"
    assert year_cell("total_visits", 2018).text() == "1,200指数 100"
    # A reported zero is a zero, and the percentage after it cannot be computed.
    assert year_cell("funding_10k_yuan", 2020).text().startswith("0较上年 -12.25（-100.0%）")
    assert "较上年 +8（—）" in year_cell("funding_10k_yuan", 2021).text()
    assert year_cell("funding_10k_yuan", 2022).text() == "未报告"
    assert section.find("td", data_metric="cap_cmi", data_field="cagr_2018_2022").text() == "—"
    assert section.find("td", data_metric="total_visits", data_field="cagr_2018_2022").text() == (
        "+18.9%"
    )
    # Fewer referrals up is better: the fall is shown as a gain.
    change = year_cell("cap_referrals_up", 2019).find_all("span")[0]
    assert change.text() == "较上年 -50（-10.0%）"
    assert change.attributes["class"] == "sub gain"


def test_leadership_figures_leave_gaps_for_null_years(site: Path):
    section = leadership_page(site, SHAOXING)
    specs = figure_specs(section)
    assert sorted(specs) == ["capacity-trend-1", "workload-trend-1"]
    workload, capacity = specs["workload-trend-1"], specs["capacity-trend-1"]

    visits = trace(workload, "诊疗人次（人次）")
    # 2022 was built from 19 of 20 reports: drawn apart, as a hollow marker.
    assert visits["y"] == [1200, 1500, None, 1800, None]
    assert partial_trace(workload, "诊疗人次（人次）")["y"] == [2400]
    assert visits["text"][2] == "未报告"
    assert visits["connectgaps"] is False
    # The name already carries the unit; it is not repeated.
    assert trace(workload, "支援经费（万元）")["y"] == [10.5, 12.25, 0, 8, None]
    assert trace(capacity, "病例组合指数（CMI）")["y"] == [None] * 5
    notes = [a["text"] for a in capacity["layout"]["annotations"]]
    assert "2018—2022 年均未报告" in notes
    assert notes.count("未报告") == 1  # cap_open_beds 2019
    # Panels follow sort_order from the mart; groups follow kind.
    assert list(dict.fromkeys(t["name"] for t in workload["data"])) == [
        "诊疗人次（人次）",
        "支援经费（万元）",
        "下派人员数（人）",
    ]
    assert [t["name"] for t in capacity["data"]] == [
        "三、四级手术占比（%）",
        "实际开放床位数（张）",
        "上转患者人次（人次）",
        "病例组合指数（CMI）",
    ]


def test_leadership_shows_target_attainment_with_not_reported(site: Path):
    section = leadership_page(site, SHAOXING)
    visits_2020 = section.find("td", data_target="visits", data_year="2020")
    assert visits_2020.text().startswith("未报告实际 未报告")
    assert section.find("td", data_target="visits", data_year="2018").text().startswith("达标")
    assert section.find("td", data_target="beds", data_year="2022").text() == (
        "未达标实际 380 ／ 目标 ≥400"
    )
    linxia = leadership_page(site, LINXIA)
    assert "暂无数据（该帮扶关系未设定目标）" in linxia.text()


def test_explorer_drills_from_pair_to_department_to_person(site: Path):
    explorers = parse(site / "explorer.html").find("table", class_="explorer-pairs")
    assert [a.attributes["href"] for a in explorers.find_all("a")] == [
        quote(pair_path(Pair(*pair), "explorer.html")) for pair in (LINXIA, SHAOXING)]
    shaoxing = parse(site / pair_path(Pair(*SHAOXING), "explorer.html")).find("main")
    # A department's trends and persons are in its own data file, loaded when it is chosen.
    (select,) = [s for s in shaoxing.find_all("select") if s.attributes["name"] == "department"]
    options = select.find_all("option")
    assert [(o.text(), o.attributes["data-file"]) for o in options] == [
        ("心内科", quote("explorer/心内科.js")), ("骨科", quote("explorer/骨科.js"))]
    assert shaoxing.find_all("section", class_="department-section") == []
    folder = site / pair_path(Pair(*SHAOXING), "explorer")
    cardiology, orthopaedics = (department_section(folder / f"{d}.js") for d in ("心内科", "骨科"))
    assert cardiology.attributes["data-department"] == "心内科"

    specs = figure_specs(cardiology)
    assert len(specs) == 1
    (spec,) = specs.values()
    visits = [*trace(spec, "诊疗人次（人次）")["y"]]
    partial = partial_trace(spec, "诊疗人次（人次）")
    for year, value in zip(partial["x"], partial["y"], strict=True):
        visits[year - 2018] = value
    assert visits == [600, 700, None, 800, 900]
    # A department with nothing reported has no empty chart, and says why.
    assert figure_specs(orthopaedics) == {}
    assert "2018—2022 年均未报告的指标：诊疗人次（人次）" in orthopaedics.text()

    people = cardiology.find("table", class_="data-table people")
    rows = [[td.text() for td in tr.find_all("td")] for tr in people.find("tbody").find_all("tr")]
    # The pair and the department first (downloaded, not shown), then a row per person and
    # metric.
    assert {tuple(row[:3]) for row in rows} == {(*SHAOXING, "心内科")}
    person = [row[3:] for row in rows if row[3] == "柳  佳"]
    assert person[0] == ["柳  佳", "诊疗人次（人次）", "600", "700", "—", "—", "—", "1,300", ""]
    # In the years 柳佳 has rows, a metric the form lacked is 未报告; in the others, —.
    assert person[1] == ["柳  佳", "支援经费（万元）", "未报告", "未报告", "—", "—", "—", "未报告",
                         ""]

    # Each metric by department, down to the pair's figure on the leadership page.
    (visits_by_department,) = [d for d in shaoxing.find_all("details", class_="by-metric")
                               if d.find("summary").text() == "诊疗人次（人次）"]
    table_rows = [[td.text() for td in tr.find_all("td")]
                  for tr in visits_by_department.find_all("tr")[1:]]  # tbody, then the tfoot
    assert table_rows == [
        ["心内科", "600", "700", "未报告", "800", "900"],
        ["骨科", "未报告", "未报告", "未报告", "未报告", "未报告"],
        ["帮扶关系合计", "1,200", "1,500", "未报告", "1,800", "2,400"],  # the pair's own row
    ]


def quality_page(site: Path, pair: tuple[str, str] = SHAOXING) -> Element:
    return parse(site / pair_path(Pair(*pair), "quality.html"))


def test_quality_counts_files_by_status_in_chinese(site: Path):
    page = parse(site / "quality.html")
    counts = {
        td.attributes["data-status"]: td.text()
        for td in page.find("table", class_="file-status").find_all("td")
        if "data-status" in td.attributes
    }
    assert counts == {
        "accepted": "2",
        "partial": "1",
        "rejected": "3",
        "superseded": "1",
        "duplicate": "1",
        "withdrawn": "1",
    }
    labels = page.find("table", class_="file-status").text()
    for label in ("已接收", "部分接收", "已退回", "已被新版本替代", "重复文件", "已撤回"):
        assert label in labels


def test_quality_lists_every_issue_by_code_with_its_location(site: Path):
    page = quality_page(site)
    headings = [h.attributes["id"] for h in page.find_all("h3") if "id" in h.attributes]
    # Errors first, then warnings; the most frequent first.
    assert headings == [
        "issue-non_numeric_value",
        "issue-missing_name",
        "issue-no_header",
        "issue-period_missing",
        "issue-totals_mismatch",
        "issue-duplicate_person",
        "issue-unknown_column",
    ]
    # The site's page counts every pair's problems, and lists those of files of no pair.
    summary = parse(site / "quality.html")
    assert [h.attributes["id"] for h in summary.find_all("h3") if "id" in h.attributes] == [
        "issue-unknown_hospital"]
    counts = {tr.find("a").text(): [td.text() for td in tr.find_all("td")[1:]]
              for tr in summary.find("table", class_="quality-pairs").find_all("tr")[1:]}
    assert counts[f"{SHAOXING[0]} → {SHAOXING[1]}"][:4] == ["7", "1", "1", "2"]
    # Each problem by its Chinese name, its code beside it.
    first = next(h for h in page.find_all("h3") if h.attributes.get("id") == headings[0])
    assert first.text().startswith("不是数字 non_numeric_value")
    summary = page.find("table", class_="issue-summary").text()
    assert "不是数字 non_numeric_value" in summary and "无法识别的列 unknown_column" in summary
    tables = page.find_all("table", class_="issues")
    rows = [[td.text() for td in tr.find_all("td")] for t in tables for tr in t.find_all("tr")[1:]]
    # analysts see every issue of the pair's files, of any file version
    assert len(rows) == sum(1 for issue in issue_rows() if tuple(issue[13:15]) == SHAOXING)
    assert rows[0][:5] == [PARTIAL_FILE, "3月", "E5", "开展手术例数", "十二"]
    assert rows[0][6] == "部分接收"
    period = next(row for row in rows if "未填写统计周期" in row[5])
    assert period[:3] == [REJECTED_FILE, "Sheet1", "整个文件"]


def test_quality_heat_map_shows_missing_quarters_as_missing(site: Path):
    page = quality_page(site)
    specs = figure_specs(page)
    assert len(specs) == 1
    heat_map = next(spec["data"][0] for spec in specs.values() if "心内科" in spec["data"][0]["y"])
    row = heat_map["y"].index("心内科")
    texts = dict(zip(heat_map["x"], heat_map["text"][row], strict=True))
    # Accepted, a monthly form short, nothing (缺报), a report nobody expected.
    assert texts == {
        "2018年第1季度": "已接收",
        "2018年第2季度": "部分缺报",
        "2018年第3季度": "缺报",
        "2018年第4季度": "计划外",
    }
    missing = heat_map["z"][row][heat_map["x"].index("2018年第3季度")]
    assert missing is not None and missing != 0
    # 骨科: its only quarter arrived rejected as a whole; Q2–Q4 were not expected of it.
    orthopaedics = heat_map["y"].index("骨科")
    assert heat_map["text"][orthopaedics] == ["被退回", "无需报送", "无需报送", "无需报送"]
    assert len(set(heat_map["z"][orthopaedics])) == 2
    # Hovering a cell says whose and which quarter it is, and what arrived when.
    hover = heat_map["customdata"][row][heat_map["x"].index("2018年第2季度")]
    assert hover.startswith("心内科 · 2018年第2季度<br>状态：部分缺报（报送：迟报）")
    assert "首次收到：2018-04-03" in hover
    assert "截止时间：统计周期结束后 15 天内" in page.text()


def test_quality_lists_the_reports_to_chase(site: Path):
    chase = quality_page(site).find_all("table", class_="chase-list")
    rows = [[td.text() for td in tr.find_all("td")] for t in chase for tr in t.find_all("tr")[1:]]
    assert rows == [
        ["心内科", "2022年8月", "缺报", ""],
        ["骨科", "2019年3月", "已收到但被退回", REJECTED_FILE],
    ]


def test_leadership_page_marks_a_partial_year_and_changes_in_percentage_points(site: Path):
    page = leadership_page(site, SHAOXING)
    cardiology = page.find("td", data_department="心内科", data_year="2022")
    assert cardiology.find("span", class_="sub partial-year").text() == "11/12 个月"
    # A whole year is not marked (the samples hold no staff counts by department).
    full_year = page.find("td", data_department="心内科", data_year="2021")
    assert full_year.text() == "未报告12/12 个月"
    assert full_year.find_all("span", class_="sub partial-year") == []
    visits = page.find("td", data_metric="total_visits", data_year="2022")
    assert "部分：19/20 份" in visits.text()
    share = page.find("td", data_metric="cap_grade34_surgery_pct", data_field="yoy")
    assert share.text() == "▲ +2.5 个百分点"
    referrals = page.find("td", data_metric="cap_referrals_up", data_field="yoy")
    assert referrals.text() == "▼ -30 人次（-7.9%）"
    assert referrals.find("span", class_="arrow gain").text() == "▼"  # fewer is better
    plan = {td.attributes["data-item"]: td.text() for td in page.find_all("td", data_year="2022")
            if "data-item" in td.attributes}
    assert plan["dispatch"].startswith("已完成")
    assert plan["free_clinic"].startswith("未完成")


def test_the_years_changes_read_as_sentences_outcomes_first(site: Path):
    changes = leadership_page(site, SHAOXING).find("section", id="changes")
    gains, falls = changes.find_all("ul")
    assert [li.text() for li in gains.find_all("li")] == [
        "三、四级手术占比（%）由 2021 年的 23.1% 升至 2022 年的 25.6%，提高 2.5 个百分点。",
        "实际开放床位数（张）由 2021 年的 350 张 升至 2022 年的 380 张，增加 30 张（8.6%）。",
        "上转患者人次（人次）由 2021 年的 380 人次 降至 2022 年的 350 人次，"
        "减少 30 人次（7.9%），向好。",
        "诊疗人次（人次）由 2021 年的 1,800 人次 升至 2022 年的 2,400 人次，"
        "增加 600 人次（33.3%）（2022 年报表 19/20 份，为部分合计）。",
    ]
    assert [li.text() for li in falls.find_all("li")] == ["无"]


def test_quality_shows_quarantined_rows_with_their_original_cells(site: Path):
    table = quality_page(site).find("table", class_="quarantine")
    cells = [td.text() for td in table.find_all("td")]
    assert cells == [
        PARTIAL_FILE,
        "3月",
        "5",
        "王五",
        "心内科",
        "2019-03-01 至 2019-03-31",
        "开展手术例数不是数字",
        "姓名：王五；开展手术例数：十二",
    ]
