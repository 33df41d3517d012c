"""What the published warehouse was built from, recorded beside it after each publish: the
digest of the code and rules that shape a build (dbt project, suites, dashboards, bangfu's
own modules), the checksums of the dbt seeds loaded into it, and whether the site was built
from it.

A run whose scan the warehouse already records, built by the same code, has nothing new to
build: it stops after the scan. A lost or stale record costs a rebuild, never a wrong skip:
it is written after the warehouse is published and only read when it names that file.
On a PostgreSQL server the record is a table of the build's raw schema, published with it in
the same transaction (pipelines/warehouse/postgres.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipelines.settings import REPO_ROOT, Settings
from pipelines.warehouse import postgres

# What a build depends on besides the raw files; generated files under them are skipped.
BUILD_INPUTS = ("pipelines", "dbt_project", "expectations", "dashboards")
_GENERATED = {"target", "logs", "site", "node_modules", "__pycache__", "dbt_packages"}
_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".json", ".md", ".html", ".css", ".js",
             ".jinja"}


@cache
def build_inputs_digest(tops: tuple[str, ...] = BUILD_INPUTS, root: Path = REPO_ROOT) -> str:
    """One digest of every source file under `tops` (names and bytes); once per process (a
    run asks before it starts, in ingest and after dbt; the code does not change in between)."""
    digest = hashlib.sha256()
    for top in tops:
        for path in sorted((root / top).rglob("*")):
            relative = path.relative_to(root)
            if (path.suffix not in _SUFFIXES or not path.is_file()
                    or _GENERATED.intersection(relative.parts)):
                continue
            digest.update(str(relative).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def run_inputs_digest(settings: Settings) -> str:
    """The code's digest and the settings that change what a build makes of the same files
    (approval required: only approved reports count)."""
    return hashlib.sha256(
        f"{build_inputs_digest()}:approval_required={settings.approval_required}".encode()
    ).hexdigest()


@dataclass(frozen=True)
class BuildRecord:
    warehouse_size: int
    warehouse_mtime_ns: int
    inputs_digest: str
    seed_checksums: dict[str, str] = field(default_factory=dict)
    # The digest of the dbt project alone, whose unit tests passed in that build.
    dbt_project_digest: str | None = None
    # Whether the site was built from this warehouse (a run killed after publishing was not).
    site_built: bool = False


def _record_path(database: Path) -> Path:
    return database.with_name(database.name + ".build.json")


def dbt_project_digest() -> str:
    return build_inputs_digest(tops=("dbt_project",))


def write_pending(settings: Settings, inputs_digest: str, seed_checksums: dict[str, str],
                  project_digest: str) -> None:
    """Record, beside the working copy, that dbt built it from these inputs: publishing
    moves the record beside the warehouse. A working copy without one (its raw tables
    loaded, dbt not run) is never published."""
    record = {"inputs_digest": inputs_digest, "seed_checksums": seed_checksums,
              "dbt_project_digest": project_digest}
    if settings.location.is_server:
        postgres.write_pending(settings.location, record)
        return
    _write(_record_path(settings.working_warehouse), record)


def pending(settings: Settings) -> dict | None:
    if settings.location.is_server:
        return postgres.pending(settings.location)
    try:
        return json.loads(_record_path(settings.working_warehouse).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def discard_pending(settings: Settings) -> None:
    _record_path(settings.working_warehouse).unlink(missing_ok=True)


def published(settings: Settings, record: dict) -> None:
    """The warehouse was just published from a working copy built as `record` says."""
    stat = settings.warehouse.stat()
    _write(_record_path(settings.warehouse),
           {**record, "warehouse_size": stat.st_size, "warehouse_mtime_ns": stat.st_mtime_ns})
    discard_pending(settings)


def site_built(settings: Settings) -> None:
    """The site was just built from the published warehouse."""
    if settings.location.is_server:
        postgres.site_built(settings.location)
        return
    record = read(settings)
    if record is not None:
        _write(_record_path(settings.warehouse), {**record.__dict__, "site_built": True})


def _write(target: Path, record: dict) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    partial.replace(target)


def read(settings: Settings) -> BuildRecord | None:
    """The record of the published warehouse; None when there is none, it cannot be read, or
    it was written for another file (the warehouse was replaced, restored or edited since)."""
    if settings.location.is_server:
        published = (postgres.published_record(settings.location)
                     if postgres.published_exists(settings.location) else None)
        if published is None:
            return None
        published.pop("published_at", None)
        return BuildRecord(warehouse_size=0, warehouse_mtime_ns=0, **published)
    try:
        record = BuildRecord(**json.loads(
            _record_path(settings.warehouse).read_text(encoding="utf-8")))
        stat = settings.warehouse.stat()
    except (OSError, ValueError, TypeError):
        return None
    if (record.warehouse_size, record.warehouse_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        return None
    return record
