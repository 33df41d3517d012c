"""Everything in the raw folder is recorded, whatever its name, and what is archived is what
was hashed: names in GBK bytes, hidden and system files, links (never followed), files still
being written, edits that keep size and mtime."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from formfiles import activity_sheet, write_xlsx

from pipelines.cli import main, run_pipeline
from pipelines.warehouse import manifest

FOLDER = "临夏州人民医院/和政县人民医院"
GBK_NAME = os.fsdecode("儿科_2021年3月_统计表.xlsx".encode("gbk"))
ESCAPED = "儿科_2021年3月_统计表.xlsx".encode("gbk").decode("utf-8", "backslashreplace")


def form(path: Path, department: str, visits: int) -> Path:
    return write_xlsx(path, activity_sheet(
        period="2021年3月", labels=[f"填报科室：{department}"],
        rows=[["张三", visits, 0, 0, 0, 0, 0, 0, 0, 0]]), mtime=dt.datetime(2021, 4, 2))


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("raw_folder")
    raw, warehouse, site = root / "raw", root / "warehouse" / "bangfu.duckdb", root / "site"
    outside = root / "outside"
    form(outside / "外部_统计表.xlsx", "外科", 99)
    form(raw / FOLDER / "心内科_2021年3月_统计表.xlsx", "心内科", 10)
    form(raw / FOLDER / GBK_NAME, "儿科", 20)
    (raw / FOLDER / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (raw / FOLDER / "~$心内科_2021年3月_统计表.xlsx").write_bytes(b"lock")
    (raw / ".git").mkdir()
    (raw / ".git" / "config").write_text("[core]\n")
    (raw / "链接_passwd.xlsx").symlink_to("/etc/passwd")
    (raw / "链接_外部.xlsx").symlink_to(outside / "外部_统计表.xlsx")
    (raw / "链接_文件夹").symlink_to(outside, target_is_directory=True)
    os.mkfifo(raw / "管道.csv")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BANGFU_RAW_DIR", str(raw))
        env.setenv("BANGFU_WAREHOUSE", str(warehouse))
        env.setenv("BANGFU_SITE_DIR", str(site))
        assert run_pipeline(dg.DagsterInstance.ephemeral()).success
    return {"raw": raw, "warehouse": warehouse, "outside": outside}


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_good_files_are_loaded_whatever_their_name(folder_run) -> None:
    files = dict(query(folder_run["warehouse"], "select file_path, status from ingest_files"))
    assert files == {f"{FOLDER}/心内科_2021年3月_统计表.xlsx": "accepted",
                     f"{FOLDER}/{ESCAPED}": "accepted"}
    assert "\\x" in ESCAPED and manifest.disk_name(f"{FOLDER}/{ESCAPED}") == f"{FOLDER}/{GBK_NAME}"
    assert query(folder_run["warehouse"], """
        select department, sum(value) from mart_department_trend
        where metric_code = 'total_visits' and year = 2021 group by all order by 1""") == [
        ("儿科", 20), ("心内科", 10)]


def test_what_is_not_read_is_recorded_with_its_code(folder_run) -> None:
    skipped = dict(query(folder_run["warehouse"],
                         "select file_path, code from ingest_skipped_files"))
    assert skipped == {
        f"{FOLDER}/.DS_Store": "hidden_file",
        f"{FOLDER}/~$心内科_2021年3月_统计表.xlsx": "hidden_file",
        ".git/": "hidden_file",
        "链接_passwd.xlsx": "symbolic_link",
        "链接_外部.xlsx": "symbolic_link",
        "链接_文件夹": "symbolic_link",
        "管道.csv": "unsupported_format",
    }
    (message,) = query(folder_run["warehouse"], "select message from ingest_skipped_files "
                                                "where file_path = '链接_passwd.xlsx'")
    assert "/etc/passwd" in message[0] and "不跟随链接" in message[0]


def test_links_are_never_followed_into_the_archive(folder_run) -> None:
    archive = folder_run["warehouse"].parent / "archive"
    archived = {hashlib.sha256(p.read_bytes()).hexdigest()
                for p in archive.rglob("*") if p.is_file()}
    outside = hashlib.sha256((folder_run["outside"] / "外部_统计表.xlsx").read_bytes()).hexdigest()
    passwd = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    assert len(archived) == 2 and not {outside, passwd} & archived
    for path in archive.rglob("*"):  # what was hashed is what is archived, readable by the group
        assert stat.S_IMODE(path.stat().st_mode) == (0o750 if path.is_dir() else 0o640)
        if path.is_file():
            assert path.name.startswith(hashlib.sha256(path.read_bytes()).hexdigest())


def test_check_on_a_gbk_named_file(folder_run, capsys) -> None:
    path = folder_run["raw"] / FOLDER / GBK_NAME
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "共检查 1 个文件：1 个通过" in out and "错误 0 条" in out
    assert "Traceback" not in out + err


def test_young_files_wait_and_old_versions_stay(tmp_path: Path) -> None:
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    form(raw / "a.xlsx", "儿科", 1)
    first = manifest.scan(raw, warehouse, settle_seconds=60, now=os.stat(raw / "a.xlsx").st_ctime)
    assert first.files.height == 0 and first.skipped["code"].to_list() == ["file_not_settled"]
    assert "将在下次运行时读取" in first.skipped["message"][0]

    later = os.stat(raw / "a.xlsx").st_ctime + 61
    settled = manifest.scan(raw, warehouse, settle_seconds=60, now=later)
    (version,) = settled.files.iter_rows(named=True)
    known = {"a.xlsx": manifest.KnownVersion(version["sha256"], version["size_bytes"],
                                              version["modified_at"], version["archive_path"])}
    form(raw / "a.xlsx", "儿科", 2)  # rewritten just now: the version read before stays present
    again = manifest.scan(raw, warehouse, known, settle_seconds=60,
                          now=os.stat(raw / "a.xlsx").st_ctime)
    assert again.files.rows() == settled.files.rows()
    assert again.skipped["code"].to_list() == ["file_not_settled"]


def test_a_file_that_changes_while_copied_waits(tmp_path: Path, monkeypatch) -> None:
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    form(raw / "a.xlsx", "儿科", 1)
    hashed = manifest.content_hash

    def then_appended(path: Path):
        result = hashed(path)
        with path.open("ab") as fh:  # the sender's copy goes on after the hash
            fh.write(b"more")
        return result

    monkeypatch.setattr(manifest, "content_hash", then_appended)
    growing = manifest.scan(raw, warehouse)
    assert growing.files.height == 0 and growing.skipped["code"].to_list() == ["file_not_settled"]
    assert not [p for p in (warehouse / "archive").rglob("*") if p.is_file()]


def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path: Path) -> None:
    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    (raw).mkdir()
    path = raw / "a.csv"
    path.write_text("姓名,诊疗人次\n张三,10\n", encoding="utf-8")
    before = os.stat(path)
    first = manifest.scan(raw, warehouse)
    path.write_text("姓名,诊疗人次\n张三,90\n", encoding="utf-8")  # what cp -p / rsync -t do
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    (version,) = first.files.iter_rows(named=True)
    known = {"a.csv": manifest.KnownVersion(version["sha256"], version["size_bytes"],
                                             version["modified_at"], version["archive_path"])}
    second = manifest.scan(raw, warehouse, known)
    assert second.files["sha256"][0] != first.files["sha256"][0]
    assert second.files["sha256"][0] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_names_are_recorded_reversibly() -> None:
    for name in [GBK_NAME, "a\\b.xlsx", "a\\xb6.xlsx", "普通.xlsx", f"{GBK_NAME}\\x"]:
        recorded = manifest.recorded_name(name)
        recorded.encode("utf-8")  # always storable
        assert manifest.disk_name(recorded) == name
