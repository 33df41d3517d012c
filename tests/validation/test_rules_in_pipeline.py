"""Every validation rule, on real files, through the whole pipeline: the exact issue (code,
row, cell, severity), the good rows of the same file loaded, the rejected ones quarantined,
the suites' results recorded as Dagster asset checks, and Data Docs published offline.

Old template columns: A 姓名 B 诊疗人次 C 开展手术例数 D 会诊 E 义诊 F 学术讲座 G 教学查房
H 手术示教 I 业务培训 J 新技术.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest
from browser import Visit, needs_chromium, offline_browser
from formfiles import activity_sheet, write_xlsx

from pipelines.cli import run_pipeline
from pipelines.validation.suites import suite_tables

FOLDER = "临夏州人民医院/和政县人民医院"
ERRORS = f"{FOLDER}/2021/儿科_2021年3月_错误.xlsx"
WARNINGS = f"{FOLDER}/2021/产科_2021年4月_提示.xlsx"
QUARTER = f"{FOLDER}/2021/产科_2021年第2季度.xlsx"
UNKNOWN = f"{FOLDER}/2021/肿瘤放疗科_2021年5月.xlsx"
SPIKE = f"{FOLDER}/2021/心内科_2021年1月.xlsx"
INJECTION = f"{FOLDER}/2021/口腔科_2021年6月.xlsx"
HYPERLINK = '=HYPERLINK("x")'


def row(name: str, visits: object = 10, surgeries: object = 0, lectures: object = 0,
        demos: object = 0) -> list[object]:
    return [name, visits, surgeries, 0, 0, lectures, 0, demos, 0, 0]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("rules")
    raw = root / "raw"
    write_xlsx(raw / ERRORS, activity_sheet(period="2021年3月", labels=["填报科室：儿科"], rows=[
        row("张三", 10, 1), row("", 5), row("李四", 10, "若干"), row("王五", -3),
        row("赵六", 10, 0, 1.5)]))
    write_xlsx(raw / WARNINGS, activity_sheet(period="2021年4月", labels=["填报科室：产科"], rows=[
        row("钱七", 9000, 1, 0, 3), row("孙八", 10), row("孙 八", 12)],
        below=[["合计", 100]]))
    write_xlsx(raw / QUARTER, activity_sheet(period="2021年第2季度", labels=["填报科室：产科"],
                                             rows=[row("钱七", 30)]))
    write_xlsx(raw / UNKNOWN, activity_sheet(period="2021年5月", labels=["填报科室：肿瘤放疗科"],
                                             rows=[row("周九")]))
    write_xlsx(raw / INJECTION, activity_sheet(period="2021年6月", labels=["填报科室：口腔科"],
                                               rows=[row(HYPERLINK), row(HYPERLINK, 12)]))
    # A year of ordinary months for 心内科, then a month far above them.
    for month in range(1, 13):
        write_xlsx(raw / f"{FOLDER}/2020/心内科_2020年{month}月.xlsx",
                   activity_sheet(period=f"2020年{month}月", labels=["填报科室：心内科"],
                                  rows=[row("吴十", 100 + month)]))
    write_xlsx(raw / SPIKE, activity_sheet(period="2021年1月", labels=["填报科室：心内科"],
                                           rows=[row("吴十", 3000)]))

    with pytest.MonkeyPatch.context() as env:
        env.setenv("BANGFU_RAW_DIR", str(raw))
        env.setenv("BANGFU_WAREHOUSE", str(root / "warehouse" / "bangfu.duckdb"))
        env.setenv("BANGFU_SITE_DIR", str(root / "site"))
        instance = dg.DagsterInstance.ephemeral()
        result = run_pipeline(instance)
    assert result.success
    return root, result


def issues(root: Path, path: str) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse" / "bangfu.duckdb"), read_only=True) as con:
        return con.execute(
            """select code, row_number, cell, severity from ingest_issues
               where file_path = ? order by row_number nulls first, cell, code""", [path]
        ).fetchall()


def test_row_errors_reject_only_their_rows(run) -> None:
    root, _ = run
    assert issues(root, ERRORS) == [
        ("missing_name", 6, "A6", "error"),
        ("non_numeric_value", 7, "C7", "error"),
        ("negative_value", 8, "B8", "error"),
        ("non_integer_count", 9, "F9", "error"),
    ]
    with duckdb.connect(str(root / "warehouse" / "bangfu.duckdb"), read_only=True) as con:
        status = con.execute("select status, rows_accepted, rows_rejected from ingest_files "
                             "where file_path = ?", [ERRORS]).fetchone()
        loaded = con.execute("""select person_name, value from mart_person_activity
                                where department = '儿科' and metric_code = 'total_visits'
                                  and year = 2021""").fetchall()
        quarantined = con.execute("select row_number, error_codes, raw_cells_json "
                                  "from quarantined_rows where file_path = ? order by 1",
                                  [ERRORS]).fetchall()
    assert status == ("partial", 1, 4)
    assert loaded == [("张三", 10)]
    assert [(r, codes) for r, codes, _ in quarantined] == [
        (6, "missing_name"), (7, "non_numeric_value"), (8, "negative_value"),
        (9, "non_integer_count")]
    assert "若干" in quarantined[1][2]  # the original cell text is kept


def test_warnings_reject_nothing(run) -> None:
    root, _ = run
    assert issues(root, WARNINGS) == [
        ("overlapping_period", 5, "A5", "warning"),
        ("implausible_value", 5, "B5", "warning"),
        ("inconsistent_values", 5, "H5", "warning"),
        ("duplicate_person", 6, "A6", "warning"),
        ("duplicate_person", 7, "A7", "warning"),
        ("totals_mismatch", 8, "B8", "warning"),
    ]
    assert issues(root, QUARTER) == [("overlapping_period", 5, "A5", "warning")]
    assert issues(root, UNKNOWN) == [("unknown_department", None, None, "warning")]
    with duckdb.connect(str(root / "warehouse" / "bangfu.duckdb"), read_only=True) as con:
        statuses = dict(con.execute("select file_path, status from ingest_files").fetchall())
        messages = dict(con.execute(
            "select code || ':' || coalesce(cell, ''), message from ingest_issues "
            "where file_path = ?", [WARNINGS]).fetchall())
    assert {statuses[p] for p in (WARNINGS, QUARTER, UNKNOWN, SPIKE)} == {"accepted"}
    assert "平均每天 300，而每人每天通常不超过 120" in messages["implausible_value:B5"]
    assert "各人员之和为 9022" in messages["totals_mismatch:B8"]
    assert "手术示教例数（3）不应多于开展手术例数（1）" in messages["inconsistent_values:H5"]


def test_a_spike_against_the_departments_history(run) -> None:
    root, _ = run
    assert issues(root, SPIKE) == [("implausible_value", 5, "B5", "warning")]
    with duckdb.connect(str(root / "warehouse" / "bangfu.duckdb"), read_only=True) as con:
        (message,) = con.execute("select message from ingest_issues where file_path = ?",
                                 [SPIKE]).fetchone()
    assert "同科室以往每人每天中位数约" in message and "通常不超过" in message


def test_each_suite_is_an_asset_check_with_its_counts(run) -> None:
    _, result = run
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    for name, table in suite_tables().items():
        assert evaluations[f"suite_{name}"].asset_key == dg.AssetKey(["raw", table])
    cells = evaluations["suite_activity_cells"]
    assert not cells.passed  # it found errors; the run still succeeded
    assert cells.metadata["errors"].value == 3
    assert evaluations["suite_activity_rows"].metadata["errors"].value == 1
    assert evaluations["suite_capacity_cells"].metadata["rows_validated"].value == 0


def test_data_docs_and_dbt_docs_are_published_offline(run) -> None:
    root, _ = run
    site = root / "site"
    data_docs = (site / "data-docs" / "index.html").read_text(encoding="utf-8")
    assert "activity_cells" in data_docs
    dbt_docs = (site / "dbt-docs" / "index.html").read_text(encoding="utf-8")
    assert "mart_capacity_trend" in dbt_docs
    for page in (site / "data-docs").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert 'src="http' not in html and 'href="http' not in html, page
        assert "cdn" not in html.lower(), page


def test_feedback_workbook_lists_exactly_the_departments_issues(run) -> None:
    root, _ = run
    folder = root / "site"  # the list is in its pair's folder
    (children,) = folder.rglob("退回清单_儿科.xlsx")
    sheet = openpyxl.load_workbook(children).active
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "文件")
    listed = [
        dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=sheet.freeze_panes and sheet[sheet.freeze_panes].row,
                                 values_only=True)
        if r and r[0] and r[0] != "文件"
    ]
    assert [(r["文件"], r["单元格"], r["如何修改"][:8]) for r in listed] == [
        (ERRORS, cell, message[:8]) for _, _, cell, message in _issues_with_messages(root, ERRORS)
    ]

    (dental,) = folder.rglob("退回清单_口腔科.xlsx")
    cells = [c for row in openpyxl.load_workbook(dental).active.iter_rows() for c in row
             if c.value == HYPERLINK]
    assert len(cells) == 2  # two duplicate_person warnings, the name as found
    assert all(c.data_type == "s" for c in cells)  # stored as text, never as a formula


def _issues_with_messages(root: Path, path: str) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse" / "bangfu.duckdb"), read_only=True) as con:
        return con.execute(
            """select code, row_number, cell, message from ingest_issues where file_path = ?
               order by severity, row_number nulls first, cell""", [path]).fetchall()


@needs_chromium
def test_the_published_site_makes_no_request_off_the_machine(run) -> None:
    """Every page the pipeline published, the third-party documentation included: no request
    and no link off the machine, no console error, a way back to the site."""
    site = run[0] / "site"
    pages = [p for p in site.rglob("*.html")
             if "validations" not in p.parts]  # one validation page per suite is enough
    pages += [next((site / "data-docs" / "validations").rglob("*.html"))]
    with offline_browser() as context:
        visit = Visit(context)
        for page in pages:
            visit.open(page)
            visit.page.wait_for_load_state("networkidle")
            assert visit.links_off_machine() == [], page
            if "data-docs" in page.parts or "dbt-docs" in page.parts:
                back = visit.page.locator(".bangfu-back a")
                assert back.get_attribute("href").endswith("index.html"), page
                assert back.evaluate("a => a.href") == (site / "index.html").as_uri(), page
            assert visit.errors == [], page
    assert visit.off_machine() == []
    assert len(pages) > 10


@needs_chromium
def test_data_docs_offline_keep_their_icons_filter_and_times(run) -> None:
    site = run[0] / "site"
    (failed,) = (site / "data-docs" / "validations" / "activity_cells").rglob("*.html")
    with offline_browser() as context:
        visit = Visit(context)
        visit.open(failed)
        page = visit.page
        icon = page.locator(".fa-times").first
        assert icon.evaluate("e => getComputedStyle(e, '::before').content") == '"✖︎"'
        assert page.locator("footer").count() == 0  # the newsletter banner
        assert "北京时间" in page.locator("body").text_content()
        passed = page.locator(".hide-succeeded-validation-target-child").first
        assert passed.is_visible()
        page.get_by_text("Failed Only").click()
        assert not passed.is_visible()
        assert page.locator("td .fa-times").first.is_visible()  # the failures stay
        page.get_by_text("Show All").click()
        assert passed.is_visible()
        page.get_by_text("Show more info...").first.click()
        assert page.get_by_text("Great Expectations Version").first.is_visible()
        assert visit.errors == [] and visit.off_machine() == []

        visit.open(site / "dbt-docs" / "index.html", "!/model/model.bangfu.mart_capacity_trend")
        page.wait_for_selector("text=mart_capacity_trend")
        icons = page.locator("svg use")
        assert icons.count() > 10 and all(
            (icons.nth(n).get_attribute("xlink:href") or "").startswith("#")
            for n in range(min(icons.count(), 30)))
        assert visit.errors == [] and visit.off_machine() == []
