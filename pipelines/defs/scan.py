"""The scan job: ingest alone. `bangfu run` launches it when a look at the raw folder found
nothing new, so such a run records its scan in Dagster's history without loading dbt or
planning the steps it would skip. Its definitions are apart from the whole pipeline's,
which hold the same job, so that starting it imports no dbt."""

import dagster as dg

from pipelines.defs.ingest import SCAN_JOB, ingest
from pipelines.defs.resources import WarehouseResource, warehouse_tags

scan_job = dg.define_asset_job(
    SCAN_JOB,
    selection=dg.AssetSelection.assets(ingest),
    description="Scan the raw folder; when it holds nothing new, record that and stop.",
    tags=warehouse_tags(),
)

scan_defs = dg.Definitions(
    assets=[ingest],
    jobs=[scan_job],
    resources={"warehouse": WarehouseResource()},
    executor=dg.in_process_executor,
)
