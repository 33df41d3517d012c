"""What leadership reads, from the warehouse dbt built out of test_marts' corpus: the pair
pages (first screen, partial years, 百分点), the printable report page and `bangfu report`'s
Excel and Word files, each compared with the marts."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from browser import Visit, needs_chromium, offline_browser
from test_marts import LX, SX

from dashboards.marts import Pair
from dashboards.pages.leadership import pair_page, report_page
from dashboards.pair_site import pair_path
from dashboards.report_documents import write_reports
from dashboards.site import build_site
from pipelines.settings import REPO_ROOT

BUILT_AT = datetime(2023, 1, 6, 2, 0, tzinfo=UTC)
# Screenshots are kept for people to look at (git-ignored).
ARTIFACTS = Path(os.environ.get("BANGFU_TEST_ARTIFACTS") or REPO_ROOT / "test-artifacts")
FIRST_SCREEN = {"width": 1440, "height": 900}
# A4 less the report's @page margins (16 mm top and bottom, 14 mm each side), in CSS pixels.
A4_CONTENT = {"width": round((210 - 28) / 25.4 * 96), "height": round((297 - 32) / 25.4 * 96)}


@pytest.fixture(scope="module")
def site(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("leadership-site")
    build_site(warehouse, root / "site", built_at=BUILT_AT)
    return root / "site"


@pytest.fixture(scope="module")
def reports(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    written = write_reports(warehouse, out, 2022, built_at=BUILT_AT)
    assert {w.pair for w in written} == {Pair(*SX), Pair(*LX)}
    return out


def marts(warehouse: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


# --- the pages ------------------------------------------------------------------------------


def test_overview_links_every_pair_page_and_report(site: Path):
    overview = (site / "leadership.html").read_text(encoding="utf-8")
    for pair in (SX, LX):
        page = pair_page(Pair(*pair))
        assert (site / page).is_file()
        assert f'href="{_quoted(page)}"' in overview
        assert (site / report_page(Pair(*pair), 2022)).is_file()


def _quoted(path: str) -> str:
    from urllib.parse import quote

    return quote(path)


@needs_chromium
def test_first_screen_shows_targets_and_indicators_with_their_yoy(site: Path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with offline_browser() as context:
        for pair in (SX, LX):
            visit = Visit(context)
            visit.page.set_viewport_size(FIRST_SCREEN)
            visit.open(site / pair_page(Pair(*pair)))
            page = visit.page
            shot = ARTIFACTS / f"leadership-first-screen-{Pair(*pair).recipient}.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 0

            def bottom(selector: str, page=page) -> float:
                box = page.locator(selector).last.bounding_box()
                return box["y"] + box["height"]

            rows = page.locator("table.scorecard-table tbody tr")
            assert rows.count() == 14  # every capacity indicator of the catalogue
            assert bottom("table.scorecard-table tbody tr") <= FIRST_SCREEN["height"]
            assert bottom(".target-strip") <= FIRST_SCREEN["height"]
            assert page.locator(".target-card").count() >= 2
            yoy = page.locator("td[data-field=yoy]").all_text_contents()
            assert len(yoy) == 14
            assert visit.errors == []
            assert all(url.startswith("file:") for url in visit.requests)
            visit.page.close()


def test_a_percentage_indicator_changes_in_percentage_points(site: Path, warehouse: Path):
    # 县域内住院量占比: 90 in 2021, 92.5 in 2022 (test_marts' capacity corpus).
    [(change,)] = marts(
        warehouse,
        "select yoy_change from mart_capacity_trend where supporting_hospital = ? "
        "and metric_code = 'cap_county_inpatient_share_pct' and year = 2022",
        SX[0],
    )
    assert change == 2.5
    page = (site / pair_page(Pair(*SX))).read_text(encoding="utf-8")
    cell = _cell(page, 'data-metric="cap_county_inpatient_share_pct" data-field="yoy"')
    assert _text(cell) == "▲ +2.5 个百分点"
    # A count changes in its units (and percent beside them): 开放床位 150 → 210.
    beds = _text(_cell(page, 'data-metric="cap_open_beds" data-field="yoy"'))
    assert beds == "▲ +60 张（+40.0%）"


def test_partial_year_is_marked_with_its_months(site: Path):
    # 呼吸科 2022: 12 monthly forms expected, August missing, December rejected.
    page = (site / pair_page(Pair(*LX))).read_text(encoding="utf-8")
    department = _cell(page, 'data-department="呼吸科" data-year="2022"')
    assert "10/12 个月" in _text(department)
    assert "partial-year" in department
    # The pair's yearly lectures: 11 of the 64 reports expected in 2022 accepted.
    lectures = _cell(page, 'data-metric="lectures" data-year="2022"')
    assert "部分：11/64 份" in _text(lectures)
    # 2022 lectures: 呼吸科's 58 (1+…+7 + 9+10+11).
    assert _text(lectures).startswith("58")
    # The 催报清单 lists August as missing and December as received but rejected.
    chase = _table_rows(page, "chase-list")
    assert ["呼吸科", "2022年8月", "缺报", ""] in chase
    assert any(row[:3] == ["呼吸科", "2022年12月", "已收到但被退回"] for row in chase)


def _table_rows(page: str, table_class: str) -> list[list[str]]:
    """The texts of a table's rows, in its markup or, for a long table, in its data."""
    start = page.index(f'class="data-table {table_class}')
    table = page[start:page.index("</div>", start)]
    data = re.search(r'<script type="application/json" class="table-rows">(.*?)</script>',
                     table, re.S)
    if data is None:
        return [[_text(td) for td in re.findall(r"<td[^>]*>.*?</td>", tr, re.S)]
                for tr in re.findall(r"<tr>.*?</tr>", table.split("<tbody>")[1], re.S)]
    rows = json.loads(data.group(1).replace("<\\/", "</"))
    return [[_text(cell if isinstance(cell, str) else str(cell) if not isinstance(cell, list)
                   else cell[0]) for cell in (rows["cells"][n] for n in row)]
            for row in rows["rows"]]


