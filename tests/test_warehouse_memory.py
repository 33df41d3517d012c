"""dbt's DuckDB works within BANGFU_DUCKDB_MEMORY (DuckDB's own default is 80% of the
machine); a corpus that needs more than the cap stops the run with the operator's line, and
nothing published changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from formfiles import activity_sheet, write_xlsx

from pipelines.cli import main

FOLDER = "临夏州人民医院/和政县人民医院"


def test_dbt_out_of_its_memory_cap_is_the_operators_line_and_publishes_nothing(
        bangfu_env: dict[str, Path], capsys: pytest.CaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    write_xlsx(bangfu_env["raw"] / FOLDER / "心内科_2021年第4季度_统计表.xlsx", activity_sheet(
        period="2021年第四季度", labels=["填报科室：心内科"],
        rows=[["张三", 100, 10, 5, *[0] * 7]]))
    # Far below what building the models needs.
    monkeypatch.setenv("BANGFU_DUCKDB_MEMORY", "4MB")

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if line.startswith("bangfu: ")]
    assert "warehouse_out_of_memory" in line and "DuckDB 内存不足" in line
    assert "BANGFU_DUCKDB_MEMORY=4MB" in line and "没有改变" in line
    assert not bangfu_env["warehouse"].exists()
    assert not bangfu_env["site"].exists()
