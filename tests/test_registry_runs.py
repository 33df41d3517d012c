"""The registry as an operator keeps it, through `bangfu run` (issue 22, acceptance 1):

  init   `bangfu registry init`; the operator adds a pair with openpyxl (two hospitals, an
         alias, a department and its alias, 应报科室 weekly) and sends a weekly form of it, and
         a form of a pair nobody registered yet
  run 1  the new pair's marts hold its form's values; the other form is unknown_hospital
  run 2  the operator registers that pair: the form is read again, untouched, and counts
  run 3  a target edited, nothing else: the run is not a no-op, and reads no file
  refuse a registry with errors: `registry check` exits 1 with 错误 lines by sheet and cell,
         `bangfu run` exits 2 with one line, the published warehouse and site untouched;
         and so does a run whose workbook is gone
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest
from formfiles import NEW_HEADER, OLD_HEADER, activity_sheet, write_xlsx

from pipelines.cli import main, run_pipeline

NEW_PAIR = ("杭州市第一人民医院", "淳安县第一人民医院")
LATER_PAIR = ("宁波市第二医院", "象山县第一人民医院")
NEW_FORM = "杭州市第一人民医院/淳安一院/2021/老年医学科_2021年第9周.xlsx"
LATER_FORM = "宁波/象山/儿科_2021年3月.xlsx"


def query(warehouse: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def fingerprint(*roots: Path) -> dict[str, str]:
    files = [p for root in roots for p in ([root] if root.is_file() else sorted(root.rglob("*")))]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


def edit(path: Path, **rows: list[list[object]]) -> None:
    """Append rows to the registry workbook's sheets, as an operator would in Excel."""
    book = openpyxl.load_workbook(path)
    for sheet, new_rows in rows.items():
        for row in new_rows:
            book[sheet].append(row)
    book.save(path)


def files_read(result: dg.ExecuteInProcessResult) -> int:
    (ledger,) = [m for m in result.asset_materializations_for_node("ingest")
                 if m.asset_key == dg.AssetKey(["raw", "file_versions"])]
    return ledger.metadata["files_read"].value


def status(warehouse: Path, path: str) -> tuple[str, str | None, str | None]:
    (row,) = query(warehouse, """
        select f.status, f.supporting_hospital, f.recipient_hospital from ingest_files f
        where f.file_path = ? and f.status != 'withdrawn'""", path)
    return row