def _cell(page: str, attributes: str) -> str:
    match = re.search(rf"<td[^>]*{re.escape(attributes)}[^>]*>.*?</td>", page, re.S)
    assert match, attributes
    return match.group(0)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


@needs_chromium
def test_report_page_prints_to_a4_without_splitting_a_table(site: Path, tmp_path: Path):
    path = site / report_page(Pair(*LX), 2022)
    with offline_browser() as context:
        visit = Visit(context)
        page = visit.page
        page.set_viewport_size(A4_CONTENT)
        visit.open(path)
        page.emulate_media(media="print")
        # The cover: pair, year, generated time, 编制 and 审核 lines.
        cover = page.locator(".report-cover").inner_text()
        pair_label = "临夏回族自治州人民医院 → 和政县人民医院"
        for text in (pair_label, "2022 年", "2023-01-06", "编制", "审核"):
            assert text in cover
        sections = page.locator(".report-section h2").all_text_contents()
        assert sections == [
            "一、帮扶工作量",
            "二、受援医院能力指标",
            "三、目标达成",
            "四、工作计划执行",
            "五、数据质量说明",
        ]
        # Every table with its title is one block the browser keeps on one page when it fits
        # there; a table longer than a page breaks only between rows, its header repeated.
        blocks = page.locator(".report-block").evaluate_all(
            "blocks => blocks.map(b => ({height: b.getBoundingClientRect().height,"
            " avoid: getComputedStyle(b).breakInside,"
            " tables: [...b.querySelectorAll('table')].map(t => getComputedStyle(t).breakInside),"
            " rows: [...b.querySelectorAll('tr')].map(r => getComputedStyle(r).breakInside),"
            " heads: [...b.querySelectorAll('thead')].map(h => getComputedStyle(h).display)}))"
        )
        assert len(blocks) == 7
        for block in blocks:
            assert block["avoid"] == "avoid"
            assert all(style == "avoid" for style in block["tables"] + block["rows"])
            assert all(display == "table-header-group" for display in block["heads"])
        # In this corpus every table fits on a page, so none is split at all.
        assert max(block["height"] for block in blocks) <= A4_CONTENT["height"], blocks
        # The capacity charts (target lines drawn) are kept whole too, each within a page.
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        visit.wait_for_plots(2)
        charts = page.locator(".report figure.chart").evaluate_all(
            "figures => figures.map(f => [f.getBoundingClientRect().height,"
            " getComputedStyle(f).breakInside])"
        )
        assert len(charts) == 2
        assert all(style == "avoid" and 0 < height <= A4_CONTENT["height"]
                   for height, style in charts), charts
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
        visit.page.close()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert pages >= 1 + len(sections)  # the cover, then each section from a new page
    assert visit.errors == []


