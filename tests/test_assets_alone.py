"""The Dagster job as the daemon launches it (`execute_job` with the job's own resources, not
`execute_in_process`, which keeps outputs in memory by itself), and each asset run alone:
nothing of what was read (person names) lands in DAGSTER_HOME, and no asset run alone
changes the published warehouse. One full run, then cheap subset runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import pytest
from formfiles import activity_sheet, write_xlsx

from pipelines.cli import operator_lines

# A name no file of the product contains, so that finding it can only mean the form was copied.
NAME = "欧阳蔚然"


def bangfu_job() -> dg.JobDefinition:
    from pipelines.definitions import defs

    return defs.resolve_job_def("bangfu_pipeline")


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def launched(instance: dg.DagsterInstance, *selection: str) -> dg.ExecutionResult:
    """A run the way the daemon makes one: the job reconstructed from its module, in a run
    of the instance, with the job's resources (its IO manager included)."""
    with dg.execute_job(dg.reconstructable(bangfu_job), instance=instance,
                        asset_selection=[dg.AssetKey.from_user_string(s) for s in selection]
                        or None, raise_on_error=False) as result:
        return result


@pytest.fixture
def instance(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        yield instance, home


def test_no_names_in_dagster_home_and_no_asset_alone_changes_what_was_published(
        bangfu_env: dict[str, Path], instance) -> None:
    instance, home = instance
    warehouse = bangfu_env["warehouse"]

    # On a fresh folder, the publish step alone has nothing to publish and makes nothing.
    assert launched(instance, "published_warehouse").success
    assert not warehouse.exists()

    write_xlsx(bangfu_env["raw"] / "临夏州人民医院/和政县人民医院/2021/心内科_2021年3月.xlsx",
               activity_sheet(period="2021年3月", labels=["填报科室：心内科"],
                              rows=[[NAME, 12, 1, 0, 0, 0, 0, 0, 0, 0]]))
    assert launched(instance).success
    published = digest(warehouse)
    assert published is not None

    stored = [p for p in home.rglob("*") if p.is_file()]
    assert stored, "the instance keeps its run history in DAGSTER_HOME"
    holding_name = [p for p in stored if NAME.encode() in p.read_bytes()]
    assert holding_name == []

    # Each step alone, and ingest without dbt: nothing they do reaches what was published.
    # A raw table alone is refused (the raw tables are loaded together); dbt and its docs
    # alone build in a copy that is never published.
    for selection in (["raw/issues"], ["raw/file_versions", "published_warehouse"]):
        refused = launched(instance, *selection)
        assert not refused.success and "raw_tables_together" in operator_lines(refused)[0]
        assert digest(warehouse) == published, selection
    for selection in (["main/ingest_files"], ["dbt_docs"], ["published_warehouse"],
                      ["dashboard_site"]):
        assert launched(instance, *selection).success, selection
        assert digest(warehouse) == published, selection

    # Ingest and publishing without dbt in between: the raw tables are loaded in a copy,
    # but a copy dbt did not build is never published.
    write_xlsx(bangfu_env["raw"] / "临夏州人民医院/和政县人民医院/2021/心内科_2021年4月.xlsx",
               activity_sheet(period="2021年4月", labels=["填报科室：心内科"],
                              rows=[[NAME, 3, 0, 0, 0, 0, 0, 0, 0, 0]]))
    graph = bangfu_job().asset_layer.asset_graph
    raw_keys = [k.to_user_string() for k in graph.get_all_asset_keys() if k.path[0] == "raw"]
    assert launched(instance, *raw_keys, "published_warehouse").success
    assert digest(warehouse) == published
