"""Ingest: the raw folder's manifest → files read → suites run → raw tables loaded."""


import datetime as dt

import dagster as dg
import polars as pl

from pipelines.batch import FormBatch
from pipelines.defs.resources import WarehouseResource
from pipelines.errors import OperatorError, environment_errors
from pipelines.forms.pool import read_forms
from pipelines.forms.reader import READER_VERSION
from pipelines.validation.suites import suite_names, validate
from pipelines.warehouse import manifest as raw_manifest_lib
from pipelines.warehouse import store

INGEST = "ingest"
RAW_TABLES = ["file_versions", *FormBatch.table_names()]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ScanConfig(dg.Config):
    # The operator's confirmation that a run may withdraw more than half of the files
    # (`bangfu run --accept-withdrawals`).
    accept_withdrawals: bool = False


@dg.asset(group_name=INGEST)
def raw_manifest(context: dg.AssetExecutionContext, config: ScanConfig,
                 warehouse: WarehouseResource) -> raw_manifest_lib.Scan:
    """Every file now in the raw folder (path, sha256, size, mtime), each version archived
    by content before anything reads it. Starts the run's working copy of the warehouse.
    Refuses (and leaves the published warehouse as it was) when the raw folder is missing
    or unreadable, or when most of the present files would be withdrawn."""
    settings = warehouse.settings
    raw_manifest_lib.check_raw_folder(settings.raw_dir)
    working = store.start_working_copy(settings)
    known = store.known_versions(working)
    with environment_errors(settings.warehouse_dir):
        scanned = raw_manifest_lib.scan(settings.raw_dir, settings.warehouse_dir, known,
                                        settle_seconds=settings.settle_seconds)
    manifest = scanned.files
    withdrawn = len(known.keys() - set(manifest["file_path"]))
    try:
        raw_manifest_lib.check_withdrawals(len(known), withdrawn, config.accept_withdrawals)
    except OperatorError:
        store.discard_working_copy(settings)
        raise
    context.add_output_metadata({
        "files": manifest.height,
        "distinct_contents": manifest["sha256"].n_unique(),
        "not_read": dg.MetadataValue.json(
            scanned.skipped.group_by("code").len().sort("code").rows()),
        "raw_dir": str(settings.raw_dir),
    })
    return scanned


@dg.asset(group_name=INGEST)
def parsed_forms(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                 raw_manifest: raw_manifest_lib.Scan) -> FormBatch:
    """Files whose content this reader version has not read yet, read in worker processes
    from their archived copies: reports, rows, cells and the reader's issues."""
    settings = warehouse.settings
    already = store.parsed_sha256s(store.working_copy(settings), READER_VERSION)
    new = (
        raw_manifest.files.filter(~pl.col("sha256").is_in(list(already)))
        .sort("file_path")
        .unique("sha256", keep="first", maintain_order=True)
    )
    jobs = [
        (settings.warehouse_dir / row["archive_path"], row["file_path"])
        for row in new.iter_rows(named=True)
    ]
    context.log.info(f"reading {len(jobs)} new file(s); {len(already)} already read")
    forms = read_forms(jobs)
    batch = FormBatch.from_parsed(
        dict(zip(zip(new["sha256"], new["file_path"], strict=True), forms, strict=True)),
        READER_VERSION,
        _now(),
    )
    context.add_output_metadata({
        "files_read": batch.file_count,
        "reports": batch.reports.height,
        "rows": batch.activity_rows.height,
        "reader_issues": batch.issues.height,
    })
    return batch


@dg.asset(
    group_name=INGEST,
    check_specs=[
        dg.AssetCheckSpec(f"suite_{name}", asset="validated_forms", blocking=False)
        for name in suite_names()
    ],
)
def validated_forms(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                    parsed_forms: FormBatch):
    """The new batch judged by the Great Expectations suites in expectations/suites (what
    each file's own rows say; judgments across files are dbt's): every failure becomes an
    issue on its cell. Rejected rows are results, not run failures. The validations are
    recorded beside the warehouse, where GX builds its Data Docs."""
    settings = warehouse.settings
    batch, results = validate(parsed_forms, results_root=settings.validation_results,
                              run_name=context.run.run_id)
    yield dg.Output(batch, metadata={"issues": batch.issues.height})
    for result in results:
        yield dg.AssetCheckResult(
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


@dg.multi_asset(
    group_name=INGEST,
    specs=[dg.AssetSpec(["raw", table], deps=["raw_manifest", "validated_forms"])
           for table in RAW_TABLES],
    ins={"raw_manifest": dg.AssetIn(), "validated_forms": dg.AssetIn()},
)
def raw_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               raw_manifest: raw_manifest_lib.Scan, validated_forms: FormBatch):
    """The raw layer of the working warehouse: the ledger updated with this scan (removed
    files become not present) and the new batch's tables added, in one transaction."""
    database = store.working_copy(warehouse.settings)
    with environment_errors(database):
        counts = store.load(database, raw_manifest, validated_forms, _now())
    counts["file_versions"] = raw_manifest.files.height
    for table in RAW_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", table], metadata={"rows_added": counts[table]})
