"""When the pipeline runs by itself: nightly, and when files arrive or change."""


import json

import dagster as dg

from pipelines.settings import Settings
from pipelines.warehouse.manifest import submitted_files

pipeline_job = dg.define_asset_job(
    "bangfu_pipeline",
    selection=dg.AssetSelection.all(),
    description="Find files → read → validate → load → dbt build → publish → dashboards.",
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_ingest",
    job=pipeline_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def raw_folder_fingerprint(settings: Settings) -> dict[str, list[float]]:
    """Size and mtime of every submitted file: cheap to take, and it changes whenever a file
    is added, replaced, edited or removed."""
    fingerprint = {}
    for path in submitted_files(settings.raw_dir):
        stat = path.stat()
        fingerprint[path.relative_to(settings.raw_dir).as_posix()] = [stat.st_size, stat.st_mtime]
    return fingerprint


@dg.sensor(
    job=pipeline_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def new_files_sensor(context: dg.SensorEvaluationContext):
    """Requests a run when the raw folder differs from what the last requested run saw."""
    fingerprint = raw_folder_fingerprint(Settings.from_env())
    cursor = json.dumps(fingerprint, sort_keys=True, ensure_ascii=False)
    if cursor == context.cursor:
        return dg.SkipReason("no new, changed or removed files")
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = {k for k in fingerprint.keys() | previous.keys()
               if fingerprint.get(k) != previous.get(k)}
    context.update_cursor(cursor)
    return dg.RunRequest(
        run_key=None,
        tags={"bangfu/changed_files": str(len(changed))},
    )
