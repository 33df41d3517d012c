"""The sample site in a real headless Chromium over file://: no network, plotly draws, no errors,
tables an analyst can sort, filter and download, explorer views that are URLs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import quote

import duckdb
import openpyxl
import pytest
from browser import Visit, needs_chromium, offline_browser
from mart_samples import SHAOXING
from page_dom import figure_specs, parse

from dashboards.labels import FILE_STATUSES, FORM_TYPES
from dashboards.marts import Pair
from dashboards.pages.leadership import pair_page
from dashboards.pair_site import pair_path

pytestmark = needs_chromium

EXPLORER = pair_path(Pair(*SHAOXING), "explorer.html")
QUALITY = pair_path(Pair(*SHAOXING), "quality.html")


@pytest.fixture(scope="module")
def browser_context():
    with offline_browser() as context:
        yield context


@pytest.fixture
def visit(browser_context):
    visit = Visit(browser_context)
    yield visit
    assert visit.off_machine() == []
    assert visit.errors == []
    visit.page.close()


# The pair page with charts (the leadership overview itself is a table of all pairs).
PAIR_PAGE = pair_page(Pair(*SHAOXING))


def site_pages(site: Path) -> list[Path]:
    """Every page bangfu writes (the third-party docs are checked on their own)."""
    return [*sorted(site.glob("*.html")),
            *(page for folder in ("pairs", "feedback")
              for page in sorted((site / folder).rglob("*.html")))]


@pytest.mark.parametrize(
    ("filename", "drawn_on_load"),
    [
        ("index.html", 0),
        ("leadership.html", 0),  # the overview of all pairs: a table
        (PAIR_PAGE, None),  # every figure of the page
        ("explorer.html", 0),  # the list of pairs
        (EXPLORER, 1),  # only the selected department's, loaded from its data file
        (QUALITY, None),
    ],
)
def test_each_page_renders_offline_without_errors(
    site: Path, visit: Visit, filename: str, drawn_on_load: int | None
):
    expected = drawn_on_load
    if expected is None:
        embedded = figure_specs(parse(site / filename))
        expected = len(embedded)

    visit.open(site / filename)
    # Figures are drawn as they near the screen, and all of them before printing.
    visit.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    if expected:
        visit.wait_for_plots(expected)

    assert visit.drawn_plots() == expected
    traces = visit.page.locator(".js-plotly-plot .scatterlayer .trace").count()
    if filename == PAIR_PAGE:
        assert traces == sum(len(spec["data"]) for spec in embedded.values())
    assert visit.requests


def test_no_link_or_button_leads_off_the_machine(site: Path, visit: Visit):
    for path in site_pages(site):
        visit.open(path)
        assert visit.links_off_machine() == [], path
    visit.open(site / PAIR_PAGE)
    visit.draw_time_ms()  # the first screen's figures drawn
    modebar = visit.page.locator(".modebar-btn")
    titles = [modebar.nth(n).get_attribute("data-title") for n in range(modebar.count())]
    # Local downloads and zooming only: no share-to-cloud button, no logo linking to plotly.
    assert titles and not any("Share" in title or "云" in title for title in titles)
    assert visit.page.locator(".modebar a, a.modebar-btn--logo, [data-title*='Chart Studio']"
                              ).count() == 0
    assert "下载图表为PNG格式" in titles or any("下载" in title for title in titles), titles
    assert "Zoom" not in " ".join(titles)  # the modebar speaks Chinese (zh-CN locale)


def test_chart_pages_draw_time_is_measured(site: Path, visit: Visit, record_property):
    """A benchmark, not a timed test: the time to draw the first screen's figures is reported
    (the others are drawn as they near the screen), and the bundle is shared."""
    times = {}
    for filename in (PAIR_PAGE, EXPLORER, QUALITY):
        visit.open(site / filename)
        first = visit.draw_time_ms()
        visit.open(site / filename)  # the bundle now from the browser's cache
        times[filename] = (round(first), round(visit.draw_time_ms()))
    record_property("draw_ms", json.dumps(times))
    print("draw times (ms, first and repeat visit):", times)
    bundles = {url for url in visit.requests if url.endswith(".js")}
    assert sum(1 for url in bundles if "plotly" in url) == 1  # one bundle for every page


def test_every_table_longer_than_three_rows_offers_downloads(site: Path, visit: Visit):
    checked = 0
    for path in site_pages(site):
        visit.open(path)
        # Tables are set up once shown: show every section and open every metric's details.
        visit.page.evaluate("""() => {
            document.querySelectorAll('main [hidden]').forEach(e => { e.hidden = false; });
            document.querySelectorAll('details').forEach(d => { d.open = true; });
        }""")
        visit.page.wait_for_function(
            "() => [...document.querySelectorAll('table.data-table')].every(t => t.dataset.ready)")
        offered = visit.page.evaluate(
            """() => [...document.querySelectorAll('table.data-table')]
                 .filter(t => Number(t.dataset.rows) > 3)
                 .map(t => [...t.closest('.dt-container').querySelectorAll('.dt-buttons button')]
                   .map(b => b.textContent))"""
        )
        assert all(buttons == ["下载 CSV", "下载 Excel"] for buttons in offered), path
        checked += len(offered)
        assert visit.page.locator("table:not(.data-table)").count() == 0, path
    assert checked >= 5


def download(visit: Visit, container, label: str, folder: Path) -> Path:
    """Click a download button; the file as saved, under the name the page gave it."""
    with visit.page.expect_download() as info:
        container.get_by_role("button", name=label).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == {"下载 CSV": ".csv", "下载 Excel": ".xlsx"}[label]
    return path


def csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens the Chinese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(path: Path) -> list[list[object]]:
    sheet = openpyxl.load_workbook(path).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_file_list_downloads_as_every_row_of_ingest_files(
    site: Path, visit: Visit, warehouse: Path, tmp_path: Path
):
    visit.open(site / QUALITY)
    container = visit.page.locator(".dt-container:has(table.files)")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        files = connection.execute(
            "select file_path, status, form_type, rows_accepted, rows_rejected, error_count, "
            "warning_count from main.ingest_files "
            "where supporting_hospital = ? and recipient_hospital = ?", list(SHAOXING)).fetchall()
    expected = sorted(
        [path, FILE_STATUSES[status].text, FORM_TYPES[form].text, *counts]
        for path, status, form, *counts in files
    )
    columns = [0, 1, 2, 7, 8, 9, 10]  # file, status, form type, the four counts

    header, *rows = csv_rows(download(visit, container, "下载 CSV", tmp_path))
    assert header[:3] == ["文件", "状态", "表类型"] and header[7] == "接收行数"
    assert sorted([row[c] for c in columns] for row in rows) == [
        [*(str(v) for v in row)] for row in expected
    ]
    header, *rows = xlsx_rows(download(visit, container, "下载 Excel", tmp_path))
    assert header[0] == "文件"
    # Counts are numbers in the workbook, as in the mart.
    assert sorted([row[c] for c in columns] for row in rows) == expected


def test_a_metric_by_department_downloads_as_its_mart_rows(
    site: Path, visit: Visit, warehouse: Path, tmp_path: Path
):
    visit.open(site / EXPLORER, "metric=total_visits")
    container = visit.page.locator("details[data-metric=total_visits]:visible .dt-container")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        values = connection.execute(
            "select department, year, value from main.mart_department_trend "
            "where supporting_hospital = ? and recipient_hospital = ? "
            "and metric_code = 'total_visits'", list(SHAOXING)).fetchall()
        totals = dict(connection.execute(
            "select year, value from main.mart_capacity_trend "
            "where supporting_hospital = ? and recipient_hospital = ? "
            "and metric_code = 'total_visits'", list(SHAOXING)).fetchall())
    by_department: dict[str, dict[int, float | None]] = {}
    for department, year, value in values:
        by_department.setdefault(department, {})[year] = value
    years = range(2018, 2023)

    def shown(value: float | None) -> str:
        return "未报告" if value is None else f"{value:g}"

    expected = [[d, *(shown(by_department[d].get(y)) for y in years)]
                for d in sorted(by_department)]
    expected.append(["帮扶关系合计", *(shown(totals.get(y)) for y in years)])

    header, *rows = csv_rows(download(visit, container, "下载 CSV", tmp_path))
    assert header == ["科室", *(f"{y} 年" for y in years)]
    assert rows == expected
    header, *rows = xlsx_rows(download(visit, container, "下载 Excel", tmp_path))
    assert [[str(v) if isinstance(v, str) else f"{v:g}" for v in row] for row in rows] == expected


def test_tables_sort_numbers_as_numbers_and_page(site: Path, visit: Visit):
    visit.open(site / QUALITY)
    table = visit.page.locator("table.files")
    header = table.locator("thead th", has_text="接收行数")
    header.locator(".dt-column-title").click()
    header.locator(".dt-column-title").click()  # descending
    counts = [int(text) for text in table.locator("tbody tr td:nth-child(8)").all_text_contents()]
    assert counts == sorted(counts, reverse=True) and len(set(counts)) > 1


def test_a_url_with_a_selection_reopens_it(site: Path, visit: Visit):
    person = "柳  佳"
    visit.open(site / EXPLORER,
               f"department={quote('心内科')}&person={quote(person)}"
               "&metric=total_visits&year=2019")
    page = visit.page
    section = page.locator("section.department-section:visible")
    section.locator(".plot").first.scroll_into_view_if_needed()
    visit.wait_for_plots(1)
    # Drawn once shown, at the width it is shown at, not as a hidden element's.
    assert section.locator(".js-plotly-plot").first.bounding_box()["width"] > 800
    assert page.locator("h1").text_content() == f"分析浏览 · {SHAOXING[0]} → {SHAOXING[1]}"
    assert page.locator("select[name=department] option:checked").text_content() == "心内科"
    assert page.input_value("input[name=person]") == person
    assert page.input_value("select[name=metric]") == "total_visits"
    assert page.input_value("select[name=year]") == "2019"
    assert section.locator("h2").first.text_content() == "心内科"
    people = section.locator("table.people tbody tr")
    assert people.count() == 1  # the person, the metric
    assert people.locator("td").nth(0).text_content() == person
    assert people.locator("td").nth(1).text_content() == "诊疗人次（人次）"
    assert page.locator("th.selected-year:visible").first.text_content().startswith("2019 年")
    assert page.locator("details.by-metric:visible").count() == 1

    # Changing the selection changes the URL, which opens the same view elsewhere.
    page.select_option("select[name=department]", label="骨科")
    fragment = page.evaluate("location.hash")
    assert f"department={quote('骨科')}" in fragment and "year=2019" in fragment
    page.goto("about:blank")
    visit.open(site / EXPLORER, fragment.removeprefix("#"))
    assert page.locator("section.department-section:visible h2").first.text_content() == "骨科"

    # A link of the explorer before it had a page per pair still opens the view it named.
    page.goto("about:blank")
    visit.open(site / "explorer.html", f"pair={quote(SHAOXING[0])}/{quote(SHAOXING[1])}"
                                       f"&department={quote('骨科')}")
    page.wait_for_url("**/explorer.html#department=*")
    assert page.locator("section.department-section:visible h2").first.text_content() == "骨科"


def test_the_search_finds_the_pairs_people_and_says_when_nothing_matched(
    site: Path, visit: Visit
):
    visit.open(site / EXPLORER)
    page = visit.page
    page.fill("input[name=explorer-search]", "没有这个人")
    assert page.locator("#explorer-search-results .no-match").text_content() == (
        "没有找到与“没有这个人”匹配的科室或人员。")

    page.fill("input[name=explorer-search]", "柳佳")  # spaces in the name do not matter
    result = page.locator("#explorer-search-results a", has_text="柳  佳")
    assert result.count() == 1
    result.click()
    assert page.locator("section.department-section:visible h2").first.text_content() == "心内科"
    assert page.input_value("input[name=person]") == "柳  佳"
    assert "person=" in page.evaluate("location.hash")

    page.fill("input[name=explorer-search]", "骨")
    assert page.locator("#explorer-search-results a", has_text="科室：骨科").count() >= 1


def test_each_rejection_links_to_its_file_in_the_feedback_list(site: Path, visit: Visit):
    visit.open(site / QUALITY)
    links = visit.page.locator("table.issues a", has_text="查看退回清单")
    assert links.count() > 0
    href = links.first.get_attribute("href")
    row_file = links.first.locator("xpath=ancestor::tr/td[1]").text_content()
    links.first.click()
    visit.page.wait_for_load_state("load")
    assert "/feedback/" in visit.page.url and "#file-" in visit.page.url, href
    entry = visit.page.locator("tr.linked-row")
    assert entry.count() == 1 and entry.is_visible()
    assert entry.locator("td").first.text_content() == row_file


def test_feedback_pages_render_offline_with_the_site_styles(site: Path, visit: Visit):
    pages = sorted([*(site / "feedback").rglob("*.html"), *site.glob("pairs/*/feedback/*.html")])
    for path in pages:
        visit.open(path)
        header = visit.page.locator(".site-header")
        # Only the site's stylesheet, found from a folder below the root, draws this line.
        assert header.evaluate("e => getComputedStyle(e).borderBottomWidth") == "3px", path
        assert visit.page.locator("table").count() >= 1, path
    assert len(pages) > 1


def test_a_departments_person_table_downloads_with_its_pair_department_and_filter(
    site: Path, visit: Visit, tmp_path: Path
):
    """The file is named for the pair, the department and the view; every row says its pair
    and department, which the page's selection implied; a total that leaves a year out says so
    in a column; a filtered download says that it is filtered."""
    visit.open(site / EXPLORER, f"department={quote('心内科')}")
    container = visit.page.locator("section.department-section .dt-container:has(table.people)")
    container.wait_for()
    stem = f"{SHAOXING[0]}_{SHAOXING[1]}_心内科_人员明细"

    path = download(visit, container, "下载 CSV", tmp_path)
    assert path.name == f"{stem}.csv"
    header, *rows = csv_rows(path)
    years = [f"{year} 年" for year in range(2018, 2023)]
    assert header == ["支援医院", "受援医院", "科室", "姓名", "指标", *years, "合计", "合计说明"]
    assert {tuple(row[:3]) for row in rows} == {(*SHAOXING, "心内科")}
    assert {row[3] for row in rows} == {"柳 佳", "张三"}  # runs of space as one, as shown
    zhang = next(row for row in rows if row[3] == "张三" and row[4] == "诊疗人次（人次）")
    assert zhang[5:] == ["—", "—", "—", "800", "未报告", "800", "不含未报告的年度"]

    path = download(visit, container, "下载 Excel", tmp_path)
    assert path.name == f"{stem}.xlsx"
    header, *rows = xlsx_rows(path)
    assert header[:4] == ["支援医院", "受援医院", "科室", "姓名"]
    assert {tuple(row[:3]) for row in rows} == {(*SHAOXING, "心内科")}

    # Filtered by the person's name: the file's name and the workbook's first line say so.
    visit.page.fill("input[name=person]", "张三")
    csv_path = download(visit, container, "下载 CSV", tmp_path)
    assert csv_path.name == f"{stem}_已筛选.csv"
    assert {row[3] for row in csv_rows(csv_path)[1:]} == {"张三"}
    statement, header, *rows = xlsx_rows(download(visit, container, "下载 Excel", tmp_path))
    assert str(statement[0]).startswith("已筛选") and "共 4 行" in statement[0]
    assert header[:4] == ["支援医院", "受援医院", "科室", "姓名"]
    assert {row[3] for row in rows} == {"张三"}
