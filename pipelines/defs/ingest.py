"""Ingest: the raw folder → the raw tables of the run's working copy, in one step.

Files are scanned (hashed by content, each new version archived) and the scan recorded in the
run's working copy; the contents this reader version has not read are read in worker
processes, judged by the Great Expectations suites and loaded, a part of the files at a time
so that memory does not grow with the corpus. Only dbt's build of the working copy is
published, so a run that stops part-way publishes nothing. The raw tables are
materialized together or not at all: when the published warehouse already records this
scan and it and its site were built by the same code, the step says so and materializes
nothing, and so nothing downstream runs either.
"""


import datetime as dt
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import dagster as dg
import polars as pl

from dashboards import site_folder
from pipelines import checking
from pipelines.batch import FormBatch
from pipelines.defs.ownership import OWNERS
from pipelines.defs.resources import WarehouseResource
from pipelines.errors import OperatorError, environment_errors
from pipelines.forms.model import ParsedFile
from pipelines.forms.pool import read_forms
from pipelines.forms.reader import reading_key
from pipelines.registry import load as registry_load
from pipelines.registry import sheets as registry_sheets
from pipelines.registry.load import Registry
from pipelines.settings import Settings
from pipelines.validation.suites import Validation, import_gx_meanwhile, suite_tables
from pipelines.warehouse import build_record, engine
from pipelines.warehouse import manifest as raw_manifest
from pipelines.warehouse.raw_schema import raw_tables
from pipelines.warehouse.reviews import TABLE as REVIEW_ACTIONS
from pipelines.warehouse.reviews import read_review_actions

if TYPE_CHECKING:  # the writer itself is imported when a run has files with errors
    from pipelines.authoring.annotate import CopyJob

INGEST = "ingest"
# The job of ingest alone (pipelines/defs/scan.py).
SCAN_JOB = "bangfu_scan"
RAW_TABLES = ["file_versions", "skipped_files", *FormBatch.table_names(),
              *registry_sheets.RAW_TABLES, REVIEW_ACTIONS]
RAW_TABLE_KEYS = [dg.AssetKey(["raw", table]) for table in RAW_TABLES]

# Rows the suites judge at once: GX validates pandas frames and keeps every failing row's
# index, about 6 KB a row (a part of 2,000 forms of ~60 persons each took 850 MB at once).
ROWS_PER_JUDGMENT = 25_000

