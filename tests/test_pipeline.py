"""The whole pipeline, through Dagster, on a small corpus whose marts are worked out by hand.

Corpus (临夏 → 和政 only; the 绍兴 → 务川 pair sends nothing):
  A  心内科 2021年第四季度, 2021 template: 张三 门诊 100 急诊 10 手术 5; 李四 门诊 50 急诊 0 手术 1
  B  心内科 2019-12-01..2020-01-31 (62 days, 31 in each year), old template: 张三 诊疗 62 手术 31
  C  儿科 2020年第1季度, old template: 王五 手术 -1 (negative → row rejected); 赵六 诊疗 30
  K  和政 capacity workbook: 门急诊人次 2018 100000, 2019 110000, 2020 blank, 2021 121000,
     2022 133100

By hand:
  total_visits  2018 NULL · 2019 31 · 2020 31 + 30 = 61 · 2021 A has 门诊+急诊, no total
                column → 110 + 50 = 160 · 2022 NULL
  outpatient    2019, 2020 NULL (the old template has no 门诊 column) · 2021 150
  surgeries     2019 15.5 · 2020 15.5 + 0 (赵六) = 15.5 · 2021 6
  staff         2019 {心内科 张三} = 1 · 2020 {心内科 张三, 儿科 赵六} = 2 · 2021 2
  yoy_pct total_visits 2020 = (61 − 31) / 31 × 100; index/CAGR NULL (no 2018 value)
  capacity      yoy 2019 = 10 %, 2020 NULL (no value), 2021 NULL (no prior), 2022 = 10 %;
                index 2022 = 133.1; CAGR = (1.331^(1/4) − 1) × 100
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import xlsxwriter
from formfiles import NEW_HEADER, activity_sheet, write_xls, write_xlsx

from pipelines.cli import run_pipeline

LINXIA = "临夏回族自治州人民医院"
HEZHENG = "和政县人民医院"
FOLDER = "临夏州人民医院/和政县人民医院"


def zeros(n: int) -> list[int]:
    return [0] * n


def write_capacity(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("能力指标")
    sheet.write_row(0, 0, ["和政县人民医院能力指标"])
    sheet.write_row(1, 0, ["指标", "单位", "2018年", "2019年", "2020年", "2021年", "2022年"])
    sheet.write_row(2, 0, ["门急诊人次", "人次", 100000, 110000, None, 121000, 133100])
    sheet.write_row(3, 0, ["出院人次", "人次", 5000, 5200, 5400, 5600, 5800])
    sheet.write_row(4, 0, ["实际开放床位数", "张", 300, 300, 320, 320, 350])
    book.close()
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pipeline")
    raw, store, site = root / "raw", root / "warehouse" / "bangfu.duckdb", root / "site"
    folder = raw / FOLDER
    write_xlsx(folder / "2021/心内科_2021年第4季度_统计表.xlsx", activity_sheet(
        period="2021年第四季度", labels=["填报科室：心内科"], header=NEW_HEADER,
        rows=[["张三", 100, 10, 5, *zeros(11)], ["李四", 50, 0, 1, *zeros(11)]],
    ), mtime=dt.datetime(2022, 1, 5))
    write_xls(folder / "2020/心内科_跨年_统计表.xls", activity_sheet(
        period="2019年12月1日至2020年1月31日", labels=["填报科室：心内科"],
        rows=[["张三", 62, 31, *zeros(7)]],
    ), mtime=dt.datetime(2020, 2, 3))
    write_xlsx(folder / "2020/儿科_2020年第1季度_统计表.xlsx", activity_sheet(
        period="2020年第1季度", labels=["填报科室：儿科"],
        rows=[["王五", 20, -1, *zeros(7)], ["赵六", 30, 0, *zeros(7)]],
    ), mtime=dt.datetime(2020, 4, 10))
    write_capacity(folder / "和政县人民医院_能力指标.xlsx")

    with pytest.MonkeyPatch.context() as env:
        env.setenv("BANGFU_RAW_DIR", str(raw))
        env.setenv("BANGFU_WAREHOUSE", str(store))
        env.setenv("BANGFU_SITE_DIR", str(site))
        # Read in two parts (3 files, then 1): the marts below are the same as one part's.
        env.setenv("BANGFU_FILES_PER_PART", "3")
        instance = dg.DagsterInstance.ephemeral()
        result = run_pipeline(instance)
        assert result.success
    said = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert [m for m in said if m.startswith("read ") and " of 4 new" in m] == [
        "read 3 of 4 new file(s)", "read 4 of 4 new file(s)"]
    return store


def trend(warehouse: Path, metric: str, pair: tuple[str, str] = (LINXIA, HEZHENG)):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            row[0]: row[1:]
            for row in con.execute(
                """select year, value, prior_year_value, yoy_change, yoy_pct, index_vs_2018,
                          cagr_2018_2022
                   from mart_capacity_trend
                   where supporting_hospital = ? and recipient_hospital = ? and metric_code = ?
                   order by year""",
                [*pair, metric],
            ).fetchall()
        }


def values(warehouse: Path, metric: str) -> dict[int, float | None]:
    return {year: row[0] for year, row in trend(warehouse, metric).items()}


def test_activity_values_by_year(warehouse: Path) -> None:
    assert values(warehouse, "total_visits") == {
        2018: None, 2019: 31, 2020: 61, 2021: 160, 2022: None}
    assert values(warehouse, "outpatient_visits") == {
        2018: None, 2019: None, 2020: None, 2021: 150, 2022: None}
    assert values(warehouse, "surgeries") == {
        2018: None, 2019: 15.5, 2020: 15.5, 2021: 6, 2022: None}
    assert values(warehouse, "staff_dispatched") == {
        2018: None, 2019: 1, 2020: 2, 2021: 2, 2022: None}


def test_growth_measures(warehouse: Path) -> None:
    visits = trend(warehouse, "total_visits")
    _, prior, change, pct, index, cagr = visits[2020]
    assert (prior, change, index, cagr) == (31, 30, None, None)
    assert pct == pytest.approx(30 / 31 * 100)

    capacity = trend(warehouse, "cap_outpatient_emergency_visits")
    assert [capacity[y][0] for y in range(2018, 2023)] == [100000, 110000, None, 121000, 133100]
    assert capacity[2019][3] == pytest.approx(10)
    assert capacity[2020][3] is None and capacity[2021][3] is None
    assert capacity[2022][3] == pytest.approx(10)
    assert capacity[2022][4] == pytest.approx(133.1)
    assert [row[5] for row in capacity.values()] == [pytest.approx((1.331**0.25 - 1) * 100)] * 5


def test_pair_without_reports_is_dense_and_null(warehouse: Path) -> None:
    silent = ("绍兴市中医院", "务川仡佬族苗族自治县中医院")
    assert trend(warehouse, "surgeries", silent) == dict.fromkeys(
        range(2018, 2023), (None,) * 6)


def test_file_statuses_and_issues(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses = dict(con.execute(
            "select file_path, status from ingest_files order by file_path").fetchall())
        issues = con.execute(
            "select file_path, sheet, row_number, cell, severity, code from ingest_issues"
        ).fetchall()
    assert statuses == {
        f"{FOLDER}/2020/儿科_2020年第1季度_统计表.xlsx": "partial",
        f"{FOLDER}/2020/心内科_跨年_统计表.xls": "accepted",
        f"{FOLDER}/2021/心内科_2021年第4季度_统计表.xlsx": "accepted",
        f"{FOLDER}/和政县人民医院_能力指标.xlsx": "accepted",
    }
    assert issues == [(f"{FOLDER}/2020/儿科_2020年第1季度_统计表.xlsx", "Sheet1", 5, "C5",
                       "error", "negative_value")]


def test_archive_and_dashboard(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        archived = con.execute("select sha256, archive_path from ingest_files").fetchall()
    for sha256, relative in archived:
        assert (warehouse.parent / relative).read_bytes()  # a real copy, content-addressed
        assert sha256 in relative
    index = warehouse.parent.parent / "site" / "index.html"
    assert "和政县人民医院" in index.read_text(encoding="utf-8")
