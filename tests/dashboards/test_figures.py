"""The trend figures' partial years: drawn apart from complete ones, in the site's layout and
in the print layout of the report documents."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from dashboards.figures import PrintLayout, TrendPanel, partial_coverage, small_multiples

YEARS = [2018, 2019, 2020, 2021, 2022]


@pytest.mark.parametrize("layout", [None, PrintLayout(width=680, font_size=13, title_chars=13)])
def test_a_partial_year_is_a_hollow_marker_reached_by_dashes(layout):
    rows = {
        2021: {"reports_expected": 4, "reports_accepted": 4, "reporting_cadence": "quarter"},
        2022: {"reports_expected": 4, "reports_accepted": 3, "reporting_cadence": "quarter"},
    }
    partial = partial_coverage(rows, YEARS)
    assert partial == [None, None, None, None, "3/4 个季度"]
    panels = [TrendPanel("诊疗人次（人次）", [1.0, 2.0, None, 4.0, 3.0], partial=partial),
              TrendPanel("手术例数（例）", [1.0, 2.0, 3.0, 4.0, 5.0])]
    [figure] = small_multiples(panels, YEARS, "#1d4ed8", 3, layout)
    go.Figure(figure)  # plotly accepts it
    first = [t for t in figure["data"] if t["xaxis"] == "x"]
    solid, dashed, hollow = first
    assert solid["y"] == [1.0, 2.0, None, 4.0, None] and solid["mode"] == "lines+markers"
    assert dashed["line"]["dash"] == "dash" and dashed["x"] == [2021, 2022, None]
    assert hollow["marker"]["symbol"] == "circle-open" and hollow["x"] == [2022]
    assert hollow["text"] == ["3<br>部分：3/4 个季度"]
    # A panel without a partial year is one solid line, every count axis from 0.
    assert [t["xaxis"] for t in figure["data"]].count("x2") == 1
    assert all(figure["layout"][axis]["rangemode"] == "tozero" for axis in ("yaxis", "yaxis2"))
    if layout:
        assert figure["layout"]["width"] == 680
        # A title longer than a line breaks before its unit, never leaving "）" alone.
        assert all(not line.startswith("）") for a in figure["layout"]["annotations"]
                   for line in a["text"].split("<br>"))