# Shown in Dagster beside the dbt assets, which carry dbt's kinds and texts: each raw table's
# description is the one sources.yml declares for it (dbt's docs show the same words).
RAW_TABLE_KINDS = {"python", "polars", "duckdb"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ScanConfig(dg.Config):
    # The operator's confirmation that a run may withdraw more than half of the files
    # (`bangfu run --accept-withdrawals`).
    accept_withdrawals: bool = False


@dg.multi_asset(
    name="ingest",
    group_name=INGEST,
    specs=[dg.AssetSpec(key, description=raw_tables()[key.path[-1]].description,
                        kinds=RAW_TABLE_KINDS, owners=OWNERS)
           for key in RAW_TABLE_KEYS],
    check_specs=[dg.AssetCheckSpec(f"suite_{suite}", asset=["raw", table], blocking=False,
                                   description=f"Great Expectations suite {suite}")
                 for suite, table in suite_tables().items()],
    # Subsettable so that the tables (and their checks) are optional outputs: a run with
    # nothing new materializes none of them. They are loaded together, never a few.
    can_subset=True,
)
def ingest(context: dg.AssetExecutionContext, config: ScanConfig, warehouse: WarehouseResource):
    """Every file in the raw folder scanned and archived by content; new contents read,
    validated and loaded into the raw tables of the run's working copy, with the registry in
    force. Refuses (and leaves the published warehouse as it was) when the raw folder is
    missing or unreadable, when the registry has errors, or when most of the present files
    would be withdrawn."""
    if set(context.selected_asset_keys) != set(RAW_TABLE_KEYS):
        raise OperatorError(
            "raw_tables_together",
            "原始层各表只能一起载入：请选择全部 raw/* 资产（或整个 ingest）再运行")
    settings = warehouse.settings
    raw_manifest.check_raw_folder(settings.raw_dir)
    registry = registry_load.in_force()
    if engine.published_exists(settings):
        check_registry_still_there(settings, registry)
    known = engine.known_versions(settings)
    with environment_errors(settings.warehouse_dir):
        scan = raw_manifest.scan(settings.raw_dir, settings.warehouse_dir, known,
                                 settle_seconds=settings.settle_seconds)
    withdrawn = len(known.keys() - set(scan.files["file_path"]))
    raw_manifest.check_withdrawals(len(known), withdrawn, config.accept_withdrawals)
    waiting = scan.skipped.filter(pl.col("code") == "file_not_settled")["file_path"]
    scanned = {
        # Files found: those present and those still settling (a settling file whose earlier
        # version the warehouse holds is both).
        "found": len(set(scan.files["file_path"]) | set(waiting)),
        "files": scan.files.height,
        "distinct_contents": scan.files["sha256"].n_unique(),
        "not_read": scan.skipped.group_by("code").len().sort("code").rows(),
        "waiting": waiting.len(),
        # When a run reads the last of them (UTC); empty when none waits.
        "settled_at": scan.settled_at.isoformat() if scan.settled_at else "",
    }

    reviews = read_review_actions(settings.review_actions)
    if nothing_new(settings, scan, registry, reviews):
        context.log.info(
            f"nothing new: the published warehouse records these {scan.files.height} files "
            "and this registry, and it and its site were built by this code; no table is "
            "materialized")
        # Recorded as an observation of the ledger: the scan happened, nothing changed.
        yield dg.AssetObservation(asset_key=RAW_TABLE_KEYS[0],
                                  metadata={"changed": False, **scanned})
        return
    if context.job_name == SCAN_JOB:
        raise OperatorError(
            "raw_folder_changed",
            "报送文件夹在运行开始后有变化（有文件新增、改动或移走）：请再运行一次 bangfu run；"
            "已发布的数据库和网站未改动")

    working = warehouse.start_working_copy()
    context.log.info(f"working copy: {working}")
    now = _now()
    with environment_errors(settings.warehouse_dir):
        counts = Counter(engine.record_scan(settings, scan, now,
                                            {**registry.frames(now), REVIEW_ACTIONS: reviews}))
    counts.update(file_versions=scan.files.height, skipped_files=scan.skipped.height)
    read = Counter(dict.fromkeys(["files_read", "reports", "rows", "issues"], 0))
    copy_jobs: list[tuple[str, CopyJob]] = []
    with registry_load.pinned(registry):  # the suites judge with the registry read with
        validation = Validation(results_root=settings.validation_results,
                                run_name=context.run.run_id)
        for batch in _judged_parts(context, settings, scan, registry, validation):
            with environment_errors(settings.warehouse_dir):
                counts.update(engine.add_read(settings, batch.tables()))
            read.update(files_read=batch.file_count, reports=batch.reports.height,
                        rows=batch.activity_rows.height, issues=batch.issues.height)
            copy_jobs += _copy_jobs(settings, scan, batch)
        results = validation.finish()
    _annotate_errors(context, settings, copy_jobs)
    summary = {**scanned, **read}
    for table, key in zip(RAW_TABLES, RAW_TABLE_KEYS, strict=True):
        metadata = {"rows_loaded": counts[table]}
        if table == "file_versions":
            metadata |= {"changed": True, **summary}
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    for result in results:
        yield dg.AssetCheckResult(
            asset_key=["raw", suite_tables()[result.suite]],
            check_name=f"suite_{result.suite}",
            passed=result.error_count == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_validated": result.frame_rows,
                "expectations": result.expectations,
                "failed_expectations": result.failed_expectations,
                "errors": result.error_count,
                "warnings": result.warning_count,
                "top_failures": dg.MetadataValue.json(result.top_failures()),
            },
        )


def nothing_new(settings: Settings, scan: raw_manifest.Scan, registry: Registry,
                reviews: pl.DataFrame) -> bool:
    """Whether the published warehouse already records this scan, read with this registry,
    this registry and the portal's review actions, and it and its site were built by this
    code with these settings: then a run has nothing to build (an edit of the registry is
    never a no-op)."""
    if not engine.published_exists(settings):
        return False
    record = build_record.read(settings)
    return (record is not None and record.site_built
            and record.inputs_digest == build_record.run_inputs_digest(settings)
            and site_folder.is_built(settings.site_dir)
            and (engine.registry_source(settings) or (None,))[0] == registry.digest
            and engine.records_scan(settings, scan, reading_key(registry), reviews))


def check_registry_still_there(settings: Settings, registry: Registry) -> None:
    """A workbook that built the published warehouse and is gone now (moved, an unmounted
    share) is not silently replaced by the built-in registry, which would reject every file
    of the pairs only the workbook held."""
    built_from = engine.registry_source(settings)
    if (registry.source == registry_load.BUILTIN_SOURCE and built_from is not None
            and built_from[1] != registry_load.BUILTIN_SOURCE):
        raise OperatorError(
            "registry_missing",
            f"登记表 {settings.registry} 不存在，而已发布的数据库是按登记表 {built_from[1]} "
            "生成的：如已移走，请放回原处或设置 BANGFU_REGISTRY；如确要改用内置登记表，请先运行 "
            "bangfu registry init 把它写成登记表；已发布的数据库和网站未改动")


