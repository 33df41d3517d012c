"""The sample site in a real headless Chromium over file://: no network, plotly draws, no errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import Visit, needs_chromium, offline_browser
from page_dom import figure_specs, parse

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser_context():
    with offline_browser() as context:
        yield context


@pytest.mark.parametrize(
    ("filename", "drawn_on_load"),
    [
        ("index.html", 0),
        ("leadership.html", None),  # every figure of the page
        ("explorer.html", 1),  # only the selected department's
        ("quality.html", None),
    ],
)
def test_each_page_renders_offline_without_errors(
    site: Path, browser_context, filename: str, drawn_on_load: int | None
):
    embedded = figure_specs(parse(site / filename))
    expected = len(embedded) if drawn_on_load is None else drawn_on_load
    visit = Visit(browser_context)

    visit.open(site / filename)
    if expected:
        visit.wait_for_plots(expected)

    assert visit.drawn_plots() == expected
    traces = visit.page.locator(".js-plotly-plot .scatterlayer .trace").count()
    if filename == "leadership.html":
        assert traces == sum(len(spec["data"]) for spec in embedded.values())
    assert visit.requests and all(url.startswith("file:") for url in visit.requests), visit.requests
    assert visit.errors == []
    visit.page.close()


def test_explorer_drills_down_in_the_browser(site: Path, browser_context):
    visit = Visit(browser_context)
    visit.open(site / "explorer.html")
    page = visit.page
    visit.wait_for_plots(1)

    page.select_option("select[name=pair]", label="绍兴市中医院 → 务川仡佬族苗族自治县中医院")
    assert page.locator("select[name=department] option").all_text_contents() == ["心内科", "骨科"]
    visit.wait_for_plots(2)  # 心内科 drawn when shown; the other pair's stays drawn but hidden
    visible_sections = page.locator("section.department-section:visible")
    assert visible_sections.count() == 1
    assert visible_sections.locator("h3").first.text_content() == "心内科"
    assert visible_sections.locator(".js-plotly-plot .main-svg").count() > 0
    width = visible_sections.locator(".js-plotly-plot").bounding_box()["width"]
    assert width > 800  # laid out at its visible width, not as a hidden element

    page.fill("input[name=person]", "柳佳")
    assert page.locator("tbody[data-person]:visible").count() == 1
    assert page.locator("tbody[data-person]:visible th").text_content() == "柳  佳"

    page.select_option("select[name=department]", label="骨科")
    assert page.locator("section.department-section:visible h3").first.text_content() == "骨科"
    assert page.locator("section.department-section:visible .js-plotly-plot").count() == 0

    assert all(url.startswith("file:") for url in visit.requests), visit.requests
    assert visit.errors == []
    visit.page.close()


def test_feedback_pages_render_offline_with_the_site_styles(site: Path, browser_context):
    pages = sorted((site / "feedback").rglob("*.html"))
    visit = Visit(browser_context)
    for path in pages:
        visit.open(path)
        header = visit.page.locator(".site-header")
        # Only the site's stylesheet, found from a folder below the root, draws this line.
        assert header.evaluate("e => getComputedStyle(e).borderBottomWidth") == "3px", path
        assert visit.page.locator("table").count() >= 1, path
    assert len(pages) > 1
    assert visit.requests and all(url.startswith("file:") for url in visit.requests), visit.requests
    assert visit.errors == []
    visit.page.close()
