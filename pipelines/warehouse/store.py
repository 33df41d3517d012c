"""The DuckDB warehouse: one writer at a time, a working copy per run, atomic publishing.

A run copies the published file to `<warehouse>.building`, loads and builds there, and
renames it over the published file only when everything passed. Readers of the published
file are never blocked by a run and never see a half-built warehouse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import duckdb
import polars as pl

from pipelines.errors import OperatorError, environment_errors
from pipelines.settings import Settings
from pipelines.warehouse import build_record, ledger
from pipelines.warehouse.manifest import KnownVersion, Scan
from pipelines.warehouse.raw_schema import raw_ddl
from pipelines.warehouse.reviews import records_review_actions

# Folders a run assembles in beside the warehouse (the site's extra sections).
STAGING_PREFIX = ".staging-"


@contextlib.contextmanager
def exclusive_run(settings: Settings, run_id: str = "",
                  say: Callable[[str], None] = print) -> Iterator[str | None]:
    """Hold the warehouse's run lock: a second run (the schedule, the sensor, `bangfu run`)
    waits here instead of writing the same files at the same time, says so, and gives up
    after `settings.lock_timeout_seconds`. Yields the id of the run that held the lock last
    if it never released it (it was killed), for its record to be closed."""
    with environment_errors(settings.warehouse_dir):
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        lock = (settings.warehouse_dir / ".run.lock").open("a+")
    with lock:
        if not _try_lock(lock):
            say(f"bangfu: 另一次运行正在使用 {settings.warehouse_dir}，等待其结束"
                f"（最多 {settings.lock_timeout_seconds:g} 秒）")
            deadline = time.monotonic() + settings.lock_timeout_seconds
            while not _try_lock(lock):
                if time.monotonic() > deadline:
                    raise OperatorError(
                        "run_lock_timeout",
                        f"等待另一次运行超过 {settings.lock_timeout_seconds:g} 秒，本次放弃。"
                        f"请确认 {settings.warehouse_dir} 上没有卡住的运行，或调大 "
                        "BANGFU_LOCK_TIMEOUT_SECONDS；已发布的数据库和网站未改动")
                time.sleep(1)
        lock.seek(0)
        previous = lock.read().strip() or None
        lock.seek(0)
        lock.truncate()
        lock.write(run_id)
        lock.flush()
        try:
            yield previous if previous != run_id else None
            lock.seek(0)
            lock.truncate()  # released cleanly: nothing for the next run to close
            lock.flush()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _try_lock(lock) -> bool:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def remove_leftovers(settings: Settings) -> list[Path]:
    """What a killed run leaves of the warehouse: its working copy and WAL, its staging
    folders, the annotated copies it had not finished (the site's leftovers are the site
    builder's: dashboards.site_folder). Called with the run lock held, so nothing here belongs
    to a live run."""
    working = settings.working_warehouse
    removed = [p for p in (working, working.with_name(working.name + ".wal")) if p.exists()]
    discard_working_copy(settings)
    for folder in settings.warehouse_dir.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    # Annotated copies a killed run was writing (a copy is named only once it is whole).
    for copy in settings.annotated_dir.glob("*/.*"):
        copy.unlink(missing_ok=True)
        removed.append(copy)
    return removed


def start_working_copy(settings: Settings) -> Path:
    """A fresh working copy of the published warehouse (an empty one the first time);
    leftovers of a failed run are discarded."""
    working = settings.working_warehouse
    with environment_errors(settings.warehouse_dir):
        working.parent.mkdir(parents=True, exist_ok=True)
        discard_working_copy(settings)
        if settings.warehouse.exists():
            shutil.copyfile(settings.warehouse, working)
        with duckdb.connect(str(working)) as con:
            con.execute(raw_ddl())
    return working


def discard_working_copy(settings: Settings) -> None:
    """A refused run leaves nothing behind."""
    working = settings.working_warehouse
    for leftover in (working, working.with_name(working.name + ".wal")):
        leftover.unlink(missing_ok=True)
    build_record.discard_pending(settings)


def publish(settings: Settings) -> Path | None:
    """Atomically replace the published warehouse with the working copy, if this run made
    one and dbt built it (a run starts by removing what earlier ones left): the publish
    step alone, or after ingest without dbt, has nothing to publish and leaves the
    published warehouse as it is."""
    working = settings.working_warehouse
    record = build_record.pending(settings)
    if not working.exists() or record is None:
        return None
    with duckdb.connect(str(working)) as con:
        con.execute("checkpoint")
    os.replace(working, settings.warehouse)
    build_record.published(settings, record)
    return settings.warehouse


def known_versions(database: Path) -> dict[str, KnownVersion]:
    """The present version of every path, as the ledger last saw it."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select file_path, sha256, size_bytes, modified_at, archive_path "
            "from raw.file_versions where is_present"
        ).fetchall()
    return {path: KnownVersion(*version) for path, *version in rows}


