"""Shared fixtures. This file's folder is on sys.path, so tests import `formfiles` directly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import chromium  # noqa: F401  (the fixture behind browser.needs_chromium)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# Files written by a test are seconds old; the tests that wait for files to settle say so.
os.environ.setdefault("BANGFU_SETTLE_SECONDS", "0")
# Test workers (pytest-xdist) run pipelines side by side: each has its own dbt target folder,
# so their dbt builds need not take turns. Set before any pipelines module reads it.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("BANGFU_DBT_TARGET", f"target/test-{worker}")


@pytest.fixture
def bangfu_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The contract's settings pointed into a temporary folder (no registry workbook there:
    the built-in registry applies until a test writes one)."""
    paths = {
        "raw": tmp_path / "raw",
        "warehouse": tmp_path / "warehouse" / "bangfu.duckdb",
        "site": tmp_path / "site",
        "registry": tmp_path / "registry" / "登记表.xlsx",
    }
    paths["raw"].mkdir()
    monkeypatch.setenv("BANGFU_RAW_DIR", str(paths["raw"]))
    monkeypatch.setenv("BANGFU_WAREHOUSE", str(paths["warehouse"]))
    monkeypatch.setenv("BANGFU_SITE_DIR", str(paths["site"]))
    monkeypatch.setenv("BANGFU_REGISTRY", str(paths["registry"]))
    return paths


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL 15 cluster of this test session (tests/pg_server.py)."""
    from pg_server import running_server

    with running_server() as server:
        yield server