# --- bangfu report ----------------------------------------------------------------------------


def test_report_files_are_named_by_recipient_and_year(reports: Path):
    names = sorted(p.name for p in reports.iterdir())
    expected = [
        f"{recipient}_2022年度帮扶工作汇报附件.{ext}"
        for recipient in (LX[1], SX[1])
        for ext in ("docx", "pdf", "xlsx")
    ]
    assert names == sorted(expected)


def _sheet_rows(sheet) -> dict[str, tuple]:
    """Data rows below the header (row 3), keyed by their first cell."""
    return {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}


def test_workbook_holds_the_marts_values_as_numbers(reports: Path, warehouse: Path):
    from openpyxl import load_workbook

    workbook = load_workbook(reports / f"{SX[1]}_2022年度帮扶工作汇报附件.xlsx")
    assert workbook.sheetnames[0] == "说明"
    capacity = next(workbook[n] for n in workbook.sheetnames if n.startswith("受援医院能力指标"))
    assert [c.value for c in capacity[3]][:4] == ["指标", "2018 年", "2021 年", "2022 年"]
    assert capacity.page_setup.paperSize == 9 and capacity.page_setup.orientation == "landscape"
    # One page wide, at most 99 tall: LibreOffice ignores the fit when the height is 0.
    assert capacity.sheet_properties.pageSetUpPr.fitToPage
    assert capacity.page_setup.fitToHeight == 99
    assert capacity.print_title_rows == "$3:$3"
    rows = _sheet_rows(capacity)
    trend = marts(
        warehouse,
        "select metric_name_zh, unit_zh, value from mart_capacity_trend "
        "where supporting_hospital = ? and kind = 'capacity' and year = 2022",
        SX[0],
    )
    assert len(rows) == len(trend) == 14
    for name, unit, value in trend:
        title = name if not unit or name.endswith(f"（{unit}）") else f"{name}（{unit}）"
        written = rows[title][3]
        if value is None:
            assert written == "未报告"
        else:
            assert isinstance(written, int | float) and written == pytest.approx(value)

    workload = next(workbook[n] for n in workbook.sheetnames if n.endswith("年帮扶工作量"))
    activity = dict(
        marts(
            warehouse,
            "select metric_name_zh, value from mart_capacity_trend where supporting_hospital = ? "
            "and kind <> 'capacity' and year = 2018",
            SX[0],
        )
    )
    workbook_2018 = load_workbook(
        write_reports(warehouse, reports / "2018", 2018, Pair(*SX), built_at=BUILT_AT)[0]
        .paths[-1]
    )
    rows_2018 = _sheet_rows(next(workbook_2018[n] for n in workbook_2018.sheetnames
                                 if n.endswith("年帮扶工作量")))
    assert rows_2018["下派人员数（人）"][1] == activity["下派人员数"] == 4
    assert rows_2018["诊疗人次（人次）"][1] == activity["诊疗人次"]
    assert workload.max_row >= 4

    targets = next(workbook[n] for n in workbook.sheetnames if n.endswith("目标达成情况"))
    attained = marts(
        warehouse,
        "select target_name_zh, actual_value, status from mart_target_attainment "
        "where supporting_hospital = ? and year = 2022",
        SX[0],
    )
    target_rows = _sheet_rows(targets)
    labels = {"met": "达标", "not_met": "未达标", "not_reported": "未报告"}
    assert len(target_rows) == len(attained)
    for name, actual, status in attained:
        assert target_rows[name][4] == labels[status]
        assert target_rows[name][3] == ("未报告" if actual is None else actual)


