"""The portal as its users meet it, in Chromium against `bangfu serve` on loopback: a submitter
of 和政县人民医院 logs in, sees only its pair, uploads a faulty .xlsx and a GBK .csv and sees
at once each 错误 at its cell and the annotated workbook; after a run each upload's status;
a reviewer of 临夏 returns one report with a reason the submitter then reads and approves the
other; with approval required, the marts count only the approved one."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from formfiles import LINXIA_TITLE, activity_sheet, write_csv, write_xlsx
from portal_world import HEZHENG, LINXIA, PASSWORD, WUCHUAN, World

pytestmark = needs_chromium
RETURN_REASON = "李四的手术例数填了负数，请核对后重新上传"


def total_visits_2022(world: World) -> float | None:
    with duckdb.connect(str(world.warehouse), read_only=True) as con:
        return con.execute(
            """select value from main.mart_capacity_trend
               where supporting_hospital = ? and recipient_hospital = ?
                 and metric_code = 'total_visits' and year = 2022""", [LINXIA, HEZHENG]
        ).fetchone()[0]


def run(world: World, **settings: str) -> None:
    done = world.bangfu("run") if not settings else _run_with(world, settings)
    assert done.returncode == 0, done.stdout + done.stderr


def _run_with(world: World, settings: dict[str, str]):
    saved = dict(world.env)
    world.env.update(settings)
    try:
        return world.bangfu("run")
    finally:
        world.env.clear()
        world.env.update(saved)


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def loopback_only(route):
            if route.request.url.startswith(("http://127.0.0.1:", "blob:", "data:")):
                route.continue_()
            else:
                route.abort()

        def open_context():
            context = launched.new_context(viewport={"width": 1280, "height": 900},
                                           accept_downloads=True)
            context.route("**/*", loopback_only)
            return context

        yield open_context
        launched.close()


def log_in(context, world: World, username: str):
    page = context.new_page()
    page.goto(world.base + "/")
    assert page.url.startswith(world.base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(world.base + "/")
    return page


def decide(page, world: World, action: str) -> None:
    """Press a review button and wait until its answer (the list of reports) has loaded."""
    with page.expect_navigation(url=world.base + "/review/"):
        page.click(f"button[value={action}]")


def test_submit_check_run_review_and_approval(world: World, browser, tmp_path: Path) -> None:
    # Two forms of the pair for 2022, each with one faulty row (the other row counts).
    xlsx = write_xlsx(tmp_path / "麻醉科_2022年第1季度.xlsx", activity_sheet(
        title=LINXIA_TITLE, period="2022年第1季度", labels=["填报科室：麻醉科"],
        rows=[["张三", 100, 4, 0, 0, 0, 0, 0, 0, 0], ["李四", 30, -1, 0, 0, 0, 0, 0, 0, 0]]))
    csv = write_csv(tmp_path / "康复科_2022年第2季度.csv", activity_sheet(
        title=LINXIA_TITLE, period="2022年第2季度", labels=["填报科室：康复科"],
        rows=[["王五", 50, 0, 0, 0, 0, 0, 0, 0, 0], ["赵六", "十", 0, 0, 0, 0, 0, 0, 0, 0]]),
        encoding="gbk")

    submitter = log_in(browser(), world, "hz")
    rows = submitter.locator("table tbody tr")
    assert rows.count() == 1 and HEZHENG in rows.inner_text()
    assert WUCHUAN not in submitter.content()
    submitter.click("text=查看")
    assert submitter.locator("h1").inner_text() == f"{LINXIA} → {HEZHENG}"

    submitter.goto(world.base + "/")
    submitter.click("text=上传统计表")
    submitter.set_input_files("input[type=file]", [str(xlsx), str(csv)])
    submitter.click("text=上传并检查")
    sections = submitter.locator("section.upload")
    assert sections.count() == 2
    found = {}
    for index in range(2):
        section = sections.nth(index)
        name = section.locator("h2").inner_text()
        errors = section.locator("table.problems tr.error")
        found[name] = [(errors.nth(i).locator("td").nth(0).inner_text(),
                        errors.nth(i).locator("td.cell").inner_text())
                       for i in range(errors.count())]
        understood = section.locator("table.understood").inner_text()
        assert HEZHENG in understood and "2 " not in understood.split("\n")[-1][:2]
        assert "已存入报送文件夹" in section.inner_text()
    assert found == {xlsx.name: [("错误", "C6")], csv.name: [("错误", "B6")]}
    understood = sections.nth(1).locator("table.understood").inner_text()
    assert "康复科" in understood and "2022-04-01 至 2022-06-30" in understood
    submitter.screenshot(path=str(tmp_path / "upload.png"), full_page=True)

    with submitter.expect_download() as download:
        sections.nth(0).locator("a.annotated").click()
    annotated = tmp_path / download.value.suggested_filename
    download.value.save_as(annotated)
    book = openpyxl.load_workbook(annotated)
    assert book.sheetnames[0] == "问题清单"
    assert book[book.sheetnames[1]]["C6"].comment is not None

    # After a run, each upload's status, read from ingest_files.
    run(world)
    assert total_visits_2022(world) == 150  # both reports count: approval is not required
    submitter.goto(world.base + "/uploads/")
    statuses = {row.locator("td").nth(2).inner_text(): row.locator("td.run-status").inner_text()
                for row in submitter.locator("table.uploads tbody tr").all()}
    assert statuses[xlsx.name] == statuses[csv.name] == "部分接收"

    reviewer = log_in(browser(), world, "lx")
    reviewer.click("text=审核报表")
    reviewer.click("tr:has-text('麻醉科') >> a")
    assert "李四" in reviewer.locator("table.values").inner_text()
    assert "C6" in reviewer.locator("table.problems").inner_text()
    reviewer.fill("textarea[name=reason]", RETURN_REASON)
    decide(reviewer, world, "return")
    reviewer.click("tr:has-text('康复科') >> a")
    decide(reviewer, world, "approve")
    # An approval can be withdrawn, and given again.
    reviewer.goto(world.base + "/review/?state=approved")
    reviewer.click("tr:has-text('康复科') >> a")
    decide(reviewer, world, "withdraw")
    reviewer.goto(world.base + "/review/?state=waiting")
    reviewer.click("tr:has-text('康复科') >> a")
    decide(reviewer, world, "approve")
    reviewer.goto(world.base + "/review/?state=all")
    states = {row.locator("td").nth(1).inner_text(): row.locator("td.state").inner_text()
              for row in reviewer.locator("table.reviews tbody tr").all()}
    assert states["麻醉科"] == "已退回" and states["康复科"] == "已通过"

    submitter.goto(world.base + "/uploads/")
    assert RETURN_REASON in submitter.locator("table.uploads").inner_text()
    assert "已退回" in submitter.locator("table.uploads").inner_text()

    # With approval required, only the approved report counts.
    run(world, BANGFU_APPROVAL_REQUIRED="1")
    assert total_visits_2022(world) == 50
    with duckdb.connect(str(world.warehouse), read_only=True) as con:
        actions = con.execute("select action from raw.review_actions order by sequence").fetchall()
    assert [a for (a,) in actions][-4:] == ["return", "approve", "withdraw", "approve"]
