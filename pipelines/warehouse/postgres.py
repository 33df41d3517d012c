"""The PostgreSQL warehouse: the same raw tables, seeds, intermediates and marts as the DuckDB
file, in schemas `raw`, `seeds`, `intermediate` and `main` of one database.

Write-audit-publish: a run loads and builds in schemas of its own (`raw__build`, …, `main__build`:
the published raw tables copied first, then the new rows added with COPY, then dbt builds and
tests there), and publishing swaps them for the published schemas in one transaction (rename,
grants and row-level security re-applied, old schemas dropped). The swap first takes every
published table's ACCESS EXCLUSIVE lock, so a reader's open transaction keeps reading the old
warehouse to its end and the swap waits for it; readers that come later see the new one. A
failed or killed run leaves its build schemas behind, never a change to the published ones;
the next run drops them. Runs take turns through an advisory lock held for the whole run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from pipelines.errors import OperatorError
from pipelines.warehouse import ledger
from pipelines.warehouse.access import CONTROL_SCHEMA
from pipelines.warehouse.access import apply as apply_access
from pipelines.warehouse.location import WarehouseLocation
from pipelines.warehouse.manifest import KnownVersion, Scan
from pipelines.warehouse.raw_schema import ENGINE_TYPES, RAW_SCHEMA, raw_ddl, raw_tables
from pipelines.warehouse.reviews import TABLE as REVIEW_ACTIONS

# The published schemas, swapped together; a run's own are these with BUILD_SUFFIX (dbt's
# generate_schema_name and sources.yml add it from BANGFU_SCHEMA_SUFFIX).
PUBLISHED_SCHEMAS = (RAW_SCHEMA, "seeds", "intermediate", "main")
BUILD_SUFFIX = "__build"
RETIRED_SUFFIX = "__retired"
# What a build was made from (pipelines/warehouse/build_record.py), a table of the raw schema
# so that it is published in the same transaction as the warehouse it describes.
BUILD_RECORD_TABLE = "build_record"
# The advisory lock every run of this warehouse takes: advisory locks are cluster-wide, so
# its key is this class and the database's name, hashed (two warehouses of one cluster do not
# wait for each other).
_LOCK_CLASS = 0x62616E67  # "bang"
# A publish that meets a reader in a lock cycle is retried this many times.
_PUBLISH_ATTEMPTS = 5


def build_schema(schema: str) -> str:
    return schema + BUILD_SUFFIX


def connect(location: WarehouseLocation, **options: Any) -> psycopg.Connection:
    """A connection to the warehouse's database (the password from PGPASSWORD or ~/.pgpass,
    as libpq finds it); an unreachable server is the operator's one line."""
    try:
        return psycopg.connect(location.dsn, application_name="bangfu", **options)
    except psycopg.OperationalError as error:
        raise OperatorError(
            "warehouse_unreachable",
            f"无法连接数据仓库 {location.describe()}：{str(error).strip().splitlines()[-1]}。"
            "请检查服务器是否在运行、地址和口令（PGPASSWORD 或 ~/.pgpass）") from error


def _schema_exists(con: psycopg.Connection, schema: str) -> bool:
    return con.execute("select 1 from pg_namespace where nspname = %s", [schema]).fetchone() \
        is not None


def _table_exists(con: psycopg.Connection, schema: str, table: str) -> bool:
    return con.execute("select to_regclass(%s) is not null",
                       [f'"{schema}"."{table}"']).fetchone()[0]


def published_exists(location: WarehouseLocation) -> bool:
    """Whether a run has published a warehouse in this database."""
    with connect(location) as con:
        return _table_exists(con, RAW_SCHEMA, "file_versions")


# The run lock ---------------------------------------------------------------------------

