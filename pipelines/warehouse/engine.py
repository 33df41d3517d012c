"""One interface to the warehouse, whichever engine holds it: the run lock, the run's working
copy (a DuckDB file beside the published one, or build schemas on the server), loading the
raw tables, what the published ledger records, publishing. The Dagster steps call these;
`store` (DuckDB) and `postgres` do the work. Reading marts is `pipelines.warehouse.reading`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Mapping

import polars as pl

from pipelines.settings import Settings
from pipelines.warehouse import postgres, store
from pipelines.warehouse.manifest import KnownVersion, Scan


def published_exists(settings: Settings) -> bool:
    """Whether a run has published a warehouse there yet."""
    if settings.location.is_server:
        return postgres.published_exists(settings.location)
    return settings.warehouse.exists()


@contextlib.contextmanager
def exclusive_run(settings: Settings, run_id: str = "",
                  say: Callable[[str], None] = print) -> Iterator[str | None]:
    """The warehouse's run lock for the whole run (yields the id of a killed run that held
    it last). A server warehouse also takes the folder's lock: the archive, validation
    results and staging folders on disk are shared by runs of this machine."""
    with store.exclusive_run(settings, run_id, say) as killed:
        if not settings.location.is_server:
            yield killed
            return
        with postgres.exclusive_run(settings.location, run_id,
                                    settings.lock_timeout_seconds, say) as killed_on_server:
            yield killed_on_server or killed


def remove_leftovers(settings: Settings) -> list[str]:
    """What a killed run left (working copy, build schemas, staging folders)."""
    removed = [str(path) for path in store.remove_leftovers(settings)]
    if settings.location.is_server:
        removed += postgres.remove_leftovers(settings.location)
    return removed


def start_working_copy(settings: Settings) -> str:
    """A fresh working copy of the published warehouse; what it is, for the log."""
    if settings.location.is_server:
        postgres.start_working_copy(settings.location)
        return f"{settings.location.describe()} ({postgres.build_schema('*')})"
    return str(store.start_working_copy(settings))


def working_copy_exists(settings: Settings) -> bool:
    if settings.location.is_server:
        return postgres.working_copy_exists(settings.location)
    return settings.working_warehouse.exists()


def known_versions(settings: Settings) -> dict[str, KnownVersion]:
    """The published ledger's present version of every path (none before the first run)."""
    if not published_exists(settings):
        return {}
    if settings.location.is_server:
        return postgres.known_versions(settings.location)
    return store.known_versions(settings.warehouse)


def parsed_sha256s(settings: Settings, reader_version: str) -> set[str]:
    """Contents the working copy says were read under this reader key."""
    if settings.location.is_server:
        return postgres.parsed_sha256s(settings.location, reader_version)
    return store.parsed_sha256s(settings.working_warehouse, reader_version)


def records_scan(settings: Settings, scan: Scan, reader_version: str,
                 review_actions: pl.DataFrame) -> bool:
    if settings.location.is_server:
        return postgres.records_scan(settings.location, scan, reader_version, review_actions)
    return store.records_scan(settings.warehouse, scan, reader_version, review_actions)


def registry_source(settings: Settings) -> tuple[str, str] | None:
    """The digest and source of the registry the published warehouse was built from (None
    before the first run, or before the registry was loaded)."""
    if not published_exists(settings):
        return None
    if settings.location.is_server:
        return postgres.registry_source(settings.location)
    return store.registry_source(settings.warehouse)


def record_scan(settings: Settings, scan: Scan, run_started_at: dt.datetime,
                whole_tables: Mapping[str, pl.DataFrame]) -> dict[str, int]:
    """The scan into the working copy's ledger, and the tables given whole (the registry's,
    the portal's review actions) replaced, in one transaction; rows loaded, by table. The
    working copy is published only once dbt has built it, so a run that stops between this
    and the last `add_read` publishes nothing."""
    if settings.location.is_server:
        return postgres.record_scan(settings.location, scan, run_started_at, whole_tables)
    return store.record_scan(settings.working_warehouse, scan, run_started_at, whole_tables)


def add_read(settings: Settings, tables: Mapping[str, pl.DataFrame]) -> dict[str, int]:
    """A part of what was read (raw table name → rows) into the working copy's raw tables,
    in one transaction; rows loaded, by table."""
    if settings.location.is_server:
        return postgres.add_read(settings.location, tables)
    return store.add_read(settings.working_warehouse, tables)


def record_copies(settings: Settings, copies: pl.DataFrame) -> None:
    """The annotated copies made of contents loaded in this run (sha256, annotated_copy,
    annotation_note) recorded with them in the working copy."""
    if settings.location.is_server:
        postgres.record_copies(settings.location, copies)
    else:
        store.record_copies(settings.working_warehouse, copies)


def publish(settings: Settings) -> str | None:
    """The working copy published, if dbt built it in this run; what was published."""
    if settings.location.is_server:
        done = postgres.publish(settings.location, settings.lock_timeout_seconds)
        return settings.location.describe() if done else None
    path = store.publish(settings)
    return str(path) if path else None
