"""When the pipeline runs by itself: nightly, and when files arrive or change."""


import hashlib
import json

import dagster as dg

from pipelines.defs.resources import warehouse_tags
from pipelines.registry import load as registry_load
from pipelines.settings import Settings
from pipelines.warehouse.manifest import folder_ledger

pipeline_job = dg.define_asset_job(
    "bangfu_pipeline",
    selection=dg.AssetSelection.all(),
    description="Find files → read → validate → load → dbt build → publish → dashboards.",
    tags=warehouse_tags(),
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_ingest",
    job=pipeline_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

_FAILED = {dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def _state_key(contents: dict[str, str], registry_digest: str) -> str:
    """One name for a folder's settled contents (path → sha256) read with a registry."""
    text = json.dumps([sorted(contents.items()), registry_digest], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _failed(instance: dg.DagsterInstance, run_key: str) -> bool:
    runs = instance.get_runs(dg.RunsFilter(tags={"dagster/run_key": run_key}), limit=1)
    return bool(runs) and runs[0].status in _FAILED


@dg.sensor(
    job=pipeline_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def new_files_sensor(context: dg.SensorEvaluationContext):
    """Requests a run when the folder's settled contents differ from what the last requested
    run was for. The cursor is a ledger by content: a file is hashed once its size, mtime
    and ctime held from one tick to the next (so a file still being copied waits, and an
    edit that keeps size and mtime is seen by its ctime and its hash). The run key names the
    contents and the attempt, so a run that failed is requested again, not skipped. The
    registry's content is part of the state: an edit of it requests a run, and while it has
    errors no run is requested (it would refuse)."""
    cursor = json.loads(context.cursor) if context.cursor else {}
    settings = Settings.from_env()
    ledger, waiting = folder_ledger(settings.raw_dir, cursor.get("files", {}))
    registry = registry_load.load(settings.registry)
    if registry.errors:
        context.update_cursor(json.dumps({**cursor, "files": ledger}, ensure_ascii=False))
        return dg.SkipReason(f"the registry {registry.registry.source} has "
                             f"{len(registry.errors)} error(s): `bangfu registry check` lists them")
    digest = registry.registry.digest
    contents = {path: entry[3] for path, entry in ledger.items() if entry[3]}
    key, attempt = _state_key(contents, digest), 1
    # A sensor's first tick has requested nothing: an empty folder is no change.
    if key == cursor.get("requested", _state_key({}, digest)):
        attempt = cursor.get("attempt", 1)
        if not _failed(context.instance, f"{key}#{attempt}"):
            context.update_cursor(json.dumps({**cursor, "files": ledger}, ensure_ascii=False))
            return dg.SkipReason(f"no new, changed or removed files; {waiting} still changing")
        attempt += 1
    previous = cursor.get("contents", {})
    changed = sum(1 for p in contents.keys() | previous.keys()
                  if contents.get(p) != previous.get(p))
    context.update_cursor(json.dumps({"files": ledger, "requested": key, "attempt": attempt,
                                      "contents": contents}, ensure_ascii=False))
    return dg.RunRequest(
        run_key=f"{key}#{attempt}",
        tags={"bangfu/changed_files": str(changed), "bangfu/waiting_files": str(waiting)},
    )
