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
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource},
    # One process per run: steps share the run lock, and DuckDB has one writer at a time.
    executor=dg.in_process_executor,
)
