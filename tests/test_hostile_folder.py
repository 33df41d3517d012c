"""No file takes the dashboards down (issue 20): a whole `bangfu run`, site and year-end report
included, on good forms beside the project's own hostile files (bench/hostile_files.py).
The run succeeds; every page of the site is there; each hostile file is listed in the 退回清单
with its reason; no submitted file is opened outside the bounded workers (a tripwire in the
run's own process); and a run sends back annotated exactly the files with errors."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dagster as dg
import duckdb
import pytest
from formfiles import activity_sheet, write_xlsx

from bench.hostile_files import write_hostile_files
from pipelines.authoring.sample import write_sample_corpus
from pipelines.settings import REPO_ROOT

PAIR = ("临夏州人民医院", "和政县人民医院")
REPORT_PAIR = "临夏回族自治州人民医院/和政县人民医院"
GOOD_FORMS = 8
TRIPWIRE = "opened-outside-the-workers.txt"

# `bangfu run` with a tripwire in its own process: whatever opens a workbook there (the
# annotator, openpyxl) records it and fails. The reading and annotating workers are spawned
# processes that import the real modules.
GUARDED_RUN = """
import os, sys
import openpyxl, openpyxl.reader.excel
import pipelines.authoring.annotate as annotate

def refuse(*args, **kwargs):
    with open(os.environ["BANGFU_TEST_TRIPWIRE"], "a", encoding="utf-8") as out:
        out.write(repr(args)[:200] + "\\n")
    raise AssertionError("a submitted file was opened outside the bounded workers")

annotate.annotated = refuse
openpyxl.load_workbook = openpyxl.reader.excel.load_workbook = refuse
sys.argv = ["bangfu", "run"]
from pipelines.cli import run_command
run_command()
"""


def copy_good_forms(sample: Path, raw: Path) -> None:
    """The pair's capacity form and some of its 2022 forms, at their paths in the sample."""
    pair_folder = sample.joinpath(*PAIR)
    chosen = [next(pair_folder.glob("*能力指标*.xlsx")),
              *sorted((pair_folder / "2022").glob("*.xlsx"))[:GOOD_FORMS]]
    for path in chosen:
        target = raw / path.relative_to(sample)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    sample = root / "sample"
    write_sample_corpus(sample)
    raw = root / "raw"
    copy_good_forms(sample, raw / "good")
    template = sorted(sample.joinpath(*PAIR, "2022").glob("*.xlsx"))[0]
    # Just past the default limits (docs/operations.md): 20,000 rows, a ratio of 200 above
    # 16 MB inflated, 2,000 characters a cell.
    hostile = write_hostile_files(raw / "hostile", template, csv_rows=30_000, bomb_mb=40,
                                  name_cell_mb=4)
    env = {**os.environ, "BANGFU_RAW_DIR": str(raw),
           "BANGFU_WAREHOUSE": str(root / "warehouse" / "bangfu.duckdb"),
           "BANGFU_SITE_DIR": str(root / "site"), "DAGSTER_HOME": str(root / "dagster"),
           "BANGFU_TEST_TRIPWIRE": str(root / TRIPWIRE)}
    (root / "dagster").mkdir()
    run = subprocess.run([sys.executable, "-c", GUARDED_RUN], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, timeout=1800)
    report = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "report", "--year", "2022", "--pair",
         REPORT_PAIR, "--out", str(root / "reports")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    return {"root": root, "run": run, "report": report, "hostile": hostile,
            "warehouse": root / "warehouse" / "bangfu.duckdb", "site": root / "site"}


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def local_links(page: Path, site: Path) -> list[Path]:
    """The files of the site that a page links to or loads."""
    text = page.read_text(encoding="utf-8")
    targets = []
    for link in re.findall(r'(?:href|src)="([^"]+)"', text):
        link = html.unescape(link)
        parts = urlsplit(link)
        if parts.scheme or not parts.path:  # another scheme (data:, blob:), or a fragment
            continue
        targets.append((page.parent / unquote(parts.path)).resolve())
    return [t for t in targets if site.resolve() in t.parents]


def feedback_pages(site: Path) -> str:
    """The text of every 退回清单 page, wherever the site keeps them (the section's index,
    each pair's folder)."""
    return "\n".join(html.unescape(page.read_text(encoding="utf-8"))
                     for page in site.rglob("*.html")
                     if "feedback" in page.relative_to(site).parts)


