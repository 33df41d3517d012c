"""kill -9 at three points of a run (reading, dbt, publishing), then a new run: the same
files, issues and marts as one clean run, bit for bit, no leftovers, and no Dagster run left
STARTED. Runs are `bangfu run` processes, killed with their whole process group."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from formfiles import activity_sheet, write_xlsx

FOLDER = "临夏州人民医院/和政县人民医院"


def corpus(raw: Path) -> None:
    write_xlsx(raw / FOLDER / "心内科_2021年3月_统计表.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：心内科"],
        rows=[["张三", 10, 1, 0, 0, 0, 0, 0, 0, 0], ["李四", 7, 0, 0, 0, 0, 0, 0, 0, 0]]),
        mtime=dt.datetime(2021, 4, 2))
    write_xlsx(raw / FOLDER / "儿科_2021年3月_统计表.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=[["王五", -3, 0, 0, 0, 0, 0, 0, 0, 0], ["赵六", 4.5, 0, 0, 0, 0, 0, 0, 0, 0]]),
        mtime=dt.datetime(2021, 4, 3))
    (raw / "坏文件.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)


def environment(root: Path, raw: Path) -> dict[str, str]:
    return {**os.environ, "BANGFU_RAW_DIR": str(raw),
            "BANGFU_WAREHOUSE": str(root / "warehouse" / "bangfu.duckdb"),
            "BANGFU_SITE_DIR": str(root / "site"), "DAGSTER_HOME": str(root / "dagster")}


def bangfu_run(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def descendants_cmdlines(pid: int) -> list[str]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    family, found = {pid}, True
    while found:
        found = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                found = True
    lines = []
    for member in family - {pid}:
        try:
            lines.append((Path("/proc") / str(member) / "cmdline").read_bytes()
                         .replace(b"\x00", b" ").decode("utf-8", "replace"))
        except OSError:
            continue
    return lines


def kill_when(env: dict[str, str], reached: Callable[[subprocess.Popen], bool]) -> None:
    run = bangfu_run(env)
    deadline = time.monotonic() + 600
    while not reached(run):
        assert run.poll() is None, "the run ended before the point it was to be killed at"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    assert run.wait() == -signal.SIGKILL


def reading(run: subprocess.Popen) -> bool:
    """A reading worker is up (not dbt's resource tracker, which a parse at start-up has)."""
    return any("spawn_main" in line for line in descendants_cmdlines(run.pid))


def in_dbt(run: subprocess.Popen) -> bool:
    return any(" build" in line and "dbt" in line for line in descendants_cmdlines(run.pid))


def publishing(root: Path) -> Callable[[subprocess.Popen], bool]:
    """The warehouse is published and the dashboards are being assembled."""
    return lambda run: (root / "warehouse" / "bangfu.duckdb").exists() and (
        any(root.glob(".site.building-*")) or any(root.glob("warehouse/.staging-*")))


def tables(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = [name for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main' and table_name like 'mart_%'").fetchall()]
        return {
            "ingest_files": con.execute(
                "select file_path, sha256, size_bytes, status, form_type, supporting_hospital, "
                "recipient_hospital, department, period_start, period_end, rows_accepted, "
                "rows_rejected, error_count, warning_count from ingest_files order by all"
            ).fetchall(),
            "ingest_issues": con.execute("select * from ingest_issues order by all").fetchall(),
            **{name: con.execute(f"select * from {name} order by all").fetchall()
               for name in marts},
        }


def leftovers(root: Path) -> list[Path]:
    patterns = ["warehouse/*.building", "warehouse/*.wal", "warehouse/.staging-*",
                "warehouse/archive/.incoming-*", ".site.building-*", ".site.retired-*"]
    return [p for pattern in patterns for p in root.glob(pattern)]


def test_kill_9_at_three_points_then_a_clean_recovery(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    corpus(raw)
    clean = bangfu_run(environment(tmp_path / "clean", raw))  # beside the others: no lock shared

    root = tmp_path / "crashed"
    env = environment(root, raw)
    warehouse = root / "warehouse" / "bangfu.duckdb"
    kill_when(env, reading)
    kill_when(env, in_dbt)
    kill_when(env, publishing(root))
    assert leftovers(root), "the kills should have left something to clean up"
    assert clean.wait() == 0

    assert bangfu_run(env).wait() == 0
    assert tables(warehouse) == tables(tmp_path / "clean" / "warehouse" / "bangfu.duckdb")
    assert leftovers(root) == []
    assert (root / "site" / "index.html").is_file()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
        with dg.DagsterInstance.get() as instance:
            statuses = sorted(run.status.value for run in instance.get_runs())
    assert statuses == ["FAILURE", "FAILURE", "FAILURE", "SUCCESS"]
