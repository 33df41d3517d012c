"""The site's plotly figures, and how a page embeds one.

A figure is embedded as its JSON spec in a `<script type="application/json">` next to an empty
plot element; `assets/site.js` draws it with the local plotly.js once the element is visible
(so figures in hidden explorer sections get their real size when shown).

Specs are written as plain dicts, not plotly's figure objects: validating every property of
every figure took most of a site build (the explorer draws a figure per department). The
tests validate the sample site's specs with plotly instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from plotly.io.json import to_json_plotly

from dashboards.annual_report import coverage_text, is_partial
from dashboards.html import NOT_REPORTED, Markup, as_float, esc, format_number, join, tag
from dashboards.labels import REPORTING_STATUSES, Label, label_for
from dashboards.marts import Metric

# System fonts only: the site must not load web fonts.
FONT_FAMILY = (
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
MUTED = "#6b7280"
TONE_COLOURS = {
    "good": "#2f855a",
    "warn": "#d69e2e",
    "bad": "#c53030",
    "info": "#3182ce",
    "neutral": "#a0aec0",
}

# A small template of our own: plotly's built-in ones add kilobytes of JSON to every figure.
SITE_TEMPLATE = {
    "layout": {
        "font": {"family": FONT_FAMILY, "size": 12, "color": "#1f2937"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "margin": {"l": 56, "r": 16, "t": 56, "b": 36},
    }
}
AXIS_STYLE = {
    "showline": True,
    "linecolor": "#9ca3af",
    "gridcolor": "#e5e7eb",
    "zeroline": False,
    "ticks": "outside",
    "tickcolor": "#9ca3af",
}


@dataclass(frozen=True)
class TargetLine:
    """A target drawn across a panel as a dashed line, labelled (e.g. '目标 ≥90')."""

    value: float
    label: str


@dataclass(frozen=True)
class TrendPanel:
    """One small multiple: a metric's value per year (None = not reported), optionally the
    hover text of each year (the value with its year-over-year change), target lines, and
    for each year built from fewer reports than expected its coverage ('3/4 个季度'; None
    for a complete year), which draws that year as partial."""

    title: str
    values: Sequence[float | None]
    hover: Sequence[str] | None = None
    targets: Sequence[TargetLine] = ()
    partial: Sequence[str | None] = ()

    def coverage(self, index: int) -> str | None:
        return self.partial[index] if index < len(self.partial) else None


def partial_coverage(rows: Mapping[int, Mapping], years: Sequence[int]) -> list[str | None]:
    """Per year, '3/4 个季度' when the year's mart row was built from fewer reports than
    expected (the row's reports_expected / reports_accepted, cadence when it has one)."""
    coverages = []
    for year in years:
        row = rows.get(year, {})
        coverages.append(
            coverage_text(row.get("reports_expected"), row.get("reports_accepted"),
                          row.get("reporting_cadence"))
            if is_partial(row) else None
        )
    return coverages


def metric_panels(
    metrics: Sequence[Metric], rows: Mapping[str, Mapping[int, Mapping]], years: Sequence[int]
) -> list[TrendPanel]:
    """A panel per metric from mart rows keyed by metric code, then year."""
    return [
        TrendPanel(
            title=metric.title,
            values=[as_float(rows[metric.code].get(year, {}).get("value")) for year in years],
            partial=partial_coverage(rows[metric.code], years),
        )
        for metric in metrics
    ]


def trend_charts(
    panels: Sequence[TrendPanel], years: Sequence[int], colour: str, figure_id: str, label: str
) -> Markup:
    """Small multiples of the panels, in figures of at most two rows of four.

    Each figure then fits on a printed landscape page (a plot cannot be re-laid out for
    print, and one taller than the page would be cut in two).
    """
    columns = min(4, len(panels))
    return join(
        embed(figure, f"{figure_id}-{number}", label)
        for number, figure in enumerate(small_multiples(panels, years, colour, columns), 1)
    )


@dataclass(frozen=True)
class PrintLayout:
    """A figure drawn as a picture for a printed page: its size in CSS pixels (the picture
    is placed at the page's text width, so `width` sets how large its text prints) and the
    characters of a panel title per line."""

    width: int
    font_size: int
    title_chars: int


def small_multiples(
    panels: Sequence[TrendPanel],
    years: Sequence[int],
    colour: str,
    columns: int,
    print_layout: PrintLayout | None = None,
) -> list[dict]:
    """The panels in figures of at most two rows of `columns` (one row for print, so that
    pictures fill the pages): the one chart definition of the site (drawn in the browser)
    and of the report documents (drawn as pictures)."""
    per_figure = (1 if print_layout else 2) * columns
    return [
        _small_multiples(panels[start : start + per_figure], years, colour, columns, print_layout)
        for start in range(0, len(panels), per_figure)
    ]


def _small_multiples(
    panels: Sequence[TrendPanel],
    years: Sequence[int],
    colour: str,
    columns: int,
    print_layout: PrintLayout | None,
) -> dict:
    """One line chart per metric, each with its own y axis (units differ) from 0.

    A year without a value is a gap in the line labelled 未报告, so it never reads as zero; a
    year built from fewer reports than expected is a hollow marker reached by a dashed line,
    its coverage in the hover. The grid is laid out here rather than with make_subplots,
    whose per-axis updates made a site of thirty department figures take seconds to build.
    """
    title_chars = print_layout.title_chars if print_layout else 16
    titles = [_wrap(panel.title, title_chars) for panel in panels]
    title_lines = max(title.count("<br>") + 1 for title in titles)
    font_size = print_layout.font_size if print_layout else 12
    rows = math.ceil(len(panels) / columns)
    panel_height = 170 if print_layout else 210
    title_space = 34 + title_lines * round(font_size * 1.3)
    height = rows * panel_height + (rows - 1) * title_space + title_space + 40
    top_margin = title_space
    plot_height = height - top_margin - 40
    column_gap = 0.07 if columns > 1 else 0
    row_gap = title_space / plot_height
    width = (1 - column_gap * (columns - 1)) / columns
    tall = (1 - row_gap * (rows - 1)) / rows

    traces, annotations, shapes, layout = [], [], [], {}
    for index, panel in enumerate(panels):
        row, column = divmod(index, columns)
        suffix = "" if index == 0 else str(index + 1)
        x_domain = [column * (width + column_gap), column * (width + column_gap) + width]
        top = 1 - row * (tall + row_gap)
        all_missing = all(value is None for value in panel.values)
        layout[f"xaxis{suffix}"] = {
            "domain": x_domain,
            "anchor": f"y{suffix}",
            "tickmode": "array",
            "tickvals": list(years),
            "ticktext": [str(year) for year in years],
            "range": [years[0] - 0.4, years[-1] + 0.4],
            **AXIS_STYLE,
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [top - tall, top],
            "anchor": f"x{suffix}",
            "exponentformat": "none",
            "separatethousands": True,
            **AXIS_STYLE,
            # Nothing to scale when nothing was reported: ticks would invent a range.
            **(
                {"showticklabels": False, "showgrid": False, "range": [0, 1]}
                if all_missing
                else {"rangemode": "tozero"}
            ),
        }
        traces += _trend_traces(panel, years, colour, suffix)
        annotations.append(
            {
                "text": titles[index],
                "x": sum(x_domain) / 2,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "yshift": 4,
                "showarrow": False,
                "font": {"size": font_size},
            }
        )
        for target in panel.targets:
            shapes.append(
                {
                    "type": "line",
                    "xref": f"x{suffix} domain",
                    "yref": f"y{suffix}",
                    "x0": 0,
                    "x1": 1,
                    "y0": target.value,
                    "y1": target.value,
                    "line": {"color": TONE_COLOURS["bad"], "width": 1.5, "dash": "dash"},
                }
            )
            annotations.append(
                {
                    "text": target.label,
                    "xref": f"x{suffix} domain",
                    "yref": f"y{suffix}",
                    "x": 1,
                    "y": target.value,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": font_size - 2, "color": TONE_COLOURS["bad"]},
                }
            )
        in_panel = {"showarrow": False, "xref": f"x{suffix}", "yref": f"y{suffix} domain"}
        if all_missing:
            annotations.append(
                {
                    "text": f"{years[0]}—{years[-1]} 年均{NOT_REPORTED}",
                    **in_panel,
                    "xref": f"x{suffix} domain",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": font_size, "color": MUTED},
                }
            )
            continue
        annotations += [
            {
                "text": NOT_REPORTED,
                **in_panel,
                "x": year,
                "y": 0.08,
                "font": {"size": font_size - 2, "color": MUTED},
            }
            for year, value in zip(years, panel.values, strict=True)
            if value is None
        ]
    figure_layout = {
        **layout,
        "annotations": annotations,
        **({"shapes": shapes} if shapes else {}),  # as plotly writes it: no empty list
        "template": SITE_TEMPLATE,
        "height": height,
        "margin": {"t": top_margin},
    }
    if print_layout:
        figure_layout["width"] = print_layout.width
        figure_layout["font"] = {"family": FONT_FAMILY, "size": font_size, "color": "#1f2937"}
        figure_layout["margin"] = {"t": top_margin, "l": 64, "r": 16, "b": 40}
    return {"data": traces, "layout": figure_layout}


def _trend_traces(panel: TrendPanel, years: Sequence[int], colour: str, suffix: str) -> list:
    """A panel's line: complete years solid with filled markers; a partial year a hollow
    marker, the segments to it dashed, '部分：3/4 个季度' in its hover."""
    texts = (list(panel.hover) if panel.hover is not None
             else [NOT_REPORTED if v is None else format_number(v) for v in panel.values])
    partial = [panel.coverage(i) is not None and v is not None
               for i, v in enumerate(panel.values)]
    axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "showlegend": False,
            "name": panel.title}
    traces = [
        {
            "type": "scatter",
            **axes,
            "x": list(years),
            "y": [None if part else v for v, part in zip(panel.values, partial, strict=True)],
            "text": texts,
            "mode": "lines+markers",
            "connectgaps": False,
            "line": {"color": colour, "width": 2},
            "marker": {"size": 6},
            "hovertemplate": "%{x}年：%{text}<extra></extra>",
        }
    ]
    if not any(partial):
        return traces
    segments_x: list[int | None] = []
    segments_y: list[float | None] = []
    for i in range(len(years) - 1):
        ends = panel.values[i], panel.values[i + 1]
        if None not in ends and (partial[i] or partial[i + 1]):
            segments_x += [years[i], years[i + 1], None]
            segments_y += [ends[0], ends[1], None]
    if segments_x:
        traces.append(
            {
                "type": "scatter",
                **axes,
                "x": segments_x,
                "y": segments_y,
                "mode": "lines",
                "line": {"color": colour, "width": 2, "dash": "dash"},
                "hoverinfo": "skip",
            }
        )
    shown = [i for i, part in enumerate(partial) if part]
    traces.append(
        {
            "type": "scatter",
            **axes,
            "x": [years[i] for i in shown],
            "y": [panel.values[i] for i in shown],
            "text": [f"{texts[i]}<br>部分：{panel.coverage(i)}" for i in shown],
            "mode": "markers",
            "marker": {"size": 8, "symbol": "circle-open",
                       "line": {"color": colour, "width": 2}, "color": colour},
            "hovertemplate": "%{x}年：%{text}<extra></extra>",
        }
    )
    return traces


