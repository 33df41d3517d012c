"""`make test` needs some Debian packages (tests/system-packages.txt): it installs the missing
ones or stops with one line saying what to install, and a test that needs Chromium fails
without it instead of being skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def test_the_list_names_chromium_and_a_missing_package_stops_with_the_instruction(
        tmp_path: Path) -> None:
    listed = (TESTS / "system-packages.txt").read_text(encoding="utf-8").split("\n")
    assert "chromium" in {line.split()[0] for line in listed if line and line[0] != "#"}
    # A copy of the script with a package that is not installed, run where neither apt-get
    # nor sudo can be found (as a user who cannot install): one line, exit 1, at once.
    shutil.copy(TESTS / "system_packages.sh", tmp_path)
    (tmp_path / "system-packages.txt").write_text(
        "# a package no machine has\nbangfu-absent-package  bangfu-absent-program\n",
        encoding="utf-8")
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("bash", "dirname", "dpkg-query", "grep", "id"):
        if found := shutil.which(tool):
            (tools / tool).symlink_to(found)
    done = subprocess.run(["bash", str(tmp_path / "system_packages.sh")], capture_output=True,
                          text=True, env={"PATH": str(tools)}, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "make test: the tests need bangfu-absent-package: install with "
        "`sudo apt-get install -y bangfu-absent-package`"]


BROWSER_TEST = """
from pathlib import Path

import browser
from browser import needs_chromium, offline_browser

browser.CHROMIUM = Path("/nonexistent/chromium")


@needs_chromium
def test_marked():
    pass


def test_opening_a_browser():
    with offline_browser():
        pass
"""


def test_a_browser_test_fails_without_chromium(tmp_path: Path) -> None:
    (tmp_path / "test_needs_browser.py").write_text(BROWSER_TEST, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider",
         "-p", "conftest", "-q", "-rfEs", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**os.environ, "PYTHONPATH": str(TESTS)})
    # The marked test errs in its setup, the other fails: neither is skipped.
    assert done.returncode == 1, done.stdout
    assert done.stdout.splitlines()[-1].startswith("1 failed, 1 error in ")
    assert "skipped" not in done.stdout
    assert "sudo apt-get install -y chromium" in done.stdout
