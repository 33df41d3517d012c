"""What `bangfu run` says it did is what its steps did (issue 20): what was published
(warehouse, site: new or kept) after a step failed past publishing and after a good run; files
copied in a moment ago are counted as waiting, with when they will be read and how to read
them at once (`bangfu run --settle 0`)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from formfiles import activity_sheet, write_xlsx

from pipelines.settings import REPO_ROOT

DEPARTMENTS = ["儿科", "产科", "内科"]


def write_forms(raw: Path, departments: list[str], month: int = 3) -> list[Path]:
    return [write_xlsx(raw / f"{department}_2021年{month}月.xlsx", activity_sheet(
        period=f"2021年{month}月", labels=[f"填报科室：{department}"], rows=[["张三", 5]]))
        for department in departments]


def bangfu_run(root: Path, *args: str, site: Path | None = None,
               settle: str = "0") -> tuple[int, list[str]]:
    env = {**os.environ, "BANGFU_RAW_DIR": str(root / "raw"),
           "BANGFU_WAREHOUSE": str(root / "warehouse" / "bangfu.duckdb"),
           "BANGFU_SITE_DIR": str(site or root / "site"), "DAGSTER_HOME": str(root / "dagster"),
           "BANGFU_SETTLE_SECONDS": settle}
    (root / "dagster").mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", *args], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=1800)
    return done.returncode, (done.stdout + done.stderr).splitlines()


def summary(lines: list[str]) -> list[str]:
    """The lines after the stages' lines."""
    last_stage = max(i for i, line in enumerate(lines) if line.startswith("  "))
    return lines[last_stage + 1:]


def test_a_step_failing_after_publishing_says_the_warehouse_is_new_and_the_site_is_not(
        tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_forms(raw, DEPARTMENTS[:2])
    code, lines = bangfu_run(tmp_path)
    assert code == 0, lines
    assert "发布：数据仓库已更新，看板已更新。" in summary(lines)
    index = (tmp_path / "site" / "index.html").read_bytes()

    # A new form; the site cannot be written where it is asked for (its folder's parent is a
    # file), so the run fails in its last step, after the warehouse was published.
    write_forms(raw, DEPARTMENTS[2:])
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder", encoding="utf-8")
    code, lines = bangfu_run(tmp_path, site=blocker / "site")
    assert code == 1, lines
    assert re.fullmatch(r"  ✗ 生成看板 +\d+\.\d 秒  .+", next(
        line for line in lines if "✗" in line))
    failed = summary(lines)
    assert failed[0].startswith("运行失败（")
    assert failed[1] == ("数据仓库已更新为本次运行的结果；看板没有生成，仍是上一次的看板"
                         "（下次运行时重新生成）。")
    with duckdb.connect(str(tmp_path / "warehouse" / "bangfu.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from ingest_files").fetchone() == (3,)
    assert (tmp_path / "site" / "index.html").read_bytes() == index

    # The next run, nothing changed in the folder, builds the site it owes.
    code, lines = bangfu_run(tmp_path)
    assert code == 0, lines
    assert summary(lines)[1].endswith("看板已更新。")
    assert (tmp_path / "site" / "index.html").read_bytes() != index

    # And a run with nothing new publishes nothing, and says so.
    code, lines = bangfu_run(tmp_path)
    assert code == 0, lines
    assert "发布：数据仓库未改变（沿用上次），看板未改变（沿用上次）。" in summary(lines)


def test_forms_copied_in_and_run_at_once_wait_and_the_run_says_until_when(
        tmp_path: Path) -> None:
    written = write_forms(tmp_path / "raw", DEPARTMENTS)
    settled = max(max(p.stat().st_mtime, p.stat().st_ctime) for p in written) + 60
    code, lines = bangfu_run(tmp_path, settle="60")
    assert code == 0, lines
    (ingest,) = [line for line in lines if "接收文件" in line]
    assert ingest.endswith("找到 3 个文件（0 份不同内容），其中 3 个等待稳定，没有需要读取的新内容")
    said = summary(lines)
    assert re.fullmatch(r"完成（\d+ 秒），但还没有读取任何文件：找到的 3 个文件都在等待稳定。",
                        said[0])
    when = dt.datetime.fromtimestamp(settled).astimezone()
    assert said[-2] == (f"先看：3 个文件刚复制或修改不到 60 秒，等待稳定后读取：{when:%H:%M:%S} "
                        "之后再运行 bangfu run 即可读取；如确认已复制完成，可运行 bangfu run "
                        "--settle 0 立即读取。")

    # The operator knows the copy is finished.
    code, lines = bangfu_run(tmp_path, "--settle", "0", settle="60")
    assert code == 0, lines
    (ingest,) = [line for line in lines if "接收文件" in line]
    assert "找到 3 个文件（3 份不同内容）；新内容 3 份已读取" in ingest
    assert summary(lines)[0].startswith("完成（") and "文件 3 个：已接收 3" in summary(lines)[0]
    assert not any("等待稳定" in line for line in lines)


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_settle_takes_a_number_of_seconds(tmp_path: Path, value: str) -> None:
    code, lines = bangfu_run(tmp_path, "--settle", value)
    assert code == 2 and "不是秒数" in "\n".join(lines)