@dataclass(frozen=True)
class ReportingCell:
    department: str
    period: str
    status: str
    hover: str


def reporting_heat_map(
    departments: Sequence[str],
    periods: Sequence[str],
    cells: Sequence[ReportingCell],
    labels: Mapping[str, Label] = REPORTING_STATUSES,
    blank: ReportingCell | None = None,
) -> dict:
    """Department × quarter, one colour and label per status of `labels`.

    Status codes are categories, not amounts: each gets its own band of a stepped colour
    scale and its Chinese label is written in the cell (缺报 is red and says so). A quarter
    with no row in the mart stays blank, or shows `blank`'s status (无需报送) when given.
    """
    statuses = list(labels)
    band = {status: position + 1 for position, status in enumerate(statuses)}
    colourscale = []
    for position, status in enumerate(statuses):
        colour = TONE_COLOURS[labels[status].tone]
        colourscale += [
            [position / len(statuses), colour],
            [(position + 1) / len(statuses), colour],
        ]
    by_position = {(c.department, c.period): c for c in cells}

    def at(department: str, period: str) -> ReportingCell | None:
        found = by_position.get((department, period))
        if found is None and blank is not None:
            return ReportingCell(department, period, blank.status, f"{department} · {period}<br>"
                                 + blank.hover)
        return found

    def grid(value_of):
        return [[value_of(at(d, p)) for p in periods] for d in departments]

    heat_map = {
        "type": "heatmap",
        "x": list(periods),
        "y": list(departments),
        "z": grid(lambda c: band.get(c.status) if c else None),
        "text": grid(lambda c: label_for(dict(labels), c.status).text if c else ""),
        "customdata": grid(lambda c: c.hover if c else ""),
        "texttemplate": "%{text}",
        "textfont": {"size": 10, "color": "white"},
        "hovertemplate": "%{customdata}<extra></extra>",
        "colorscale": colourscale,
        "zmin": 0.5,
        "zmax": len(statuses) + 0.5,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
    }
    return {
        "data": [heat_map],
        "layout": {
            "xaxis": {"type": "category", "tickangle": -45, "side": "top"},
            "yaxis": {"type": "category", "autorange": "reversed"},
            "template": SITE_TEMPLATE,
            "height": 120 + 30 * len(departments),
            "margin": {"l": 120, "t": 90, "b": 16},
        },
    }


def embed(figure: dict, figure_id: str, label: str) -> Markup:
    """The plot element and its spec; `</` is escaped so the JSON cannot end the script."""
    spec = to_json_plotly(figure).replace("</", "<\\/")
    plot = tag(
        "div",
        None,
        class_="plot",
        id=figure_id,
        role="img",
        aria_label=label,
        data_figure_spec=f"{figure_id}-spec",
    )
    script = Markup(f'<script type="application/json" id="{esc(figure_id)}-spec">{spec}</script>')
    return tag("figure", [plot, script], class_="chart")


# Marks an element into which a page loads figures later (the explorer's departments).
LOADS_FIGURES = "data-loads-figures"


def has_figures(body: str) -> bool:
    """Whether a page body embeds or loads a figure, and so needs plotly.js."""
    return "data-figure-spec=" in body or LOADS_FIGURES in body


def _wrap(text: str, width: int) -> str:
    """Lines of at most `width` characters; a long title breaks before its unit ('（例）')
    rather than leaving it alone on a line."""
    name, bracket, unit = text.rpartition("（")
    if len(text) > width and bracket and len(unit) < width and name:
        return f"{_wrap(name, width)}<br>（{unit}"
    return "<br>".join(text[start : start + width] for start in range(0, len(text), width))
