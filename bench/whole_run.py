"""Processes measured from outside: wall time, exit code and the peak memory of the largest
process of the child's tree, and `bangfu run` as a user runs it (its own raw folder,
warehouse, site and DAGSTER_HOME).

Step times come from the run's Dagster event log (each STEP_SUCCESS records its duration):
`bangfu run` logs at INFO, and the "Finished execution of step" lines are DEBUG.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BANGFU = Path(sys.executable).with_name("bangfu")
REPO_ROOT = Path(__file__).resolve().parent.parent


def environment(root: Path, raw: Path | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "BANGFU_RAW_DIR": str(raw or root / "raw"),
        "BANGFU_WAREHOUSE": str(root / "warehouse" / "bangfu.duckdb"),
        "BANGFU_SITE_DIR": str(root / "site"),
        "DAGSTER_HOME": str(root / "dagster"),
        # The bench wrote the files a moment ago: nothing is still being copied in.
        "BANGFU_SETTLE_SECONDS": "0",
        # As the Makefile sets them: no usage reporting from the timed run.
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def run_measured(command: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Wall time, exit code and the largest RSS any process of the child's tree reached (the
    child, its pool workers, dbt: wait4's ru_maxrss covers the waited-for descendants)."""
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=out,
                                   stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    result = {"seconds": wall, "exit_code": process.returncode, "peak_rss_kib": usage.ru_maxrss}
    if process.returncode != 0:
        # The log lives in a temporary folder: keep the part that says why.
        result["log_tail"] = log.read_text(errors="replace").splitlines()[-40:]
    return result


def bangfu_run(env: dict[str, str], log: Path) -> dict[str, Any]:
    """`bangfu run` once, measured."""
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    return run_measured([str(BANGFU), "run"], env, log)


def dagster_runs(dagster_home: Path) -> list[dict[str, Any]]:
    """Per Dagster run, oldest first: its own duration and each step's."""
    from dagster import DagsterEventType, DagsterInstance

    wanted = {DagsterEventType.RUN_START, DagsterEventType.RUN_SUCCESS,
              DagsterEventType.RUN_FAILURE, DagsterEventType.STEP_SUCCESS}
    summaries = []
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        for run in reversed(instance.get_runs()):
            started = ended = None
            steps: dict[str, float] = {}
            for record in instance.get_records_for_run(run.run_id, of_type=wanted).records:
                entry = record.event_log_entry
                event = entry.dagster_event
                if event.event_type == DagsterEventType.RUN_START:
                    started = entry.timestamp
                elif event.event_type == DagsterEventType.STEP_SUCCESS:
                    steps[event.step_key] = event.event_specific_data.duration_ms / 1000
                else:
                    ended = entry.timestamp
            summaries.append({
                "run_seconds": None if started is None or ended is None else ended - started,
                "steps": steps,
            })
    return summaries
