"""Runs over a changing raw folder, through Dagster: nothing is read twice, nothing is lost,
one bad file never stops a run, and the marts follow the folder.

  run 1  A 儿科 2020年第4季度 (old template: no 远程医疗 column): 张三 诊疗人次 10, 手术 2
         B 儿科 2021年第1季度 (2021 template): 张三 门诊 20, 远程医疗 0 (an explicit zero)
         C 产科 2021年第2季度 (2021 template): 李四 门诊 30
         and four files that cannot be read: corrupt, encrypted, empty, a PDF
  run 2  nothing changed                         → nothing read, nothing after the scan runs
  run 2b the corrupt file edited, size and mtime kept → seen by content, read again
  run 3  C edited in place (李四 门诊 30 → 35)     → only C read; its old version withdrawn
  run 4  a byte copy of A elsewhere, a corrected B (门诊 25, modified later), C removed
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import xlsxwriter
from formfiles import NEW_HEADER, activity_sheet, write_xlsx
from msoffcrypto.format.ooxml import OOXMLFile

from pipelines.cli import operator_lines, run_pipeline
from pipelines.defs.scan import scan_defs

FOLDER = "临夏州人民医院/和政县人民医院"
A = f"{FOLDER}/2020/儿科_2020年第4季度_统计表.xlsx"
B = f"{FOLDER}/2021/儿科_2021年第1季度_统计表.xlsx"
B_FIXED = f"{FOLDER}/2021/儿科_2021年第1季度_统计表_修订.xlsx"
C = f"{FOLDER}/2021/产科_2021年第2季度_统计表.xlsx"
COPY = "重复提交/儿科_2020年第4季度_统计表.xlsx"
BAD = {
    "坏文件/损坏.xlsx": "unreadable_file",
    "坏文件/加密.xlsx": "encrypted_file",
    "坏文件/空白.xlsx": "empty_file",
    "坏文件/扫描件.pdf": "unsupported_format",
}


def new_template_row(name: str, outpatient: int) -> list[object]:
    return [name, outpatient, *[0] * 13]


def write_b(raw: Path, path: str, outpatient: int, mtime: dt.datetime) -> None:
    write_xlsx(raw / path, activity_sheet(
        period="2021年第1季度", header=NEW_HEADER, rows=[new_template_row("张三", outpatient)]),
        mtime=mtime)


def write_c(raw: Path, outpatient: int, mtime: dt.datetime) -> None:
    write_xlsx(raw / C, activity_sheet(
        period="2021年第2季度", header=NEW_HEADER, rows=[new_template_row("李四", outpatient)]),
        mtime=mtime)


def write_bad_files(raw: Path) -> None:
    (raw / "坏文件").mkdir(parents=True)
    (raw / "坏文件/损坏.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    plain = io.BytesIO()
    book = xlsxwriter.Workbook(plain, {"in_memory": True})
    book.add_worksheet().write(0, 0, "姓名")
    book.close()
    with (raw / "坏文件/加密.xlsx").open("wb") as out:
        OOXMLFile(io.BytesIO(plain.getvalue())).encrypt("123456", out)
    (raw / "坏文件/空白.xlsx").write_bytes(b"")
    (raw / "坏文件/扫描件.pdf").write_bytes(b"%PDF-1.4\n%scan of the form\n")


def files_read(result: dg.ExecuteInProcessResult) -> int:
    (ledger,) = [m for m in result.asset_materializations_for_node("ingest")
                 if m.asset_key == dg.AssetKey(["raw", "file_versions"])]
    return ledger.metadata["files_read"].value


def dbt_command(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> str:
    (finished,) = [entry.user_message for entry in instance.all_logs(result.run_id)
                   if entry.user_message.startswith("Finished dbt command")]
    return finished


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(warehouse: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def statuses(warehouse: Path) -> dict[tuple[str, str], str]:
    """(path, first 8 hex of sha256) → status, for every version ever seen."""
    return {(p, s[:8]): st for p, s, st in query(
        warehouse, "select file_path, sha256, status from ingest_files")}


def by_path(warehouse: Path) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for (path, _), status in sorted(statuses(warehouse).items()):
        seen.setdefault(path, []).append(status)
    return {path: sorted(s) for path, s in seen.items()}


def yearly(warehouse: Path, metric: str) -> dict[int, float | None]:
    return dict(query(warehouse, """
        select year, value from mart_capacity_trend
        where recipient_hospital = '和政县人民医院' and metric_code = ? order by year""", metric))


def test_runs_over_a_changing_folder(bangfu_env: dict[str, Path]) -> None:
    raw, warehouse = bangfu_env["raw"], bangfu_env["warehouse"]
    instance = dg.DagsterInstance.ephemeral()
    write_xlsx(raw / A, activity_sheet(period="2020年第4季度",
                                       rows=[["张三", 10, 2, 0, 0, 0, 0, 0, 0, 0]]),
               mtime=dt.datetime(2021, 1, 5))
    write_b(raw, B, 20, dt.datetime(2021, 4, 6))
    write_c(raw, 30, dt.datetime(2021, 7, 6))
    write_bad_files(raw)

    # Run 1: every file read once; the bad ones reported by their code, the good ones loaded.
    first = run_pipeline(instance)
    assert first.success and files_read(first) == 7
    assert by_path(warehouse) == {
        A: ["accepted"], B: ["accepted"], C: ["accepted"],
        **{path: ["rejected"] for path in BAD},
    }
    assert dict(query(warehouse, "select file_path, code from ingest_issues")) == BAD
    assert yearly(warehouse, "outpatient_visits")[2021] == 50
    assert "unit_test" not in dbt_command(instance, first)  # a new warehouse: unit tests run
    parsed_at = query(warehouse, "select sha256, parsed_at from raw.parsed_files order by 1")

    # Run 2: an unchanged folder reads nothing and builds nothing. `bangfu run` looks first
    # and launches the scan job alone, which records its scan as an observation; the whole
    # job (as the nightly schedule launches it) skips every step after the scan. Neither
    # materializes a table, and the published file is as it was.
    published = digest(warehouse)
    second = run_pipeline(instance)
    assert second.success and second.job_def.name == "bangfu_scan"
    assert second.get_asset_materialization_events() == []
    (scanned,) = second.get_asset_observation_events()
    assert scanned.asset_key == dg.AssetKey(["raw", "file_versions"])
    assert scanned.event_specific_data.asset_observation.metadata["changed"].value is False
    nightly = run_pipeline(instance, look_first=False)
    assert nightly.success and nightly.get_asset_materialization_events() == []
    skipped = {e.step_key for e in nightly.all_events if e.event_type_value == "STEP_SKIPPED"}
    assert skipped == {"dbt_models", "dbt_docs", "published_warehouse", "dashboard_site"}
    assert digest(warehouse) == published

    # Run 2b: an edit that keeps the file's size and mtime (as `cp -p` of another version
    # would) is still seen: files are compared by content.
    corrupt = raw / "坏文件/损坏.xlsx"
    before = corrupt.stat()
    corrupt.write_bytes(corrupt.read_bytes()[:-1] + b"\x01")
    os.utime(corrupt, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (corrupt.stat().st_size, corrupt.stat().st_mtime_ns) == (
        before.st_size, before.st_mtime_ns)
    # Had `bangfu run` looked just before the edit, its scan job would find the change and
    # stop (run again), loading nothing.
    late = scan_defs.resolve_job_def("bangfu_scan").execute_in_process(
        instance=instance, raise_on_error=False)
    assert not late.success and "raw_folder_changed" in operator_lines(late)[0]
    assert digest(warehouse) == published
    edited = run_pipeline(instance)
    assert edited.success and files_read(edited) == 1
    assert by_path(warehouse)["坏文件/损坏.xlsx"] == ["rejected", "withdrawn"]
    # What was read before is not read again: one new content, the others as they were.
    assert set(parsed_at) < set(query(warehouse, "select sha256, parsed_at from raw.parsed_files"))

    # Run 3: one file edited in place is the only one read; its old version is withdrawn.
    write_c(raw, 35, dt.datetime(2021, 7, 20))
    third = run_pipeline(instance)
    assert third.success and files_read(third) == 1
    assert by_path(warehouse)[C] == ["accepted", "withdrawn"]
    assert yearly(warehouse, "outpatient_visits")[2021] == 55
    # The dbt project is the one whose unit tests passed: only the data is tested again.
    assert "--exclude-resource-type unit_test" in dbt_command(instance, third)

    # Run 4: a byte copy, a later correction, a removal.
    (raw / COPY).parent.mkdir(parents=True)
    shutil.copy2(raw / A, raw / COPY)
    write_b(raw, B_FIXED, 25, dt.datetime(2021, 4, 20))
    (raw / C).unlink()
    fourth = run_pipeline(instance)
    assert fourth.success and files_read(fourth) == 1  # the copy's content was read before
    found = by_path(warehouse)
    assert (found[A], found[COPY], found[B], found[B_FIXED], found[C]) == (
        ["accepted"], ["duplicate"], ["superseded"], ["accepted"], ["withdrawn", "withdrawn"])

    assert yearly(warehouse, "total_visits")[2020] == 10  # A counted once, not twice
    assert yearly(warehouse, "outpatient_visits") == {
        2018: None, 2019: None, 2020: None, 2021: 25, 2022: None}
    assert yearly(warehouse, "telemedicine") == {  # not collected in 2020; an explicit 0 in 2021
        2018: None, 2019: None, 2020: None, 2021: 0, 2022: None}
    assert yearly(warehouse, "staff_dispatched") == {
        2018: None, 2019: None, 2020: 1, 2021: 1, 2022: None}

    # Lossless: every version ever read is still in the archive, removed ones included.
    archived = query(warehouse, "select archive_path from ingest_files")
    assert len(archived) == 11  # A, copy, B, B 修订, C twice, four bad files, one edited
    for (relative,) in archived:
        assert (warehouse.parent / relative).is_file()
    assert all(r.success for r in (first, second, nightly, edited, third, fourth))

