"""One pipeline run over a folder that mixes the layouts that used to be misread (issue 15)
with ordinary forms; the marts' department and pair values against sums worked out by hand.

Corpus (临夏 → 和政, all in 2021, so every share is 1; old template, 诊疗人次 and 手术):
  A  ordinary, 心内科 2021年3月: 张三 10/1, 李四 20/2
  B  one master table with a 科室 column, 2021年第二季度: 呼吸科 王五 30/3, 呼吸内科 赵六(主任医师)
     40/4, 心内科 张三（主任医师） 50/5, 合计 120/12 (a grand total: no department's)
  C  .xls, two reports stacked: 儿科 2021年7月 钱七 7/0; 填报科室：心内科 统计周期：2021年8月
     张三 8/1
  D  two tables side by side, 2021年9月: 呼吸科 王五 9/1 | 儿科 钱七 6/−1 (a negative count:
     that row of the right-hand table is rejected, not row 5 of the left-hand one)
  E  心内科 2021年10月: 张三 11/1, and 孙八 99/9 on a hidden row (not counted)
  F  心内科 2021年3月、9月: 张三 1000/100 — rejected (period_not_contiguous)
  G  填报科室：呼吸科、心内科 without a 科室 column: 周九 500/50 — rejected (several_departments)

By hand, 2021:
  心内科  total_visits 10 + 20 + 50 + 8 + 11 = 99 · surgeries 1 + 2 + 5 + 1 + 1 = 10
          staff {张三 (A, B as 张三（主任医师）, C, E), 李四} = 2
  呼吸科  total_visits 30 + 40 + 9 = 79 · surgeries 3 + 4 + 1 = 8 · staff {王五, 赵六} = 2
  儿科    total_visits 7 · surgeries 0 · staff {钱七} = 1
  pair    total_visits 99 + 79 + 7 = 185 · surgeries 18 · staff 5; other years NULL
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest
import xlsxwriter
import xlwt
from formfiles import LINXIA_TITLE, activity_sheet, write_xlsx

from pipelines.cli import run_pipeline

LINXIA = "临夏回族自治州人民医院"
HEZHENG = "和政县人民医院"
FOLDER = "临夏州人民医院/和政县人民医院/2021"
HEADER = ["姓名", "诊疗人次", "开展手术例数"]


def _xlsx_rows(path: Path, rows: list[list[object]], hidden_row: int | None = None) -> None:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    if hidden_row is not None:
        ws.set_row(hidden_row, None, None, {"hidden": True})
    book.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("misreads")
    raw, store, site = root / "raw", root / "warehouse" / "bangfu.duckdb", root / "site"
    folder = raw / FOLDER
    folder.mkdir(parents=True)
    write_xlsx(folder / "A_心内科_2021年3月.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：心内科"], header=HEADER,
        rows=[["张三", 10, 1], ["李四", 20, 2]]), mtime=dt.datetime(2021, 4, 2))
    write_xlsx(folder / "B_医务科汇总_2021年第二季度.xlsx", activity_sheet(
        period="2021年第二季度", header=["序号", "科室", *HEADER],
        rows=[[1, "呼吸科", "王五", 30, 3], [2, "呼吸内科", "赵六(主任医师)", 40, 4],
              [3, "心内科", "张三（主任医师）", 50, 5], ["", "", "合计", 120, 12]]),
        mtime=dt.datetime(2021, 7, 2))

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("7-8月")
    for r, row in enumerate([
            [LINXIA_TITLE], ["统计周期：2021年7月"], ["填报科室：儿科"], HEADER, ["钱七", 7, 0],
            [], ["填报科室：心内科"], ["统计周期：2021年8月"], HEADER, ["张三", 8, 1]]):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    book.save(str(folder / "C_两科_2021年7-8月.xls"))

    book = openpyxl.Workbook()
    ws = book.active
    for row in ([LINXIA_TITLE], ["统计周期：2021年9月"],
                ["填报科室：呼吸科", "", "", "填报科室：儿科"],
                [*HEADER, "", *HEADER], ["王五", 9, 1, "", "钱七", 6, -1]):
        ws.append(row)
    book.save(folder / "D_并排_2021年9月.xlsx")

    _xlsx_rows(folder / "E_心内科_2021年10月.xlsx", [
        [LINXIA_TITLE], ["统计周期：2021年10月"], ["填报科室：心内科"], HEADER,
        ["张三", 11, 1], ["孙八", 99, 9]], hidden_row=5)
    write_xlsx(folder / "F_心内科_两段.xlsx", activity_sheet(
        period="2021年3月、9月", labels=["填报科室：心内科"], header=HEADER,
        rows=[["张三", 1000, 100]]))
    write_xlsx(folder / "G_两科一表.xlsx", activity_sheet(
        period="2021年11月", labels=["填报科室：呼吸科、心内科"], header=HEADER,
        rows=[["周九", 500, 50]]))

    with pytest.MonkeyPatch.context() as env:
        env.setenv("BANGFU_RAW_DIR", str(raw))
        env.setenv("BANGFU_WAREHOUSE", str(store))
        env.setenv("BANGFU_SITE_DIR", str(site))
        assert run_pipeline(dg.DagsterInstance.ephemeral()).success
    return store


def query(warehouse: Path, sql: str, *parameters: object) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(parameters)).fetchall()


METRICS = ("total_visits", "surgeries", "staff_dispatched")


def test_department_values(warehouse: Path) -> None:
    rows = query(warehouse, """
        select department, metric_code, value from mart_department_trend
        where year = 2021 and metric_code in ('total_visits', 'surgeries', 'staff_dispatched')
        order by department, metric_code""")
    assert {(d, m): v for d, m, v in rows} == {
        ("儿科", "staff_dispatched"): 1, ("儿科", "surgeries"): 0, ("儿科", "total_visits"): 7,
        ("呼吸科", "staff_dispatched"): 2, ("呼吸科", "surgeries"): 8,
        ("呼吸科", "total_visits"): 79,
        ("心内科", "staff_dispatched"): 2, ("心内科", "surgeries"): 10,
        ("心内科", "total_visits"): 99,
    }


def test_pair_values(warehouse: Path) -> None:
    for metric, value in zip(METRICS, (185, 18, 5), strict=True):
        rows = query(warehouse, """
            select year, value from mart_capacity_trend
            where supporting_hospital = ? and recipient_hospital = ? and metric_code = ?
            order by year""", LINXIA, HEZHENG, metric)
        assert dict(rows) == {2018: None, 2019: None, 2020: None, 2021: value, 2022: None}


def test_statuses_and_codes(warehouse: Path) -> None:
    statuses = dict(query(warehouse, "select file_path, status from ingest_files"))
    assert {path.rsplit("/", 1)[1][0]: status for path, status in statuses.items()} == {
        "A": "accepted", "B": "accepted", "C": "accepted", "D": "partial", "E": "accepted",
        "F": "rejected", "G": "rejected"}
    issues = query(warehouse, """
        select file_path, cell, severity, code from ingest_issues order by file_path""")
    assert [(path.rsplit("/", 1)[1][0], cell, severity, code)
            for path, cell, severity, code in issues] == [
        ("D", "G5", "error", "negative_value"),
        ("E", "A6", "warning", "hidden_rows"),
        ("F", "A2", "error", "period_not_contiguous"),  # the period's cell
        ("G", None, "error", "several_departments"),
    ]


def test_issues_are_told_to_the_department_of_their_table(warehouse: Path) -> None:
    rows = query(warehouse, """
        select code, department from ingest_issues where code in ('negative_value', 'hidden_rows')
        order by code""")
    assert rows == [("hidden_rows", "心内科"), ("negative_value", "儿科")]


def test_a_person_written_with_a_title_is_one_person(warehouse: Path) -> None:
    rows = query(warehouse, """
        select person_name, person_title from raw.activity_rows
        where person_key = '张三' order by person_title nulls first""")
    assert {title for _, title in rows} == {None, "主任医师"}
    assert {name for name, _ in rows} == {"张三"}