@contextlib.contextmanager
def exclusive_run(location: WarehouseLocation, run_id: str, timeout_seconds: float,
                  say: Callable[[str], None] = print) -> Iterator[str | None]:
    """Hold the database's run lock (a session advisory lock, released by the server if the
    run's process dies): a second run waits, says so, and gives up after `timeout_seconds`.
    Yields the id of the run that held it last if that run never released it (killed)."""
    con = connect(location, autocommit=True)
    try:
        key = [_LOCK_CLASS, location.connection_parameters()["dbname"]]
        lock = "select pg_try_advisory_lock(%s, hashtext(%s))"
        if not con.execute(lock, key).fetchone()[0]:
            say(f"bangfu: 另一次运行正在使用 {location.describe()}，等待其结束"
                f"（最多 {timeout_seconds:g} 秒）")
            deadline = time.monotonic() + timeout_seconds
            while not con.execute(lock, key).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise OperatorError(
                        "run_lock_timeout",
                        f"等待另一次运行超过 {timeout_seconds:g} 秒，本次放弃。请确认 "
                        f"{location.describe()} 上没有卡住的运行，或调大 "
                        "BANGFU_LOCK_TIMEOUT_SECONDS；已发布的数据库和网站未改动")
                time.sleep(1)
        con.execute(f"create schema if not exists {CONTROL_SCHEMA}")
        con.execute(f"create table if not exists {CONTROL_SCHEMA}.run_holder (run_id text)")
        previous = con.execute(f"select run_id from {CONTROL_SCHEMA}.run_holder").fetchone()
        with con.transaction():
            con.execute(f"delete from {CONTROL_SCHEMA}.run_holder")
            con.execute(f"insert into {CONTROL_SCHEMA}.run_holder values (%s)", [run_id])
        previous_id = previous[0] if previous else None
        yield previous_id if previous_id and previous_id != run_id else None
        con.execute(f"delete from {CONTROL_SCHEMA}.run_holder")  # released cleanly
    finally:
        con.close()  # the advisory lock goes with the session


# The working copy -----------------------------------------------------------------------

def _build_schemas(con: psycopg.Connection, suffix: str) -> list[str]:
    return [row[0] for row in con.execute(
        "select nspname from pg_namespace where nspname = any(%s) order by nspname",
        [[schema + suffix for schema in PUBLISHED_SCHEMAS]]).fetchall()]


def remove_leftovers(location: WarehouseLocation) -> list[str]:
    """The build (and half-retired) schemas a killed or failed run left; called with the run
    lock held, so none belongs to a live run. A retired schema whose published one is missing
    (impossible inside the swap's transaction, kept for safety) is put back."""
    with connect(location) as con:
        removed = []
        for retired in _build_schemas(con, RETIRED_SUFFIX):
            published = retired.removesuffix(RETIRED_SUFFIX)
            if _schema_exists(con, published):
                con.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(retired)))
                removed.append(retired)
            else:
                con.execute(sql.SQL("alter schema {} rename to {}").format(
                    sql.Identifier(retired), sql.Identifier(published)))
        for schema in _build_schemas(con, BUILD_SUFFIX):
            con.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
            removed.append(schema)
    return removed


def discard_working_copy(location: WarehouseLocation) -> None:
    remove_leftovers(location)


def working_copy_exists(location: WarehouseLocation) -> bool:
    with connect(location) as con:
        return _table_exists(con, build_schema(RAW_SCHEMA), "file_versions")


def start_working_copy(location: WarehouseLocation) -> None:
    """Fresh build schemas: the raw layer created as sources.yml declares it, holding the
    published raw tables' rows (the columns both have; a newly declared one stays NULL)."""
    remove_leftovers(location)
    target = build_schema(RAW_SCHEMA)
    with connect(location) as con:
        con.execute(raw_ddl(target, "postgres"))
        for table in raw_tables().values():
            if not _table_exists(con, RAW_SCHEMA, table.name):
                continue
            published = {row[0] for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = %s and table_name = %s", [RAW_SCHEMA, table.name])}
            columns = sql.SQL(", ").join(
                sql.Identifier(c.name) for c in table.columns if c.name in published)
            con.execute(sql.SQL("insert into {}.{} ({}) select {} from {}.{}").format(
                sql.Identifier(target), sql.Identifier(table.name), columns, columns,
                sql.Identifier(RAW_SCHEMA), sql.Identifier(table.name)))


# Loading: COPY from polars frames, for any table sources.yml declares ---------------------

def copy_frame(con: psycopg.Connection, schema: str, table: str, frame: pl.DataFrame) -> int:
    """Append `frame`'s rows to schema.table (any raw table sources.yml declares: its columns
    are the frame's) with COPY; the number of rows."""
    return _copy(con, sql.Identifier(schema, table), frame)


def _copy(con: psycopg.Connection, relation: sql.Composable, frame: pl.DataFrame) -> int:
    """COPY in CSV, as polars writes it: an unquoted empty field is NULL, a quoted one the
    empty string; floats in their shortest exact form. Sent in slices, to bound memory."""
    if frame.is_empty():
        return 0
    statement = sql.SQL("copy {} ({}) from stdin (format csv, header true)").format(
        relation, sql.SQL(", ").join(sql.Identifier(column) for column in frame.columns))
    with con.cursor() as cursor, cursor.copy(statement) as copy:
        for offset in range(0, frame.height, 50_000):
            copy.write(frame.slice(offset, 50_000).write_csv(include_header=offset == 0))
    return frame.height


def _temporary(con: psycopg.Connection, name: str, like: str, frame: pl.DataFrame) -> None:
    """A temporary table `name` shaped as raw table `like` (its columns in `frame`), filled."""
    spelled = ENGINE_TYPES["postgres"]
    types = {c.name: spelled.get(c.data_type, c.data_type) for c in raw_tables()[like].columns}
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types[c])) for c in frame.columns)
    con.execute(sql.SQL("create temporary table {} ({}) on commit drop").format(
        sql.Identifier(name), columns))
    _copy(con, sql.Identifier(name), frame)


