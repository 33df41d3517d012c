"""A copy of bangfu's sources in a temporary folder, run in a child process: how a test
changes a seed, a suite or a module the way an operator or a developer would (the file, not a
constant) and sees what the next command makes of it, the repository left as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# What reading, checking and judging one file needs: the code, the suites, the dbt project
# (its seeds and the raw layer its sources declare).
SOURCES = ("pipelines", "expectations", "dbt_project")


def copy_sources(target: Path, tops: tuple[str, ...] = SOURCES) -> Path:
    for top in tops:
        shutil.copytree(REPO_ROOT / top, target / top,
                        ignore=shutil.ignore_patterns("__pycache__", "target", "logs",
                                                      "node_modules", "site"))
    return target


def run_python(copy: Path, code: str, *args: str, env: dict[str, str] | None = None,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`code` run by this interpreter with the copy's `pipelines` first on the path (so
    `pipelines.settings.REPO_ROOT` is the copy), and `args` as sys.argv[1:]."""
    environment = {**os.environ, **(env or {}), "PYTHONPATH": str(copy),
                   "GX_ANALYTICS_ENABLED": "False"}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd or copy, env=environment,
                          capture_output=True, text=True, timeout=600, check=False)