def test_word_document_has_the_sections_and_the_marts_values(reports: Path, warehouse: Path):
    from docx import Document

    document = Document(str(reports / f"{LX[1]}_2022年度帮扶工作汇报附件.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、帮扶工作量",
        "二、受援医院能力指标",
        "三、目标达成",
        "四、工作计划执行",
        "五、数据质量说明",
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "编制" in text and "审核" in text
    departments = next(t for t in document.tables if t.rows[0].cells[0].text == "科室"
                       and t.rows[0].cells[1].text == "应报")
    respiratory = next(r for r in departments.rows if r.cells[0].text == "呼吸科")
    assert [c.text for c in respiratory.cells[1:5]] == ["12", "11", "10", "10/12 个月"]
    [(lectures,)] = marts(
        warehouse,
        "select value from mart_capacity_trend where recipient_hospital = ? "
        "and metric_code = 'lectures' and year = 2022",
        LX[1],
    )
    workload = next(t for t in document.tables if [c.text for c in t.rows[0].cells[:2]]
                    == ["指标", "2022 年"])
    row = next(r for r in workload.rows if r.cells[0].text.startswith("学术讲座次数"))
    assert row.cells[1].text == f"{lectures:,.0f}"
    chase = next(t for t in document.tables if [c.text for c in t.rows[0].cells[:3]]
                 == ["科室", "统计周期", "状态"])
    respiratory = [[c.text for c in r.cells[1:3]] for r in chase.rows
                   if r.cells[0].text == "呼吸科"]
    assert respiratory == [["2022年8月", "缺报"], ["2022年12月", "退回未改"]]


# --- partial years on every chart -------------------------------------------------------------


def _figure_specs(page: Path) -> dict[str, dict]:
    """The figure specs of a page, or of an explorer's department data file
    (`bangfuDepartment(stem, html);`)."""
    html = page.read_text(encoding="utf-8")
    if page.suffix == ".js":
        html = json.loads("[" + html.strip().removeprefix("bangfuDepartment(")[:-2] + "]")[1]
    return {match.group(1): json.loads(match.group(2).replace("<\\/", "</"))
            for match in re.finditer(r'<script type="application/json" id="([^"]+)-spec">(.*?)'
                                     r"</script>", html, re.S)}


def _partial_traces(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "circle-open"]


def test_a_partial_year_is_drawn_as_partial_on_every_chart(site: Path, warehouse: Path):
    from dashboards.marts import load_marts
    from dashboards.report_documents import report_charts

    # The pair's lectures in 2022: 11 of the 64 reports expected accepted.
    leadership = _figure_specs(site / pair_page(Pair(*LX)))
    hollow = [(t, spec) for spec in leadership.values() for t in _partial_traces(spec)
              if t["name"].startswith("学术讲座次数")]
    assert len(hollow) == 1
    trace, spec = hollow[0]
    assert trace["x"][-1] == 2022 and "部分：11/64 份" in trace["text"][-1]
    # The complete years' line leaves the partial years to the hollow markers, which dashed
    # segments reach.
    solid = next(t for t in spec["data"] if t["name"] == trace["name"] and t.get("mode")
                 == "lines+markers")
    partial_years = set(trace["x"])
    assert all(solid["y"][solid["x"].index(x)] is None for x in partial_years)
    dashed = next(t for t in spec["data"] if t["name"] == trace["name"]
                  and t.get("line", {}).get("dash") == "dash")
    assert 2022 in dashed["x"] and dashed["x"][2] is None
    # The explorer: 呼吸科's 2022, 10 of its 12 monthly forms accepted.
    explorer = {name: spec for department in (site / pair_path(Pair(*LX), "explorer")).glob("*.js")
                for name, spec in _figure_specs(department).items()}
    respiratory = [t for spec in explorer.values() for t in _partial_traces(spec)
                   if any("10/12 个月" in text for text in t["text"])]
    assert respiratory
    assert all("部分：10/12 个月" in t["text"][t["x"].index(2022)] for t in respiratory)
    # A complete year is never drawn hollow: Shaoxing's pair page has none in this corpus
    # unless its mart says so.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(partial_rows,)] = con.execute(
            "select count(*) from mart_capacity_trend where supporting_hospital = ? "
            "and reports_expected > coalesce(reports_accepted, 0)", [SX[0]]).fetchall()
    shaoxing = _figure_specs(site / pair_page(Pair(*SX)))
    assert bool(partial_rows) == any(_partial_traces(s) for s in shaoxing.values())
    # The report's charts, the same definition laid out for A4.
    charts = report_charts(load_marts(warehouse), Pair(*LX))
    workload = next(chart for chart in charts if chart.section == "帮扶工作量")
    assert workload.partial
    assert any("部分：11/64 份" in text for figure in workload.figures
               for t in _partial_traces(figure) for text in t["text"])