def parsed_sha256s(database: Path, reader_version: str) -> set[str]:
    """Contents already read by this version of the reader."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select sha256 from raw.parsed_files where reader_version = ?", [reader_version]
        ).fetchall()
    return {sha for (sha,) in rows}


def records_scan(database: Path, scan: Scan, reader_version: str,
                 review_actions: pl.DataFrame) -> bool:
    """Whether the warehouse already records exactly this scan: the same present versions
    (path, content, size, mtime), every content read under this reader key, and the same
    files not read, for the same reasons; and the portal's review actions."""
    with duckdb.connect(str(database), read_only=True) as con:
        if not records_review_actions(con, review_actions):
            return False
        con.register("scanned", scan.files)
        con.register("skipped", scan.skipped)
        (differences,) = con.execute(
            ledger.SCAN_DIFFERENCES.format(raw="raw", reader="$reader"),
            {"reader": reader_version},
        ).fetchone()
    return differences == 0


def registry_source(database: Path) -> tuple[str, str] | None:
    """The digest and source of the registry the warehouse was built from (None before it
    had one)."""
    with duckdb.connect(str(database), read_only=True) as con:
        try:
            return con.execute("select digest, source from raw.registry_source").fetchone()
        except duckdb.CatalogException:
            return None


def record_scan(database: Path, scan: Scan, run_started_at: dt.datetime,
                whole_tables: Mapping[str, pl.DataFrame] | None = None) -> dict[str, int]:
    """Record the scan in the ledger and replace the tables given whole (the registry's, the
    portal's review actions), in one transaction; their rows loaded, by table."""
    with duckdb.connect(str(database)) as con:
        con.execute("begin")
        _record_scan(con, scan.files, run_started_at)
        # What the folder holds that is not read is as the latest scan saw it.
        con.execute("delete from raw.skipped_files")
        con.register("skipped", scan.skipped)
        con.execute("insert into raw.skipped_files select *, $now from skipped",
                    {"now": run_started_at})
        con.unregister("skipped")
        counts = {}
        for table, frame in (whole_tables or {}).items():
            con.execute(f"delete from raw.{table}")
            counts[table] = _insert(con, table, frame)
        con.execute("commit")
    return counts


def add_read(database: Path, tables: Mapping[str, pl.DataFrame]) -> dict[str, int]:
    """Add the tables of what was read (raw table name → rows, `parsed_files` among them),
    in one transaction; their rows, by table. Contents read now replace whatever a reader of
    another key made of them."""
    with duckdb.connect(str(database)) as con:
        con.execute("begin")
        con.register("batch_shas", tables["parsed_files"].select("sha256"))
        counts = {}
        for table, rows in tables.items():
            con.execute(f"delete from raw.{table} where sha256 in (select sha256 from batch_shas)")
            counts[table] = _insert(con, table, rows.rechunk())
        con.execute("commit")
    return counts


def record_copies(database: Path, copies: pl.DataFrame) -> None:
    """Each content's annotated copy (sha256, annotated_copy, annotation_note), as made after
    its rows were loaded."""
    with duckdb.connect(str(database)) as con:
        con.register("copies", copies)
        con.execute(ledger.RECORD_COPIES.format(raw="raw"))


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    con.register("incoming", frame)
    columns = ", ".join(frame.columns)
    con.execute(f"insert into raw.{table} ({columns}) select {columns} from incoming")
    con.unregister("incoming")
    return frame.height


def _record_scan(con: duckdb.DuckDBPyConnection, manifest: pl.DataFrame,
                 run_started_at: dt.datetime) -> None:
    """Upsert every version seen now; every other version is no longer present (withdrawn)."""
    con.register("scanned", manifest)
    upsert, withdraw = ledger.RECORD_SCAN
    con.execute(upsert.format(raw="raw", now="$now"), {"now": run_started_at})
    con.execute(withdraw.format(raw="raw"))
    con.unregister("scanned")
