"""Overlapping periods are judged across files, so they are judged again on every run over
every file present: a warning goes when the file that caused it goes. Through the pipeline,
on real files, two runs.

  儿科  2021年1月 and 2021年第1季度 both list 张三              → both warned; then the
                                                                   quarter is removed → none
  急诊科 2021年1月 lists another 张三 (another department)       → no overlap
  心内科 one workbook: sheets 10月, 11月 and 第四季度 list 李四    → every sheet warned
  医务科 one workbook with a sheet per department, each with a fault → each department's
                                                                   退回清单 lists its own
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
from formfiles import activity_sheet, write_xlsx

from pipelines.cli import run_pipeline

FOLDER = "临夏州人民医院/和政县人民医院/2021"
MONTH = f"{FOLDER}/儿科_2021年1月.xlsx"
QUARTER = f"{FOLDER}/儿科_2021年第1季度.xlsx"
EMERGENCY = f"{FOLDER}/急诊科_2021年1月.xlsx"
CARDIO = f"{FOLDER}/心内科_2021年第四季度.xlsx"
COMPILED = f"{FOLDER}/医务科汇总_2021年8月.xlsx"


def person(name: str, visits: object = 10, surgeries: object = 0) -> list[object]:
    return [name, visits, surgeries, 0, 0, 0, 0, 0, 0, 0]


def write_corpus(raw: Path) -> None:
    write_xlsx(raw / MONTH, activity_sheet(period="2021年1月", labels=["填报科室：儿科"],
                                           rows=[person("张三")]))
    write_xlsx(raw / QUARTER, activity_sheet(period="2021年第1季度", labels=["填报科室：儿科"],
                                             rows=[person("张三", 30)]))
    write_xlsx(raw / EMERGENCY, activity_sheet(period="2021年1月", labels=["填报科室：急诊科"],
                                               rows=[person("张三")]))
    write_xlsx(raw / CARDIO, *[
        activity_sheet(period=period, labels=["填报科室：心内科"], rows=[person("李四")],
                       name=name)
        for name, period in [("10月", "2021年10月"), ("11月", "2021年11月"),
                             ("第四季度", "2021年第四季度")]
    ])
    write_xlsx(raw / COMPILED, *[
        activity_sheet(period="2021年8月", labels=[f"填报科室：{department}"], rows=[row],
                       name=department)
        for department, row in [("心内科", person("夏军", 10, -2)),
                                ("儿科", person("李娜", "见附件"))]
    ])


def overlaps(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            """select file_path, sheet, cell from ingest_issues
               where code = 'overlapping_period' order by all""").fetchall()


def test_overlaps_follow_the_folder_and_lists_their_department(
        bangfu_env: dict[str, Path]) -> None:
    raw, warehouse = bangfu_env["raw"], bangfu_env["warehouse"]
    instance = dg.DagsterInstance.ephemeral()
    write_corpus(raw)

    assert run_pipeline(instance).success
    assert overlaps(warehouse) == [
        (MONTH, "Sheet1", "A5"), (QUARTER, "Sheet1", "A5"),
        (CARDIO, "10月", "A5"), (CARDIO, "11月", "A5"), (CARDIO, "第四季度", "A5"),
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (message,) = con.execute("select message from ingest_issues where code = "
                                 "'overlapping_period' and file_path = ?", [MONTH]).fetchone()
    assert QUARTER in message and "2021-01-01至2021-03-31" in message
    assert_each_department_is_told_its_own(bangfu_env)

    (raw / QUARTER).unlink()
    assert run_pipeline(instance).success
    # 儿科's overlap went with the quarter; the workbook's own overlaps are still there.
    assert overlaps(warehouse) == [
        (CARDIO, "10月", "A5"), (CARDIO, "11月", "A5"), (CARDIO, "第四季度", "A5")]


def assert_each_department_is_told_its_own(bangfu_env: dict[str, Path]) -> None:
    """The workbook with a sheet per department: each 退回清单 lists its own sheet's fault."""
    with duckdb.connect(str(bangfu_env["warehouse"]), read_only=True) as con:
        departments = con.execute("select sheet, department, code from ingest_issues "
                                  "where file_path = ? order by sheet", [COMPILED]).fetchall()
    assert departments == [("儿科", "儿科", "non_numeric_value"),
                           ("心内科", "心内科", "negative_value")]
    lists = {path.name: path for path in bangfu_env["site"].rglob("退回清单_*.xlsx")}
    assert "退回清单_儿科、心内科.xlsx" not in lists
    for department, cell in [("心内科", "C5"), ("儿科", "B5")]:
        sheet = openpyxl.load_workbook(lists[f"退回清单_{department}.xlsx"]).active
        listed = [row for row in sheet.iter_rows(values_only=True) if row[0] == COMPILED]
        assert [(row[1], row[2]) for row in listed] == [(department, cell)]
