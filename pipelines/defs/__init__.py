"""The Dagster definitions of bangfu, loaded by `dagster dev` and by `bangfu run`."""

import dagster as dg

from pipelines.defs.automation import new_files_sensor, nightly_schedule, pipeline_job
from pipelines.defs.ingest import parsed_forms, raw_manifest, raw_tables, validated_forms
from pipelines.defs.publish import dashboard_site, published_warehouse
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform import dbt_models, dbt_resource

defs = dg.Definitions(
    assets=[
        raw_manifest, parsed_forms, validated_forms, raw_tables, dbt_models,
        published_warehouse, dashboard_site,
    ],
    jobs=[pipeline_job],
    schedules=[nightly_schedule],
    sensors=[new_files_sensor],
    # Steps hand each other batches of what was read (person names among them): kept in the
    # run's memory, never pickled into DAGSTER_HOME, whoever launched the run.
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource,
               "io_manager": dg.mem_io_manager},
    # One process per run: steps share the run lock, and DuckDB has one writer at a time; and
    # the in-memory handover above needs every step in the same process.
    executor=dg.in_process_executor,
)