def test_the_run_and_the_report_succeed_and_nothing_is_opened_outside_the_workers(
        hostile_run: dict) -> None:
    run = hostile_run["run"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (hostile_run["root"] / TRIPWIRE).exists(), (
        (hostile_run["root"] / TRIPWIRE).read_text(encoding="utf-8"))
    report = hostile_run["report"]
    assert report.returncode == 0, report.stdout + report.stderr
    written = sorted(p.suffix for p in (hostile_run["root"] / "reports").iterdir())
    assert {".docx", ".xlsx"} <= set(written)
    # The partial file whose name holds control characters is among the report's open
    # rejections, by its name (never the raw folder's path), written as \xNN where a Word
    # document cannot hold the character.
    from docx import Document

    (document,) = (hostile_run["root"] / "reports").glob("*.docx")
    cells = [cell.text for table in Document(str(document)).tables
             for row in table.rows for cell in row.cells]
    assert any(text.startswith("响铃\\x07换行") for text in cells)


def test_the_site_has_every_page(hostile_run: dict) -> None:
    site = hostile_run["site"]
    for page in ("index.html", "leadership.html", "explorer.html", "quality.html",
                 "feedback/index.html"):
        assert (site / page).is_file(), page
    # bangfu's own pages (dbt's and GX's documentation pages make their links in scripts).
    pages = [page for page in site.rglob("*.html")
             if page.relative_to(site).parts[0] not in ("dbt-docs", "data-docs")]
    assert len(pages) > 10
    missing = {(page.relative_to(site).as_posix(), str(target))
               for page in pages for target in local_links(page, site) if not target.exists()}
    assert not missing


def test_each_hostile_file_is_listed_in_the_feedback_with_its_reason(hostile_run: dict) -> None:
    warehouse, site = hostile_run["warehouse"], hostile_run["site"]
    issues = query(warehouse, "select file_path, message from ingest_issues "
                              "where file_path like 'hostile/%'")
    skipped = query(warehouse, "select file_path, message from ingest_skipped_files "
                               "where file_path like 'hostile/%'")
    listed = {path for path, _ in issues} | {path for path, _ in skipped}
    # Every hostile file has something said of it (a GBK name is recorded with \xNN escapes).
    assert len(listed) == len(hostile_run["hostile"]), listed

    pages = feedback_pages(site)
    for path, message in [*issues, *skipped]:
        assert path in pages and message in pages, (path, message)
    index = html.unescape((site / "feedback" / "index.html").read_text(encoding="utf-8"))
    for path, message in skipped:
        assert path in index and message in index


def test_files_with_errors_go_back_annotated_or_with_the_reason_they_cannot(
        hostile_run: dict) -> None:
    """The XXE and billion-laughs workbooks, which openpyxl refuses, are listed with the
    reason; every copy on the site is the one the run recorded; no file with warnings only
    has one."""
    warehouse, site = hostile_run["warehouse"], hostile_run["site"]
    errored = query(warehouse, """
        select file_path, annotated_copy, annotation_note from ingest_files
        where error_count > 0 and status not in ('withdrawn', 'superseded', 'duplicate')""")
    notes = {path: note for path, copy, note in errored if copy is None}
    assert set(notes) == {"hostile/外部实体_统计表.xlsx", "hostile/十亿笑声_统计表.xlsx"}
    assert all("原文件无法用于标注" in note for note in notes.values())
    copies = sorted(site.rglob("*_问题标注.xlsx"))
    assert len(copies) == len(errored) - len(notes)
    recorded = {(warehouse.parent / copy).read_bytes() for _, copy, _ in errored if copy}
    assert {copy.read_bytes() for copy in copies} == recorded
    pages = feedback_pages(site)
    for path, note in notes.items():
        assert f"{path}：{note}" in pages
    assert "hostile/含宏_统计表.xlsx：只有警告" in pages


# Issue 22: annotated workbooks for the files that must be sent again, not for every warned one.
FAULTY = [["张三", -5], ["", 3], ["李四", "十二"]]  # a negative count, no name, text
WARNED = [["张三", 5], ["李四", 3], ["合计", 99]]  # a totals row that does not add up


@pytest.fixture(scope="module")
def warned_and_errored(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from pipelines.cli import run_pipeline

    root = tmp_path_factory.mktemp("warned")
    raw = root / "raw"
    departments = ["儿科", "产科", "内科", "外科", "眼科", "骨科"]
    for number, department in enumerate(departments):
        rows = FAULTY if number % 3 == 0 else WARNED if number % 3 == 1 else [["王五", 2]]
        write_xlsx(raw / f"{department}_2021年{number + 1}月.xlsx", activity_sheet(
            period=f"2021年{number + 1}月", labels=[f"填报科室：{department}"], rows=rows))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BANGFU_RAW_DIR", str(raw))
        env.setenv("BANGFU_WAREHOUSE", str(root / "warehouse" / "bangfu.duckdb"))
        env.setenv("BANGFU_SITE_DIR", str(root / "site"))
        assert run_pipeline(dg.DagsterInstance.ephemeral()).success
    return {"warehouse": root / "warehouse" / "bangfu.duckdb", "site": root / "site"}


def test_the_annotated_workbooks_are_as_many_as_the_files_with_errors(
        warned_and_errored: dict) -> None:
    warehouse, site = warned_and_errored["warehouse"], warned_and_errored["site"]
    ((errored, warned),) = query(warehouse, """
        select count(*) filter (where error_count > 0),
               count(*) filter (where error_count = 0 and warning_count > 0)
        from ingest_files""")
    assert errored == 2 and warned >= 2
    copies = list(site.rglob("*_问题标注.xlsx"))
    assert len(copies) == errored
    assert sorted(c.name for c in copies) == ["儿科_2021年1月_问题标注.xlsx",
                                              "外科_2021年4月_问题标注.xlsx"]
