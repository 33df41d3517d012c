"""Publish: the working warehouse replaces the published one once dbt's build and tests
passed; the dashboard site is then built from what was published."""


import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform import dbt_models

PUBLISH = "publish"


@dg.asset(group_name=PUBLISH, deps=list(dbt_models.keys))
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """The warehouse file readers open: replaced atomically, only after every upstream
    step, dbt tests included, succeeded."""
    from pipelines.warehouse.store import publish

    path = publish(warehouse.settings)
    context.add_output_metadata({"path": str(path), "bytes": path.stat().st_size})


@dg.asset(group_name=PUBLISH, deps=[published_warehouse])
def dashboard_site(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """The offline dashboard site (leadership, explorer, data quality), from the marts of
    the published warehouse."""
    from dashboards.site import build_site

    settings = warehouse.settings
    index = build_site(settings.warehouse, settings.site_dir)
    context.add_output_metadata({"index": dg.MetadataValue.path(str(index))})