def record_scan(location: WarehouseLocation, scan: Scan, run_started_at: dt.datetime,
                whole_tables: Mapping[str, pl.DataFrame] | None = None) -> dict[str, int]:
    """As store.record_scan, into the build schema."""
    raw = build_schema(RAW_SCHEMA)
    counts = {}
    with connect(location) as con:
        _temporary(con, "scanned", "file_versions", scan.files)
        upsert, withdraw = ledger.RECORD_SCAN
        con.execute(upsert.format(raw=raw, now="%(now)s"), {"now": run_started_at})
        con.execute(withdraw.format(raw=raw))
        con.execute(sql.SQL("delete from {}.skipped_files").format(sql.Identifier(raw)))
        copy_frame(con, raw, "skipped_files",
                   scan.skipped.with_columns(seen_at=pl.lit(run_started_at)))
        for table, frame in (whole_tables or {}).items():
            con.execute(sql.SQL("delete from {}.{}").format(sql.Identifier(raw),
                                                            sql.Identifier(table)))
            counts[table] = copy_frame(con, raw, table, frame)
    return counts


def add_read(location: WarehouseLocation, tables: Mapping[str, pl.DataFrame]) -> dict[str, int]:
    """As store.add_read, into the build schema."""
    raw = build_schema(RAW_SCHEMA)
    shas = tables["parsed_files"]["sha256"].to_list()
    counts = {}
    with connect(location) as con:
        for table, frame in tables.items():
            con.execute(sql.SQL("delete from {}.{} where sha256 = any(%s)").format(
                sql.Identifier(raw), sql.Identifier(table)), [shas])
            counts[table] = copy_frame(con, raw, table, frame)
    return counts


def record_copies(location: WarehouseLocation, copies: pl.DataFrame) -> None:
    """As store.record_copies, into the build schema."""
    with connect(location) as con:
        _temporary(con, "copies", "parsed_files", copies)
        con.execute(ledger.RECORD_COPIES.format(raw=build_schema(RAW_SCHEMA)))


# What the published ledger says ---------------------------------------------------------

def known_versions(location: WarehouseLocation) -> dict[str, KnownVersion]:
    with connect(location) as con:
        rows = con.execute(
            "select file_path, sha256, size_bytes, modified_at, archive_path "
            "from raw.file_versions where is_present").fetchall()
    return {path: KnownVersion(*version) for path, *version in rows}


def parsed_sha256s(location: WarehouseLocation, reader_version: str) -> set[str]:
    """Contents already read under this reader key, in the run's working copy."""
    with connect(location) as con:
        rows = con.execute(sql.SQL("select sha256 from {}.parsed_files where reader_version = %s")
                           .format(sql.Identifier(build_schema(RAW_SCHEMA))),
                           [reader_version]).fetchall()
    return {sha for (sha,) in rows}


def registry_source(location: WarehouseLocation) -> tuple[str, str] | None:
    """As store.registry_source, from the published raw schema."""
    with connect(location) as con:
        if not _table_exists(con, RAW_SCHEMA, "registry_source"):
            return None
        return con.execute(f"select digest, source from {RAW_SCHEMA}.registry_source").fetchone()


def records_scan(location: WarehouseLocation, scan: Scan, reader_version: str,
                 review_actions: pl.DataFrame) -> bool:
    """As store.records_scan: the published ledger holds exactly this scan and these review
    actions."""
    with connect(location) as con:
        columns = sql.SQL(", ").join(map(sql.Identifier, review_actions.columns))
        cursor = con.execute(sql.SQL("select {} from {}.{} order by sequence").format(
            columns, sql.Identifier(RAW_SCHEMA), sql.Identifier(REVIEW_ACTIONS)))
        loaded = pl.DataFrame(cursor.fetchall(), schema=review_actions.schema, orient="row")
        if not loaded.equals(review_actions):
            return False
        _temporary(con, "scanned", "file_versions",
                   scan.files.select("file_path", "sha256", "size_bytes", "modified_at"))
        _temporary(con, "skipped", "skipped_files", scan.skipped.select(
            "file_path", "code", "message"))
        (differences,) = con.execute(
            ledger.SCAN_DIFFERENCES.format(raw=RAW_SCHEMA, reader="%(reader)s"),
            {"reader": reader_version}).fetchone()
    return differences == 0


