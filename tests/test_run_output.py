"""`bangfu run` as an operator sees it, on the sample corpus, with its output to a file: a
short report of its own, no escape codes, dbt's and Dagster's detail in the log file it names,
and the 退回清单 sending each file with errors back annotated with exactly the issues the file
itself has."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.authoring.annotate import LIST_HEADER_ROW, LIST_SHEET
from pipelines.authoring.sample import write_sample_corpus
from pipelines.progress import STAGES
from pipelines.settings import REPO_ROOT

MAX_LINES = 40


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("run")
    write_sample_corpus(root / "raw" / "sample")
    env = {
        **os.environ,
        "BANGFU_RAW_DIR": str(root / "raw"),
        "BANGFU_WAREHOUSE": str(root / "warehouse" / "bangfu.duckdb"),
        "BANGFU_SITE_DIR": str(root / "site"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    output = root / "output.txt"
    with output.open("wb") as fh:
        completed = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "run"], cwd=REPO_ROOT, env=env,
            stdout=fh, stderr=subprocess.STDOUT, timeout=1800, check=False)
    return {"root": root, "code": completed.returncode, "output": output.read_bytes()}


def test_the_operator_gets_a_short_plain_report_and_the_detail_in_a_log(run: dict) -> None:
    text = run["output"].decode("utf-8")
    assert run["code"] == 0, text
    lines = text.splitlines()
    assert len(lines) <= MAX_LINES, text
    assert b"\x1b" not in run["output"]  # no colour or cursor codes in a file

    stage_lines = [line for line in lines if line.startswith("  ✓ ")]
    assert [line.split()[1] for line in stage_lines] == [s.name.split()[0] for s in STAGES]
    assert all(re.search(r"\d+\.\d 秒", line) for line in stage_lines)
    assert "找到 348 个文件" in text and "新内容 347 份已读取" in text
    assert re.search(r"文件 348 个：已接收 \d+，部分接收 \d+，已退回 \d+", text)
    assert re.search(r"问题：错误 \d+，警告 \d+", text)
    site = run["root"] / "site"
    assert f"看板：{site / 'index.html'}" in lines
    assert any(line.startswith("先看：") and "退回清单" in line for line in lines)

    (log_line,) = [line for line in lines if line.startswith("日志：")]
    log = Path(log_line.removeprefix("日志："))
    assert log.parent == run["root"] / "warehouse" / "logs"
    detail = log.read_text(encoding="utf-8")
    assert "Running with dbt=" in detail and " PASS " in detail  # dbt's own output
    assert "STEP_SUCCESS" in detail  # Dagster's
    assert "Running with dbt=" not in text


def test_each_file_to_fix_goes_back_annotated_with_its_issues(run: dict) -> None:
    assert run["code"] == 0
    root = run["root"]
    with duckdb.connect(str(root / "warehouse" / "bangfu.duckdb"), read_only=True) as con:
        files = con.execute(
            "select f.file_path, f.sha256 from ingest_files f where f.status in "
            "('rejected', 'partial') order by f.file_path").fetchall()
        issues = {
            (path, sha): con.execute(
                # What the file itself says; the corpus' judgments (overlaps, a department's
                # usual range) are made after the copy, and shown on the list's page.
                "select sheet, cell, row_number, code, message from ingest_issues "
                "where file_path = ? and sha256 = ? and source <> 'corpus'",
                [path, sha]).fetchall()
            for path, sha in files
        }
    assert files
    # In the pairs' folders, and the section's for files of no known pair.
    copies = sorted((root / "site").rglob("*_问题标注.xlsx"))
    listed = {}
    for copy in copies:
        rows = openpyxl.load_workbook(copy)[LIST_SHEET].iter_rows(
            min_row=LIST_HEADER_ROW + 1, values_only=True)
        listed[copy.name] = sorted((r[2], r[3], r[9], r[8]) for r in rows)
    for (path, _), expected in issues.items():
        name = Path(path).stem
        (found,) = [v for k, v in listed.items() if k.startswith(name)]
        assert found == sorted(
            (sheet, cell or ("整个文件" if row is None else "整行"), code, message)
            for sheet, cell, row, code, message in expected), path
