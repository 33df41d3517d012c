"""Fixtures: warehouses written from the hand-made samples in mart_samples.py, and sites."""

from __future__ import annotations

from pathlib import Path

import pytest
from mart_samples import BUILT_AT, FULL_CONTENTS, TABLES, write_warehouse

from dashboards.site import build_site


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return write_warehouse(tmp_path / "bangfu.duckdb", FULL_CONTENTS)


@pytest.fixture
def empty_warehouse(tmp_path: Path) -> Path:
    """Every table exists, none has a row: nothing has been ingested yet."""
    return write_warehouse(tmp_path / "empty.duckdb", dict.fromkeys(TABLES, list))


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the sample warehouse, built once; tests must only read it."""
    root = tmp_path_factory.mktemp("sample")
    warehouse = write_warehouse(root / "bangfu.duckdb", FULL_CONTENTS)
    build_site(warehouse, root / "site", built_at=BUILT_AT)
    return root / "site"
