"""A rebuild makes anew exactly the parts of the site whose inputs changed, takes the others from
the previous site, and gives the site a full build gives."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from formfiles import activity_sheet, write_xlsx
from mart_samples import (
    BUILT_AT,
    FULL_CONTENTS,
    LINXIA,
    REJECTED_SHA,
    SHAOXING,
    file_rows_with_copy,
    write_warehouse,
)
from page_dom import parse

import dashboards.parts
from dashboards.html import format_time
from dashboards.marts import Pair
from dashboards.pages.leadership import pair_page, report_page
from dashboards.pair_site import pair_folder, pair_path
from dashboards.parts import MANIFEST
from dashboards.site import build_site

EARLIER = BUILT_AT - timedelta(days=1)
ANNOTATED_COPY = ("pairs/绍兴市中医院_务川仡佬族苗族自治县中医院/feedback/骨科/"
                  "骨科_统计表_问题标注.xlsx")
REPORT_YEARS = (2018, 2019, 2020, 2021, 2022)
# What reads 心内科's figures of the Shaoxing pair: the index (departments per pair; it shows
# the warehouse's update time too), the explorer's list of pairs, the pair's explorer (its page
# and its departments' data files), the pair's page and each of its year-end reports (their
# per-department table).
# Not the leadership overview, the other pair's folder, the quality pages nor the 退回清单.
SHAOXING_DEPARTMENT_PAGES = {
    "index.html",
    "explorer.html",
    *(pair_path(Pair(*SHAOXING), name)
      for name in ("explorer.html", "explorer/心内科.js", "explorer/骨科.js")),
    pair_page(Pair(*SHAOXING)),
    *(report_page(Pair(*SHAOXING), year) for year in REPORT_YEARS),
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """The sample warehouse, with the annotated copy a run made of 骨科's rejected file beside
    it: the site sends it back."""
    (tmp_path / "warehouse").mkdir()
    recorded = "annotated/ab/" + "ab" * 32 + ".xlsx"
    warehouse = write_warehouse(tmp_path / "warehouse" / "bangfu.duckdb", {
        **FULL_CONTENTS,
        "ingest_files": lambda: file_rows_with_copy(REJECTED_SHA, (recorded, None))})
    (warehouse.parent / recorded).parent.mkdir(parents=True)
    write_xlsx(warehouse.parent / recorded,
               activity_sheet(labels=["填报科室：骨科"], rows=[["张三", 1], ["王五", 1]]))
    return warehouse


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def made_anew(site: Path, before: dict[str, int]) -> set[str]:
    """The site's files that are not the previous site's, linked (the manifest aside)."""
    return {path for path, inode in inodes(site).items()
            if before.get(path) != inode and path != MANIFEST}


def change_one_departments_figure(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        updated = connection.execute(
            "update main.mart_department_trend set value = 950 "
            "where supporting_hospital = ? and recipient_hospital = ? and department = '心内科' "
            "and metric_code = 'total_visits' and year = 2022 returning 1",
            SHAOXING,
        ).fetchall()
    assert len(updated) == 1


def rebuilt_after(change, warehouse: Path, tmp_path: Path) -> tuple[Path, dict]:
    """A site built, `change(site)` made, the site built again and a full build made beside
    it (tmp_path/full), all at one build time: the site, and its files' inodes before."""
    site = tmp_path / "site"
    build_site(warehouse, site, built_at=BUILT_AT)
    before = inodes(site)
    change(site)
    build_site(warehouse, site, built_at=BUILT_AT)
    build_site(warehouse, tmp_path / "full", built_at=BUILT_AT)
    return site, before


def test_a_rebuild_after_a_change_of_one_department_remakes_only_what_shows_it(
    warehouse: Path, tmp_path: Path
):
    site, before = rebuilt_after(lambda _: change_one_departments_figure(warehouse),
                                 warehouse, tmp_path)

    assert made_anew(site, before) == SHAOXING_DEPARTMENT_PAGES
    # The other pair's folder is taken whole from the previous site.
    linxia = {path for path in before if path.startswith(pair_folder(Pair(*LINXIA)) + "/")}
    assert len(linxia) > 5 and not linxia & made_anew(site, before)
    # The same time given, the rebuilt site is the full build's, byte for byte.
    assert files(site) == files(tmp_path / "full")
    # Among what was taken, not made again: the annotated copy and the other pair's page.
    assert ANNOTATED_COPY in before and pair_page(Pair(*LINXIA)) in before


def test_a_page_taken_over_keeps_the_time_it_was_made(warehouse: Path, tmp_path: Path):
    site = tmp_path / "site"
    build_site(warehouse, site, built_at=EARLIER)
    previous = files(site)

    build_site(warehouse, site, built_at=BUILT_AT)
    assert files(site) == previous  # nothing changed: nothing made, the index included

    change_one_departments_figure(warehouse)
    build_site(warehouse, site, built_at=BUILT_AT)
    build_site(warehouse, tmp_path / "full", built_at=BUILT_AT)

    now, full = files(site), files(tmp_path / "full")
    assert now.keys() == full.keys()
    for path in now.keys() - {MANIFEST}:
        # A page made anew is the full build's; one taken over is the previous site's, whose
        # every difference from the full build's is its time.
        expected = full[path] if path in SHAOXING_DEPARTMENT_PAGES else previous[path]
        assert now[path] == expected, path
    footer = parse(site / "leadership.html").find("footer").text()
    assert format_time(EARLIER) in footer and format_time(BUILT_AT) not in footer
    assert format_time(BUILT_AT) in parse(site / "explorer.html").find("footer").text()
    made_at = {name: part["made_at"] for name, part in
               json.loads((site / MANIFEST).read_text(encoding="utf-8"))["parts"].items()}
    # Parts are named by their page; a pair's explorer makes its departments' files too.
    assert {name for name, at in made_at.items() if at != EARLIER.astimezone().isoformat()} == {
        path for path in SHAOXING_DEPARTMENT_PAGES if path.endswith(".html")}


ASSETS = {"assets/plotly.min.js", "assets/tables.js", "assets/tables.css", "assets/style.css",
          "assets/leadership.css", "assets/site.js"}


@pytest.mark.parametrize(
    ("spoil", "remade"),
    [
        pytest.param(lambda site: (site / MANIFEST).write_text("{", encoding="utf-8"), None,
                     id="unreadable manifest"),
        pytest.param(lambda site: (site / MANIFEST).unlink(), None, id="no manifest"),
        pytest.param(lambda site: (site / "explorer.html").write_text("edited", encoding="utf-8"),
                     {"explorer.html"}, id="a file edited"),
        pytest.param(lambda site: (site / "assets" / "site.js").unlink(), ASSETS,
                     id="a file gone"),
    ],
)
def test_what_cannot_be_trusted_is_made_anew(warehouse: Path, tmp_path: Path, spoil, remade):
    """`remade`: the files made anew (None: all of them); a part's files go together."""
    site, before = rebuilt_after(spoil, warehouse, tmp_path)

    assert made_anew(site, before) == (before.keys() - {MANIFEST} if remade is None else remade)
    assert files(site) == files(tmp_path / "full")


def test_a_change_of_code_makes_every_part_anew(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    site = tmp_path / "site"
    build_site(warehouse, site, built_at=BUILT_AT)
    before = inodes(site)
    monkeypatch.setattr(dashboards.parts, "code_digest", lambda: "other code")

    build_site(warehouse, site, built_at=BUILT_AT)

    assert made_anew(site, before) == before.keys() - {MANIFEST}
