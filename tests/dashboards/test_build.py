"""How the site is built: atomic publication, extra sections, and warehouses with little in them."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from mart_samples import SHAOXING, file_rows, write_warehouse
from page_dom import figure_specs, parse

import dashboards.site
from dashboards import feedback
from dashboards.pages import PAGES
from dashboards.parts import MANIFEST
from dashboards.site import build_site


def leftovers(site_dir: Path) -> list[str]:
    """Working folders of a build that were not cleaned up."""
    return sorted(
        p.name for p in site_dir.parent.iterdir() if p.name.startswith(f".{site_dir.name}")
    )


def test_build_returns_the_index_and_replaces_the_previous_site(warehouse: Path, tmp_path: Path):
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "stale.html").write_text("old", encoding="utf-8")

    index = build_site(warehouse, site_dir)

    assert index == site_dir / "index.html" and index.is_file()
    assert not (site_dir / "stale.html").exists()
    assert sorted(p.name for p in site_dir.iterdir()) == sorted(
        ["assets", "feedback", "pairs", "pairs.json", MANIFEST,
         *(page.filename for page in PAGES)]
    )
    assert leftovers(site_dir) == []


def test_a_failing_build_leaves_the_old_site_intact(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    site_dir = tmp_path / "site"
    build_site(warehouse, site_dir)
    before = {p.relative_to(site_dir): p.read_bytes() for p in site_dir.rglob("*") if p.is_file()}

    def render_then_fail(context):
        # Pages before this one are written by now: none of them may be visible yet.
        assert {
            p.relative_to(site_dir): p.read_bytes() for p in site_dir.rglob("*") if p.is_file()
        } == before
        raise RuntimeError("figure failed")

    failing = (*PAGES[:-1], replace(PAGES[-1], render=render_then_fail))
    monkeypatch.setattr(dashboards.site, "PAGES", failing)
    with pytest.raises(RuntimeError, match="figure failed"):
        build_site(warehouse, site_dir)

    after = {p.relative_to(site_dir): p.read_bytes() for p in site_dir.rglob("*") if p.is_file()}
    assert after == before
    assert leftovers(site_dir) == []


def test_the_warehouse_is_only_read_and_only_schema_main(warehouse: Path, tmp_path: Path):
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema staging")
        connection.execute(
            "create table staging.mart_capacity_trend as select * "
            "replace ('不应出现的医院' as supporting_hospital) from main.mart_capacity_trend"
        )
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()

    build_site(warehouse, tmp_path / "site")

    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest
    for page in (tmp_path / "site").rglob("*.html"):
        assert "不应出现的医院" not in page.read_text("utf-8")


@pytest.mark.parametrize("filename", [*(page.filename for page in PAGES), feedback.INDEX])
def test_an_empty_warehouse_gives_pages_that_say_there_is_no_data(
    empty_warehouse: Path, tmp_path: Path, filename: str
):
    build_site(empty_warehouse, tmp_path / "site")
    page = parse(tmp_path / "site" / filename)
    assert "暂无数据" in page.find("main").text()
    assert figure_specs(page) == {}


def test_missing_marts_and_a_missing_warehouse_still_build(tmp_path: Path):
    files_only = write_warehouse(tmp_path / "files.duckdb", {"ingest_files": file_rows})
    build_site(files_only, tmp_path / "site")
    leadership = parse(tmp_path / "site" / "leadership.html").find("main").text()
    assert "暂无数据" in leadership
    quality = parse(tmp_path / "site" / "quality.html").find("main").text()
    assert "已退回" in quality  # the one table present is shown
    # no pair (the pairs come from the marts), no issues; a pair's completeness and
    # quarantined rows are on its own page
    assert quality.count("暂无数据") == 2

    index = build_site(tmp_path / "nothing-yet.duckdb", tmp_path / "site")
    assert "数据仓库尚未建立" in index.read_text(encoding="utf-8")
    assert not (tmp_path / "nothing-yet.duckdb").exists()


def test_extra_sections_are_copied_in_linked_and_kept_on_rebuild(warehouse: Path, tmp_path: Path):
    dbt_docs = tmp_path / "target"
    dbt_docs.mkdir()
    (dbt_docs / "index.html").write_text("<html>dbt</html>", encoding="utf-8")
    site_dir = tmp_path / "site"

    build_site(warehouse, site_dir, {"dbt-docs": dbt_docs})
    # Written by another step straight into the published site, without an index page.
    (site_dir / "data-docs").mkdir()
    (site_dir / "data-docs" / "batch-1.html").write_text("校验结果", encoding="utf-8")
    build_site(warehouse, site_dir)

    assert (site_dir / "dbt-docs" / "index.html").read_text(encoding="utf-8") == "<html>dbt</html>"
    assert (site_dir / "data-docs" / "batch-1.html").is_file()
    for page in PAGES:
        navigation = parse(site_dir / page.filename).find("nav")
        links = {a.text(): a.attributes["href"] for a in navigation.find_all("a")}
        assert links["数据模型文档"] == "dbt-docs/index.html"
        assert links["数据校验报告"] == "data-docs/"
        assert links["退回清单"] == "feedback/index.html"
    index_links = {a.attributes["href"] for a in parse(site_dir / "index.html").find_all("a")}
    assert {"dbt-docs/index.html", "data-docs/", "feedback/index.html"} <= index_links


def test_the_feedback_section_is_built_from_the_warehouse_not_copied(
    warehouse: Path, tmp_path: Path
):
    with pytest.raises(ValueError, match="unknown site sections"):
        build_site(warehouse, tmp_path / "site", {"feedback": tmp_path})
    site_dir = tmp_path / "site"
    build_site(warehouse, site_dir)
    stale = site_dir / "feedback" / "旧清单.html"
    stale.write_text("旧的退回清单", encoding="utf-8")

    build_site(warehouse, site_dir)

    assert not stale.exists()
    assert (site_dir / "feedback" / "index.html").is_file()


def test_an_unknown_extra_section_is_refused_before_anything_is_written(
    warehouse: Path, tmp_path: Path
):
    with pytest.raises(ValueError, match="unknown site sections"):
        build_site(warehouse, tmp_path / "site", {"grafana": tmp_path})
    assert not (tmp_path / "site").exists()
    assert leftovers(tmp_path / "site") == []


def test_pairs_appear_in_every_page_that_has_data_for_them(site: Path):
    label = f"{SHAOXING[0]} → {SHAOXING[1]}"
    for filename in ("leadership.html", "explorer.html", "quality.html"):
        assert label in (site / filename).read_text(encoding="utf-8")