# The build record -----------------------------------------------------------------------

def _write_record(con: psycopg.Connection, schema: str, record: dict) -> None:
    table = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(BUILD_RECORD_TABLE))
    con.execute(sql.SQL("create table if not exists {} (record jsonb not null)").format(table))
    con.execute(sql.SQL("delete from {}").format(table))
    con.execute(sql.SQL("insert into {} values (%s)").format(table),
                [json.dumps(record, ensure_ascii=False)])


def _read_record(con: psycopg.Connection, schema: str) -> dict | None:
    if not _table_exists(con, schema, BUILD_RECORD_TABLE):
        return None
    row = con.execute(sql.SQL("select record from {}.{}").format(
        sql.Identifier(schema), sql.Identifier(BUILD_RECORD_TABLE))).fetchone()
    return row[0] if row else None


def write_pending(location: WarehouseLocation, record: dict) -> None:
    """dbt built the build schemas from these inputs: published with them."""
    with connect(location) as con:
        _write_record(con, build_schema(RAW_SCHEMA), record)


def pending(location: WarehouseLocation) -> dict | None:
    with connect(location) as con:
        return _read_record(con, build_schema(RAW_SCHEMA))


def published_record(location: WarehouseLocation) -> dict | None:
    with connect(location) as con:
        return _read_record(con, RAW_SCHEMA)


def site_built(location: WarehouseLocation) -> None:
    with connect(location) as con:
        record = _read_record(con, RAW_SCHEMA)
        if record is not None:
            _write_record(con, RAW_SCHEMA, {**record, "site_built": True})


# Publishing -----------------------------------------------------------------------------

def publish(location: WarehouseLocation, lock_timeout_seconds: float) -> bool:
    """Swap the build schemas for the published ones in one transaction, if dbt built them
    in this run (their build record says so); False when there is nothing to publish."""
    for attempt in range(_PUBLISH_ATTEMPTS):
        try:
            return _swap(location, lock_timeout_seconds)
        except psycopg.errors.DeadlockDetected:
            # A reader asked for a table the swap had locked while the swap waited for one
            # the reader held: the server broke the cycle by failing the swap. Again.
            if attempt == _PUBLISH_ATTEMPTS - 1:
                raise
        except psycopg.errors.LockNotAvailable as error:
            raise OperatorError(
                "publish_lock_timeout",
                f"读者的查询占用已发布的表超过 {lock_timeout_seconds:g} 秒，本次未发布；"
                "已发布的数据库和网站未改动，请稍后重新运行") from error
    return False


def _swap(location: WarehouseLocation, lock_timeout_seconds: float) -> bool:
    with connect(location) as con:
        if _read_record(con, build_schema(RAW_SCHEMA)) is None:
            return False
        con.execute(sql.SQL("set local lock_timeout = {}").format(
            sql.Literal(f"{int(lock_timeout_seconds * 1000)}ms")))
        published = con.execute(
            "select schemaname, tablename from pg_tables where schemaname = any(%s)",
            [list(PUBLISHED_SCHEMAS)]).fetchall()
        if published:
            # Readers' open transactions finish first, on the old tables; new readers queue.
            con.execute(sql.SQL("lock table {} in access exclusive mode").format(
                sql.SQL(", ").join(sql.Identifier(s, t) for s, t in published)))
        for schema in PUBLISHED_SCHEMAS:
            if not _schema_exists(con, build_schema(schema)):
                continue
            if _schema_exists(con, schema):
                con.execute(sql.SQL("alter schema {} rename to {}").format(
                    sql.Identifier(schema), sql.Identifier(schema + RETIRED_SUFFIX)))
            con.execute(sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(build_schema(schema)), sql.Identifier(schema)))
        for schema in PUBLISHED_SCHEMAS:
            con.execute(sql.SQL("drop schema if exists {} cascade").format(
                sql.Identifier(schema + RETIRED_SUFFIX)))
        con.execute(sql.SQL(
            "update {}.{} set record = record || jsonb_build_object('published_at', now())"
        ).format(sql.Identifier(RAW_SCHEMA), sql.Identifier(BUILD_RECORD_TABLE)))
        apply_access(con)
    return True