def folder_unchanged(settings: Settings) -> bool:
    """The same question asked before a run starts, outside its lock: the folder scanned
    without writing anything. `bangfu run` then launches the scan job alone. A registry with
    errors is not looked at here: the run refuses it."""
    if not settings.raw_dir.is_dir() or not engine.published_exists(settings):
        return False
    loaded = registry_load.load(settings.registry)
    if loaded.errors:
        return False
    scan = raw_manifest.scan(settings.raw_dir, settings.warehouse_dir,
                             engine.known_versions(settings),
                             settle_seconds=settings.settle_seconds, archive=False)
    return nothing_new(settings, scan, loaded.registry,
                       read_review_actions(settings.review_actions))


def _judged_parts(context: dg.AssetExecutionContext, settings: Settings,
                  scan: raw_manifest.Scan, registry: Registry,
                  validation: Validation) -> Iterator[FormBatch]:
    """The contents of the scan not yet read under this reader key with this registry's
    names, each read once (from its archived copy) whatever the number of paths holding it,
    and judged by the suites: `settings.files_per_part` at a time, so that what is held in
    memory is one part's."""
    key = reading_key(registry)
    already = engine.parsed_sha256s(settings, key)
    new = (
        scan.files.filter(~pl.col("sha256").is_in(list(already)))
        .sort("file_path")
        .unique("sha256", keep="first", maintain_order=True)
    )
    context.log.info(f"reading {new.height} new file(s) in parts of {settings.files_per_part}; "
                     f"{len(already)} already read")
    parts = [new.slice(start, settings.files_per_part)
             for start in range(0, new.height, settings.files_per_part)]

    def read_part(part: pl.DataFrame) -> list[ParsedFile]:
        return read_forms([(settings.warehouse_dir / path, file_path) for path, file_path
                           in zip(part["archive_path"], part["file_path"], strict=True)],
                          registry=registry)

    # GX, which judges what is read, is imported while the workers read (seconds of CPU);
    # then each part is read while this process judges and loads the one before it.
    gx_imported = import_gx_meanwhile() if parts else lambda: None
    with ThreadPoolExecutor(1, thread_name_prefix="read next part") as reader:
        upcoming = reader.submit(read_part, parts[0]) if parts else None
        for number, part in enumerate(parts):
            forms = upcoming.result()
            if number + 1 < len(parts):
                upcoming = reader.submit(read_part, parts[number + 1])
            gx_imported()
            batch = FormBatch.from_parsed(
                dict(zip(zip(part["sha256"], part["file_path"], strict=True), forms,
                         strict=True)), key, _now())
            del forms
            for piece in batch.in_pieces(ROWS_PER_JUDGMENT):
                yield validation.judge(piece)
            read = min((number + 1) * settings.files_per_part, new.height)
            context.log.info(f"read {read} of {new.height} new file(s)")


def _copy_jobs(settings: Settings, scan: raw_manifest.Scan,
               batch: FormBatch) -> list[tuple[str, "CopyJob"]]:
    """By sha256, the annotated copy each content of the batch with an error is sent back:
    made from its archived bytes (a file the reader could not open: its list of problems
    alone) into the warehouse's folder under its own sha256. Files with warnings only get
    none: their submitters keep what they sent (`bangfu check --annotate` marks them on
    demand)."""
    # Here, not at import: a run with nothing new loads no spreadsheet writer.
    from pipelines.authoring.annotate import CopyJob

    with_errors = set(batch.issues.filter(pl.col("severity") == "error")["sha256"])
    files = batch.parsed_files.filter(pl.col("sha256").is_in(list(with_errors)))
    names = dict(zip(files["sha256"], files["parsed_path"], strict=True))
    problems = checking.problems(batch.issues.filter(pl.col("sha256").is_in(list(names))),
                                 names)
    archived = dict(scan.files.filter(pl.col("sha256").is_in(list(names)))
                    .select("sha256", "archive_path").iter_rows())
    return [(row["sha256"], CopyJob(
        settings.warehouse_dir / archived[row["sha256"]] if row["sheet_count"] else None,
        PurePosixPath(row["parsed_path"]).name, tuple(problems[row["sha256"]]),
        row["parsed_at"].replace(tzinfo=dt.UTC), settings.annotated_dir))
        for row in files.iter_rows(named=True)]


def _annotate_errors(context: dg.AssetExecutionContext, settings: Settings,
                     jobs: list[tuple[str, "CopyJob"]]) -> None:
    """The copies of the run's contents with errors, made in workers within the reader's
    limits (all of the run's at once: a pool costs seconds to start), each recorded with its
    content in the working copy, or why it could not be made."""
    from pipelines.authoring.annotate import write_copies

    context.log.info(f"annotating {len(jobs)} file(s) with errors")
    copies = write_copies([job for _, job in jobs])
    with environment_errors(settings.warehouse_dir):
        engine.record_copies(settings, pl.DataFrame({
            "sha256": [sha256 for sha256, _ in jobs],
            "annotated_copy": [copy.path.relative_to(settings.warehouse_dir).as_posix()
                               if copy.path else None for copy in copies],
            "annotation_note": [copy.note for copy in copies],
        }, schema={"sha256": pl.String, "annotated_copy": pl.String,
                   "annotation_note": pl.String}))
