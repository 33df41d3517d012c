"""What every benchmark records beside its figures: when, which command and commit, whether
the measured code had local changes, and the machine it ran on."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from typing import Any

from bench.whole_run import REPO_ROOT


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip()


def run_context(command: str) -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "commit": _git("rev-parse", "--short", "HEAD"),
        # Others edit the measured code at the same time: say whether it had local changes.
        "measured_code_changed": bool(_git("status", "--porcelain", "--", "pipelines",
                                           "dbt_project", "expectations", "dashboards")),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "load_average_before": os.getloadavg(),
    }
