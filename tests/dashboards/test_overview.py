"""The leadership overview of a province's pairs in a real Chromium: a row per pair, sorted by
any column, filtered by province, supporting or recipient hospital, each row leading to the
pair's scorecard; the index's per-pair counts sortable too."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import Visit, needs_chromium, offline_browser
from generated_marts import Shape, pair_names, province_of, write_generated_warehouse
from mart_samples import BUILT_AT

from dashboards.site import build_site

pytestmark = needs_chromium

SHAPE = Shape(pairs=24, departments=2, persons=120, files=150)


@pytest.fixture(scope="module")
def province_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("province")
    warehouse = write_generated_warehouse(root / "bangfu.duckdb", SHAPE)
    build_site(warehouse, root / "site", built_at=BUILT_AT)
    return root / "site"


@pytest.fixture
def visit():
    with offline_browser() as context:
        visit = Visit(context)
        yield visit
        assert visit.off_machine() == []
        assert visit.errors == []


def column_texts(visit: Visit, table: str, column: int) -> list[str]:
    return visit.page.locator(f"table.{table} tbody tr td:nth-child({column})").all_text_contents()


def test_the_overview_sorts_filters_and_leads_to_each_scorecard(province_site: Path,
                                                               visit: Visit):
    visit.open(province_site / "leadership.html")
    page = visit.page
    rows = page.locator("table.overview tbody tr")
    assert rows.count() == SHAPE.pairs
    recipients = sorted(recipient for _, recipient in pair_names(SHAPE))
    assert sorted(column_texts(visit, "overview", 1)) == recipients

    # Sorted by a key indicator, by its value, not its text: smallest first, then largest.
    header = page.locator("table.overview thead th", has_text="实际开放床位数")

    def beds() -> list[float]:
        return [float(value) for value in page.locator(
            "table.overview tbody td[data-metric=cap_open_beds]").evaluate_all(
            "cells => cells.map(c => c.dataset.order)")]

    def sorted_by_beds(descending: bool) -> None:
        page.wait_for_function(
            """descending => {
                 const v = [...document.querySelectorAll(
                   'table.overview tbody td[data-metric=cap_open_beds]')]
                   .map(c => Number(c.dataset.order));
                 return v.every((x, i) => i === 0 || (descending ? v[i-1] >= x : v[i-1] <= x));
               }""", arg=descending, timeout=10_000)

    header.locator(".dt-column-title").click()
    sorted_by_beds(descending=False)
    assert len(beds()) == SHAPE.pairs and len(set(beds())) > 1
    page.wait_for_timeout(500)  # two clicks at once are a double click
    header.locator(".dt-column-title").click()
    sorted_by_beds(descending=True)
    assert beds() == sorted(beds(), reverse=True)

    # Filtered by the recipient's province.
    page.select_option("form.table-filters select[data-filter-column='2']", "贵州省")
    expected = sorted(recipient for number, (_, recipient) in enumerate(pair_names(SHAPE))
                      if province_of(number) == "贵州省")
    assert 0 < len(expected) < SHAPE.pairs
    assert sorted(column_texts(visit, "overview", 1)) == expected
    assert set(column_texts(visit, "overview", 3)) == {"贵州省"}
    # and by a supporting hospital within it
    supporting = pair_names(SHAPE)[1][0]
    page.select_option("form.table-filters select[data-filter-column='1']", supporting)
    assert set(column_texts(visit, "overview", 2)) == {supporting}
    page.select_option("form.table-filters select[data-filter-column='1']", "")

    # A row leads to its pair's scorecard.
    first = rows.first.locator("a").first
    recipient = first.text_content()
    first.click()
    page.wait_for_load_state("load")
    assert "/pairs/" in page.url and page.url.endswith("/leadership.html")
    assert recipient in page.locator("h1").text_content()
    assert page.locator("#scorecard table.scorecard-table").count() == 1


def test_the_index_counts_each_pair_and_sorts_them(province_site: Path, visit: Visit):
    visit.open(province_site / "index.html")
    page = visit.page
    assert page.locator("table.pairs tbody tr").count() == SHAPE.pairs
    header = page.locator("table.pairs thead th", has_text="提示")
    header.locator(".dt-column-title").click()
    warnings = [int(text.replace(",", "")) for text in column_texts(visit, "pairs", 8)]
    assert warnings == sorted(warnings) and len(set(warnings)) > 1
