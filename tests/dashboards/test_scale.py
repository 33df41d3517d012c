"""The site's size is bounded by pairs × departments × years, not by persons or problems: a
generated warehouse of many persons and warnings builds a site in which no file exceeds its
bound, each pair's folder stays small, and a department's persons are in its own data file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from generated_marts import Shape, pair_names, write_generated_warehouse
from mart_samples import BUILT_AT

from dashboards.marts import Pair
from dashboards.pair_site import PAIRS_FOLDER, pair_folder
from dashboards.site import build_site

MB = 1_000_000
# Targets of issue 22: no file over 5 MB, and 5 MB per pair.
LARGEST_FILE = 5 * MB
PER_PAIR = 5 * MB
# The shape of the 10,000-form corpus, at a fifth: 2 pairs, 40 departments, ~5,000 persons,
# most files warned.
SHAPE = Shape(pairs=2, departments=20, persons=5_000, files=2_000, warned=0.8, rejected=0.01)


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    root = tmp_path_factory.mktemp("large")
    warehouse = write_generated_warehouse(root / "bangfu.duckdb", SHAPE)
    started = time.perf_counter()
    build_site(warehouse, root / "site", built_at=BUILT_AT)
    return root / "site", time.perf_counter() - started


def sizes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size
            for p in folder.rglob("*") if p.is_file()}


def test_no_file_exceeds_its_bound_and_each_pair_stays_small(large_site, record_property):
    site, seconds = large_site
    files = sizes(site)
    largest = max(files, key=files.get)
    record_property("site_bytes", sum(files.values()))
    record_property("largest_file", f"{largest} {files[largest]}")
    record_property("build_seconds", round(seconds, 1))
    print(f"site {sum(files.values()) / MB:.1f} MB in {len(files)} files, built in {seconds:.1f} s;"
          f" largest {largest} {files[largest] / MB:.2f} MB")
    assert files[largest] <= LARGEST_FILE, largest
    for supporting, recipient in pair_names(SHAPE):
        folder = pair_folder(Pair(supporting, recipient))
        in_pair = sum(size for path, size in files.items() if path.startswith(folder + "/"))
        assert 0 < in_pair <= PER_PAIR, folder
    # Outside the pairs' folders: the pages about every pair and the shared assets, whose size
    # does not grow with persons or problems.
    outside = sum(size for path, size in files.items()
                  if not path.startswith(PAIRS_FOLDER + "/") and not path.startswith("assets/"))
    assert outside <= 1 * MB


def test_a_departments_persons_are_in_its_own_file_not_the_pairs_page(large_site):
    site, _ = large_site
    pair = Pair(*pair_names(SHAPE)[0])
    page = (site / pair_folder(pair) / "explorer.html").read_text(encoding="utf-8")
    departments = sorted((site / pair_folder(pair) / "explorer").glob("*.js"))
    assert len(departments) == SHAPE.departments
    some_person = next(line for line in departments[0].read_text(encoding="utf-8").split('\\"')
                       if line.startswith("张") or line.startswith("王"))
    # The pair's page holds each person's name once, for its search, not their figures.
    assert page.count(some_person) <= 1
    # Long lists are data that the browser pages, not rows of markup.
    quality = (site / pair_folder(pair) / "quality.html").read_text(encoding="utf-8")
    assert 'class="table-rows"' in quality and quality.count("<tr>") < 1_000
