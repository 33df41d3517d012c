"""`bangfu export --out DIR` on the sample warehouse: the workbook's sheets and the Parquet files
hold exactly the marts' rows, under the Chinese headers of the dbt docs."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.authoring.export import GUIDE_SHEET, WORKBOOK_NAME, mart_docs
from pipelines.cli import main


@pytest.fixture
def exported(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BANGFU_WAREHOUSE", str(warehouse))
    out = tmp_path / "exports"
    assert main(["export", "--out", str(out)]) == 0
    return out


def mart_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every documented mart of the warehouse, its columns and its rows."""
    documented = mart_docs()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = [name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall() if name in documented]
        return {name: connection.execute(f"select * from main.{name} order by all").fetchall()
                for name in names}


def as_cell(value: object) -> object:
    """A mart value as Excel holds it: numbers as floats, dates as datetimes, NULL as empty."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def excel_precision(value: object) -> object:
    """A number as the workbook stores it: 16 significant digits (xlsxwriter's %.16g)."""
    return float(f"{value:.16g}") if isinstance(value, float) else value


def test_each_sheet_holds_its_mart_under_chinese_headers(exported: Path, warehouse: Path):
    marts = mart_tables(warehouse)
    workbook = openpyxl.load_workbook(exported / WORKBOOK_NAME)
    assert workbook.sheetnames[0] == GUIDE_SHEET
    assert sorted(workbook.sheetnames[1:]) == sorted(marts)  # in the dbt docs' order
    assert len(marts) >= 6
    for name, rows in marts.items():
        _, *cells = list(workbook[name].iter_rows(values_only=True))
        assert len(cells) == len(rows), name
        for written, expected in zip(cells, rows, strict=True):
            assert [as_cell(v) for v in written] == [
                excel_precision(as_cell(v)) for v in expected], name
    trend_header = next(workbook["mart_capacity_trend"].iter_rows(values_only=True))
    assert trend_header[:4] == ("支援医院", "受援医院", "指标代码", "年度")


def test_the_guide_describes_every_column_from_the_dbt_docs(exported: Path, warehouse: Path):
    marts = mart_tables(warehouse)
    guide = list(openpyxl.load_workbook(exported / WORKBOOK_NAME)[GUIDE_SHEET]
                 .iter_rows(min_row=4, values_only=True))
    described = {(sheet, field): (label, text) for sheet, label, field, _, text in guide if field}
    docs = mart_docs()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for name in marts:
            columns = [c for (c,) in connection.execute(
                "select column_name from information_schema.columns where table_name = ? "
                "order by ordinal_position", [name]).fetchall()]
            assert [field for sheet, field in described if sheet == name] == columns
    value = described[("mart_capacity_trend", "value")]
    documented = next(c for c in docs["mart_capacity_trend"]["columns"] if c["name"] == "value")
    assert value == ("数值", " ".join(documented["description"].split()))
    assert ("mart_capacity_trend", "（整张表）") in {(row[0], row[1]) for row in guide}


def test_each_parquet_file_holds_its_mart(exported: Path, warehouse: Path):
    marts = mart_tables(warehouse)
    assert sorted(p.stem for p in exported.glob("*.parquet")) == sorted(marts)
    with duckdb.connect() as connection:
        for name, rows in marts.items():
            written = connection.execute(
                "select * from read_parquet(?) order by all", [str(exported / f"{name}.parquet")]
            ).fetchall()
            assert written == rows, name


def test_export_without_a_warehouse_says_so(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("BANGFU_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    assert main(["export", "--out", str(tmp_path / "out")]) == 1
    assert "bangfu run" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
