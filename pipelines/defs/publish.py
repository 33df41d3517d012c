"""Publish: the working warehouse replaces the published one once dbt's build and tests
passed; the dashboard site is then built from what was published."""


import multiprocessing
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform import dbt_docs, dbt_docs_page
from pipelines.warehouse import build_record

PUBLISH = "publish"


@dg.asset(group_name=PUBLISH, deps=[dbt_docs])
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """The warehouse file readers open: replaced atomically, only after every upstream
    step, dbt tests included, succeeded, and only by a working copy dbt built."""
    from pipelines.errors import environment_errors
    from pipelines.warehouse.engine import publish

    settings = warehouse.settings
    with environment_errors(settings.warehouse_dir):
        where = publish(settings)
    if where is None:
        context.log.warning("dbt built nothing in this run: the published warehouse is kept")
        context.add_output_metadata({"published": False})
        return
    metadata = {"published": True, "path": where}
    if not settings.location.is_server:
        metadata["bytes"] = settings.warehouse.stat().st_size
    context.add_output_metadata(metadata)


@dg.asset(group_name=PUBLISH, deps=[published_warehouse])
def dashboard_site(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """The offline dashboard site (leadership, explorer, data quality, 退回清单), from the
    marts of the published warehouse, with dbt's model documentation and Great Expectations'
    Data Docs made safe to open without a network."""
    from dashboards.offline import offline_copy, offline_data_docs
    from dashboards.site import build_site
    from pipelines.validation.suites import data_docs_index
    from pipelines.warehouse.store import STAGING_PREFIX

    settings = warehouse.settings
    with tempfile.TemporaryDirectory(dir=settings.warehouse_dir,
                                     prefix=STAGING_PREFIX) as staging:
        sections = {}
        data_docs = data_docs_index(settings.validation_results).parent
        if data_docs.is_dir():
            sections["data-docs"] = offline_data_docs(data_docs, Path(staging) / "data-docs")
        docs_page = dbt_docs_page(settings)
        if docs_page.is_file():
            folder = Path(staging) / "dbt-docs-page"
            folder.mkdir()
            shutil.copyfile(docs_page, folder / "index.html")
            sections["dbt-docs"] = offline_copy(
                folder, Path(staging) / "dbt-docs", keep_inline_scripts=True)
        # In a process of its own: the site holds the marts (a row per person and year) while
        # it writes, and this process still holds what ingest and dbt left in its heap (at a
        # province's 96,000 forms: 2.0 GB here, 1.4 GB alone).
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as alone:
            index = alone.submit(build_site, settings.location, settings.site_dir,
                                 extra_sections=sections).result()
    build_record.site_built(settings)
    context.add_output_metadata({
        "index": dg.MetadataValue.path(str(index)),
        "sections": ", ".join(sorted(sections)),
    })