def test_the_operator_registers_pairs_and_every_file_follows(
        bangfu_env: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    raw, warehouse, site, registry = (bangfu_env[k] for k in ("raw", "warehouse", "site",
                                                              "registry"))
    assert main(["registry", "init"]) == 0
    edit(registry,
         医院=[[NEW_PAIR[0], "三级", "浙江省"], [NEW_PAIR[1], "二级", "浙江省"]],
         医院别名=[["淳安一院", NEW_PAIR[1]]],
         帮扶关系=[[*NEW_PAIR, None, None, "杭州一院帮扶淳安一院"]],
         科室=[["老年病科", "临床"]],
         科室别名=[["老年医学科", "老年病科"]],
         应报科室=[[*NEW_PAIR, "老年病科", 2021, 2022, "周", "3"]])
    assert main(["registry", "check"]) == 0
    # A weekly form of the new pair (ISO week 9 of 2021), naming the recipient by its alias
    # and the department by its alias; and a form of a pair not registered yet.
    write_xlsx(raw / NEW_FORM, activity_sheet(
        title="杭州市第一人民医院对口支援淳安一院工作统计表", period="2021年3月1日至2021年3月7日",
        labels=["科室：老年医学科"], header=NEW_HEADER,
        rows=[["王五", 12, 3, 1, *[0] * 11]]))
    write_xlsx(raw / LATER_FORM, activity_sheet(
        title="宁波市第二医院对口支援象山县第一人民医院工作统计表", period="2021年3月",
        labels=["科室：儿科"], header=OLD_HEADER, rows=[["赵六", 7, 1, *[0] * 7]]))
    later_bytes = (raw / LATER_FORM).read_bytes()
    later_mtime = (raw / LATER_FORM).stat().st_mtime_ns

    # Run 1.
    assert main(["run"]) == 0
    assert status(warehouse, NEW_FORM) == ("accepted", *NEW_PAIR)
    trend = dict(query(warehouse, """
        select metric_code, value from mart_capacity_trend
        where supporting_hospital = ? and recipient_hospital = ? and year = 2021""", *NEW_PAIR))
    assert trend["outpatient_visits"] == 12 and trend["emergency_visits"] == 3
    assert trend["total_visits"] == 15 and trend["staff_dispatched"] == 1
    assert query(warehouse, """
        select department, value from mart_department_trend
        where recipient_hospital = ? and metric_code = 'total_visits' and year = 2021""",
                 NEW_PAIR[1]) == [("老年病科", 15.0)]
    # 应报科室: weekly, March only: the ISO weeks whose Thursday is in March (2021: 4 March
    # to 25 March; 2022: 3 March to 31 March).
    expected = query(warehouse, """
        select year, period_of_year, period_label, status from mart_expected_reports
        where recipient_hospital = ? order by year, period_of_year""", NEW_PAIR[1])
    assert [row[:2] for row in expected] == [(2021, w) for w in (9, 10, 11, 12)] + [
        (2022, w) for w in (9, 10, 11, 12, 13)]
    assert expected[0][2:] == ("2021年第9周", "accepted")
    assert {row[3] for row in expected[1:]} == {"missing"}
    assert query(warehouse, """
        select programme_name_zh, supporting_province, recipient_province from mart_pairs
        where recipient_hospital = ?""", NEW_PAIR[1]) == [
            ("杭州一院帮扶淳安一院", "浙江省", "浙江省")]
    assert status(warehouse, LATER_FORM) == ("rejected", None, None)
    assert query(warehouse, "select code from ingest_issues where file_path = ?",
                 LATER_FORM) == [("unknown_hospital",)]

    # Run 2: the operator registers the other pair; the form is not sent again.
    edit(registry,
         医院=[[LATER_PAIR[0], "三级", "浙江省"], [LATER_PAIR[1], "二级", "浙江省"]],
         帮扶关系=[[*LATER_PAIR, None, None, None]])
    assert main(["run"]) == 0
    assert (raw / LATER_FORM).read_bytes() == later_bytes
    assert (raw / LATER_FORM).stat().st_mtime_ns == later_mtime
    assert status(warehouse, LATER_FORM) == ("accepted", *LATER_PAIR)
    assert query(warehouse, "select code from ingest_issues where file_path = ?", LATER_FORM) == []
    assert query(warehouse, """
        select value from mart_capacity_trend where recipient_hospital = ?
        and metric_code = 'total_visits' and year = 2021""", LATER_PAIR[1]) == [(7.0,)]
    assert {row[0] for row in query(warehouse, "select hospital_name from mart_hospitals")} >= {
        *NEW_PAIR, *LATER_PAIR}

    # Run 3: a target added, nothing else: a run, not a no-op, that reads no file again.
    edit(registry, 目标=[["new_pair_visits", *NEW_PAIR, "年诊疗人次不少于10", "total_visits", ">=",
                        10, 2021, 2021, "测试"]])
    third = run_pipeline(dg.DagsterInstance.ephemeral())
    assert third.success and files_read(third) == 0
    assert query(warehouse, """
        select status from mart_target_attainment
        where target_code = 'new_pair_visits' and year = 2021""") == [("met",)]

    # A registry with errors: checked, then refused; what was published stays as it was.
    edit(registry, 帮扶关系=[["未登记的医院", NEW_PAIR[1], "2021-13-01", None, None]])
    capsys.readouterr()
    assert main(["registry", "check"]) == 1
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("错误")]
    assert errors == [
        "错误 · 帮扶关系 · A6 · 支援医院“未登记的医院”不在“医院”表中，请先在“医院”表中登记",
        "错误 · 帮扶关系 · C6 · 开始日期：“2021-13-01”不是日期，请写成 2022-01-01 这样的日期",
    ]
    before = fingerprint(warehouse, site)
    assert main(["run"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("bangfu: 登记表 ") and "有 2 处错误" in line
    assert line.endswith("（registry_invalid）")
    assert fingerprint(warehouse, site) == before
    assert main(["registry", "init"]) == 2
    assert "已存在" in capsys.readouterr().err

    # The workbook gone (moved, an unmounted share): not silently the built-in registry,
    # which would reject both new pairs' files.
    registry.rename(registry.with_name("搬走了.xlsx"))
    assert main(["run"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"bangfu: 登记表 {registry} 不存在") and line.endswith(
        "（registry_missing）")
    assert fingerprint(warehouse, site) == before
