"""Refusing what would destroy: a raw folder that is not there, or a run that would withdraw
most files, stops `bangfu run` with one line and a non-zero exit, and the published
warehouse and site stay byte for byte as they were."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
from pathlib import Path

import polars as pl
import pytest

from pipelines import digests
from pipelines.cli import main
from pipelines.errors import OperatorError, environment_errors
from pipelines.settings import Settings
from pipelines.warehouse import build_record, store
from pipelines.warehouse.manifest import MANIFEST_SCHEMA, SKIPPED_SCHEMA, Scan, check_withdrawals


def fingerprint(*roots: Path) -> dict[str, str]:
    """sha256 of every file under the roots (the published warehouse, the site)."""
    files = [p for root in roots for p in ([root] if root.is_file() else sorted(root.rglob("*")))]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


@pytest.fixture
def published(bangfu_env: dict[str, Path]) -> dict[str, Path]:
    """A published warehouse whose ledger holds four present files, and a site beside it
    (made directly, without a run: the refusals come before anything is read)."""
    settings = Settings.from_env()
    manifest = pl.DataFrame([
        {"file_path": f"医院/{name}.xlsx", "sha256": f"{i:064x}", "size_bytes": 10,
         "modified_at": dt.datetime(2022, 1, 1), "archive_path": f"archive/{i:064x}.xlsx"}
        for i, name in enumerate("甲乙丙丁")
    ], schema=MANIFEST_SCHEMA)
    working = store.start_working_copy(settings)
    store.record_scan(working, Scan(manifest, pl.DataFrame(schema=SKIPPED_SCHEMA)),
                      dt.datetime(2022, 1, 2))
    build_record.write_pending(settings, "a build of these four files", {},  # as dbt would
                               digests.dbt_project_digest())
    assert store.publish(settings) == settings.warehouse
    (bangfu_env["site"]).mkdir()
    (bangfu_env["site"] / "index.html").write_text("<html>已发布</html>", encoding="utf-8")
    for name in "甲乙":  # two of the four are still there
        (bangfu_env["raw"] / "医院").mkdir(exist_ok=True)
        (bangfu_env["raw"] / "医院" / f"{name}.xlsx").write_bytes(b"x")
    return bangfu_env


def refused(env: dict[str, Path], capsys: pytest.CaptureFixture, *args: str) -> str:
    before = fingerprint(env["warehouse"], env["site"])
    assert main(["run", *args]) == 2
    err = capsys.readouterr().err
    assert fingerprint(env["warehouse"], env["site"]) == before
    assert not Settings.from_env().working_warehouse.exists()
    (line,) = [line for line in err.splitlines() if line.startswith("bangfu: 拒绝运行")]
    return line


def test_a_missing_raw_folder_is_refused(published, capsys, monkeypatch) -> None:
    monkeypatch.setenv("BANGFU_RAW_DIR", str(published["raw"].parent / "未挂载"))
    line = refused(published, capsys)
    assert "不存在" in line and "raw_folder_missing" in line and "未挂载" in line


def test_a_raw_folder_that_is_a_file_is_refused(published, capsys, monkeypatch) -> None:
    not_a_folder = published["raw"].parent / "raw.txt"
    not_a_folder.write_text("x")
    monkeypatch.setenv("BANGFU_RAW_DIR", str(not_a_folder))
    assert "raw_folder_not_a_folder" in refused(published, capsys)


def test_withdrawing_more_than_half_needs_the_operators_word(published, capsys) -> None:
    (published["raw"] / "医院" / "乙.xlsx").unlink()  # three of four would be withdrawn
    line = refused(published, capsys)
    assert "mass_withdrawal" in line and "撤回 3 个文件" in line and "--accept-withdrawals" in line


def test_environment_errors_are_one_line_saying_what_to_do() -> None:
    with pytest.raises(OperatorError) as raised, environment_errors(Path("/srv/bangfu")):
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/bangfu/bangfu.duckdb")
    assert raised.value.code == "disk_full"
    assert raised.value.line == ("无法写入 /srv/bangfu/bangfu.duckdb：磁盘已满。请清理磁盘空间后"
                                 "重新运行；已发布的数据库和网站未改动（disk_full）")
    with pytest.raises(OperatorError) as raised, environment_errors(Path("/srv/bangfu")):
        raise OSError(errno.EROFS, "Read-only file system", "/srv/bangfu/archive")
    assert raised.value.code == "folder_read_only" and "\n" not in raised.value.line
    with pytest.raises(KeyError), environment_errors(Path("/srv/bangfu")):
        raise KeyError("a bug stays a bug, with its traceback")


def test_a_waiting_run_says_so_and_gives_up(bangfu_env) -> None:
    settings = dataclasses.replace(Settings.from_env(), lock_timeout_seconds=1.5)
    said: list[str] = []
    with store.exclusive_run(settings, "run-a") as killed:
        assert killed is None
        with pytest.raises(OperatorError) as raised, store.exclusive_run(settings, "run-b",
                                                                         said.append):
            pass
    assert raised.value.code == "run_lock_timeout" and "1.5 秒" in raised.value.line
    assert said and "等待其结束" in said[0]
    # A run killed while holding the lock leaves its id in the lock file: the next one sees it.
    (settings.warehouse_dir / ".run.lock").write_text("run-killed")
    with store.exclusive_run(settings, "run-c") as killed:
        assert killed == "run-killed"
    with store.exclusive_run(settings, "run-d") as killed:
        assert killed is None  # run-c released it cleanly


def test_the_operators_word_lets_withdrawals_through() -> None:
    check_withdrawals(present_before=4, withdrawn=3, accepted=True)
    check_withdrawals(present_before=4, withdrawn=2, accepted=False)  # half is not more
    with pytest.raises(OperatorError):
        check_withdrawals(present_before=4, withdrawn=3, accepted=False)
