"""The Dagster definitions of bangfu, loaded by `dagster dev`, the daemon and `bangfu run`."""

import dagster as dg

from pipelines.defs.automation import new_files_sensor, nightly_schedule, pipeline_job
from pipelines.defs.ingest import ingest
from pipelines.defs.publish import dashboard_site, published_warehouse
from pipelines.defs.resources import warehouse_resource
from pipelines.defs.scan import scan_job
from pipelines.defs.transform import dbt_docs, dbt_models, dbt_resource

defs = dg.Definitions(
    assets=[ingest, dbt_models, dbt_docs, published_warehouse, dashboard_site],
    jobs=[pipeline_job, scan_job],
    schedules=[nightly_schedule],
    sensors=[new_files_sensor],
    # Steps hand each other nothing but tables in the warehouse: no step output is stored,
    # so nothing of what was read (person names) reaches DAGSTER_HOME, whoever launched
    # the run. `bangfu run`, the schedule and the sensor run the same job the same way.
    resources={"warehouse": warehouse_resource, "dbt": dbt_resource},
    # One process per run: steps share the run lock, and DuckDB has one writer at a time.
    executor=dg.in_process_executor,
)
