"""The year-end report annex (年终书面汇报附件) per pair and year as files a director signs and
sends: a PDF laid out for A4, a Word document (the same, to be edited into the written report)
and an Excel workbook (a formatted sheet per table, numbers as numbers).

Everything comes from the marts through one content (dashboards/annual_report.py) and one
chart definition (dashboards/figures.py, the site's own small multiples): the charts are drawn
once per report as pictures by plotly's static export (kaleido, through Debian's Chromium) and
placed in both the PDF and the Word document.

The PDF is typeset by WeasyPrint, a paged-media engine, from a document written for print (not
the site's page printed by a browser): CSS paged media gives what a printed annex needs and a
browser's print does not — page numbers and "第 N 页，共 M 页" in the margin (counter(page),
counter(pages)), a table of contents with the page of each section (target-counter), table
headers repeated on every page and rows never split (thead, break-inside), and sections that
follow each other without half-empty pages.
"""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range

from dashboards.annual_report import (
    AnnualReport,
    Cell,
    Column,
    Quantity,
    Table,
    build_report,
    cell_text,
    report_years,
)
from dashboards.figures import PrintLayout, small_multiples
from dashboards.html import esc, format_time, is_missing, join, tag
from dashboards.marts import PROGRAMME_YEARS, Marts, Pair, load_marts
from dashboards.numbers import EXCEL_FORMATS
from dashboards.pages.leadership import GROUP_COLOURS, trend_panels
from pipelines.sheet_print import PAGES_TALL, row_height
from pipelines.warehouse.location import WarehouseLocation, as_location
from pipelines.warehouse.reading import published_exists

CHROMIUM = Path("/usr/bin/chromium")
SIGN_OFF = ("编制", "审核")
UNSAFE_IN_FILE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s]+')
UNSAFE_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
COVER_WIDTH = 80  # the workbook's 说明 sheet: one column, within an A4 page
SECTION_NUMBERS = "一二三四五六七八九十"
# Drawn at 680 CSS px and placed at the page's text width (174 mm): 13 px type prints at
# about 9 pt, as the tables' text does.
CHART_LAYOUT = PrintLayout(width=680, font_size=13, title_chars=13)
CHART_COLUMNS = 3
CHART_SCALE = 3  # pixels per CSS pixel of the pictures: sharp when printed at 300 dpi
PARTIAL_NOTE = ("空心点及虚线：该年已接收的报表少于应报，数值为部分合计"
                "（份数见各科室工作量表和数据质量说明）。")
# The charts of each section, by the section's title: (metric group, chart title).
SECTION_CHARTS = {
    "帮扶工作量": ("workload", "帮扶工作量 {first}—{last} 年趋势"),
    "受援医院能力指标": ("capacity", "受援医院能力指标 {first}—{last} 年趋势（红色虚线为目标）"),
}


class ReportError(ValueError):
    """An operator's request that cannot be met (unknown pair, nothing for the year), in
    Chinese."""


@dataclass(frozen=True)
class Chart:
    """A section's chart: its title and its figures, each drawn as a PNG."""

    section: str
    title: str
    figures: list[dict]
    partial: bool
    pictures: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    pair: Pair
    year: int
    paths: tuple[Path, ...]
    warning: str | None = None  # in Chinese: what the documents lack (their charts)


def write_reports(
    warehouse: WarehouseLocation | Path | str,
    out_dir: Path,
    year: int,
    pair: Pair | None = None,
    *,
    built_at: datetime | None = None,
) -> list[Written]:
    """Write each pair's (or the given pair's) annex for `year` as .pdf, .docx and .xlsx."""
    location = as_location(warehouse)
    if not published_exists(location):
        raise ReportError(f"没有数据仓库 {location.describe()}，请先运行 bangfu run")
    marts = load_marts(location)
    pairs = _select(marts, pair)
    built_at = (built_at or datetime.now(UTC)).astimezone()
    for chosen in pairs:
        if year not in report_years(marts, chosen):
            years = "、".join(map(str, report_years(marts, chosen))) or "无"
            raise ReportError(f"{chosen.label}：数据仓库中没有 {year} 年的数据"
                              f"（有数据的年份：{years}）")
    reports = [build_report(marts, chosen, year, built_at) for chosen in pairs]
    charts = [report_charts(marts, chosen) for chosen in pairs]
    warning = None
    if CHROMIUM.exists():
        draw_charts([chart for pair_charts in charts for chart in pair_charts])
    else:
        # The tables and sentences are the annex; a chart is a picture of them.
        charts = [[] for _ in pairs]
        warning = (f"没有找到 {CHROMIUM}，文件中没有趋势图；安装 Debian 的 chromium "
                   "（apt-get install chromium）后重新运行即可加上")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for report, pair_charts in zip(reports, charts, strict=True):
        stem = out_dir / UNSAFE_IN_FILE_NAME.sub("_", report.file_stem)
        paths = (
            write_pdf(report, pair_charts, stem.with_suffix(".pdf")),
            write_document(report, pair_charts, stem.with_suffix(".docx")),
            write_workbook(report, stem.with_suffix(".xlsx")),
        )
        written.append(Written(report.pair, year, paths, warning))
    return written


def _select(marts: Marts, wanted: Pair | None) -> list[Pair]:
    pairs = marts.pairs("mart_capacity_trend")
    if not pairs:
        raise ReportError("数据仓库中还没有任何帮扶关系的数据，请先运行 bangfu run")
    if wanted is None:
        return pairs
    if wanted not in pairs:
        known = "；".join(f"{p.supporting}/{p.recipient}" for p in pairs)
        raise ReportError(f"数据仓库中没有帮扶关系 {wanted.supporting}/{wanted.recipient} 的数据；"
                          f"有数据的帮扶关系：{known}")
    return [wanted]


# --- charts -------------------------------------------------------------------------------------


def report_charts(marts: Marts, pair: Pair) -> list[Chart]:
    """The trend charts of the report's sections, from the site's chart definition laid out
    for an A4 page (three panels a row, two rows a figure)."""
    charts = []
    first, last = PROGRAMME_YEARS[0], PROGRAMME_YEARS[-1]
    for section, (group, title) in SECTION_CHARTS.items():
        panels = trend_panels(marts, pair, group)
        if not panels:
            continue
        figures = small_multiples(panels, PROGRAMME_YEARS, GROUP_COLOURS[group], CHART_COLUMNS,
                                  CHART_LAYOUT)
        partial = any(coverage for panel in panels for coverage in panel.partial)
        charts.append(Chart(section, title.format(first=first, last=last), figures, partial))
    return charts


def draw_charts(charts: list[Chart]) -> None:
    """Draw every figure as a PNG with plotly's static export (kaleido), in one Chromium.

    kaleido loads plotly.js from the plotly package and nothing else (MathJax off); the
    browser is given a closed loopback proxy, so no request can leave the machine.
    """
    import kaleido

    async def draw() -> list[bytes]:
        options = {"format": "png", "scale": CHART_SCALE}
        async with kaleido.Kaleido(path=str(CHROMIUM), mathjax=False,
                                   proxy_server="127.0.0.1:9") as renderer:
            return [await renderer.calc_fig(figure, opts=options)
                    for chart in charts for figure in chart.figures]

    pictures = iter(asyncio.run(draw()))
    for chart in charts:
        chart.pictures[:] = [next(pictures) for _ in chart.figures]


# --- PDF ----------------------------------------------------------------------------------------


PRINT_CSS = """
@page {
  size: A4;
  margin: 18mm 18mm 20mm 18mm;
  @top-left { content: string(report-title); font-size: 8pt; color: #6b7280; }
  @bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页";
                   font-size: 9pt; color: #374151; }
}
@page :first {
  @top-left { content: none; }
  @bottom-center { content: none; }
}
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 10pt;
       line-height: 1.5; color: #111827; }
h1, h2, h3, th, .cover, .toc { font-family: "Noto Sans CJK SC", sans-serif; }
.cover { height: 250mm; position: relative; break-after: page; }
.cover .kind { font-size: 14pt; letter-spacing: 0.3em; margin-top: 30mm; text-align: center; }
.cover h1 { string-set: report-title content(); font-size: 22pt; line-height: 1.4;
            text-align: center; margin: 18mm 10mm 20mm; }
.cover dl { display: grid; grid-template-columns: 28mm 1fr; margin: 0 20mm; font-size: 13pt;
            row-gap: 4mm; }
.cover dt { font-weight: bold; }
.cover dd { margin: 0; }
.cover .sign { position: absolute; bottom: 22mm; left: 20mm; right: 20mm; font-size: 13pt;
               border-collapse: collapse; width: auto; }
.cover .sign td { border: none; padding: 5mm 2mm 0 0; }
.cover .line { display: inline-block; width: 45mm; border-bottom: 0.6pt solid #111827; }
.cover .source { position: absolute; bottom: 0; left: 20mm; right: 20mm; font-size: 9pt;
                 color: #4b5563; text-align: left; }
.toc h2 { margin-top: 0; }
.toc ol { list-style: none; padding: 0; margin: 0 0 8mm; font-size: 11pt; }
.toc li { margin: 2mm 0; }
.toc a { color: inherit; text-decoration: none; }
.toc a::after { content: leader(".") target-counter(attr(href), page); }
h2 { font-size: 14pt; margin: 8mm 0 3mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 2mm; break-after: avoid; }
p { margin: 0 0 2mm; text-align: justify; }
p.note, figcaption { font-size: 8.5pt; color: #4b5563; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 9pt;
        margin-bottom: 2mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.5pt solid #9ca3af; padding: 1mm 1.4mm; vertical-align: top;
         overflow-wrap: break-word; }
th { background: #f3f4f6; font-weight: bold; text-align: left; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
td .missing { color: #6b7280; }
figure { margin: 3mm 0; break-inside: avoid; }
figure img { width: 100%; display: block; }
"""


def print_html(report: AnnualReport, charts: list[Chart]) -> str:
    """The annex as one HTML document for WeasyPrint: cover, contents, the sections."""
    cover = tag(
        "section",
        [
            tag("p", "年终书面汇报附件", class_="kind"),
            tag("h1", report.title),
            tag("dl", [
                tag("dt", "支援医院"), tag("dd", report.pair.supporting),
                tag("dt", "受援医院"), tag("dd", report.pair.recipient),
                tag("dt", "年度"), tag("dd", f"{report.year} 年"),
            ]),
            tag("table", [
                tag("tr", [tag("td", f"{role}："), tag("td", tag("span", "", class_="line")),
                           tag("td", "日期："), tag("td", tag("span", "", class_="line"))])
                for role in SIGN_OFF
            ], class_="sign"),
            tag("p", f"数据来源：bangfu 数据仓库（各科室工作统计表、受援医院能力指标表）；"
                     f"生成时间：{format_time(report.built_at)}。", class_="source"),
        ],
        class_="cover",
    )
    headings = [f"{SECTION_NUMBERS[n]}、{s.title}" for n, s in enumerate(report.sections)]
    contents = tag("nav", [
        tag("h2", "目录"),
        tag("ol", [tag("li", tag("a", heading, href=f"#section-{n}"))
                   for n, heading in enumerate(headings, 1)]),
    ], class_="toc")
    by_section = {chart.section: chart for chart in charts}
    sections = []
    for number, (heading, section) in enumerate(zip(headings, report.sections, strict=True), 1):
        parts: list[object] = [tag("h2", heading, id=f"section-{number}")]
        parts += [tag("p", text) for text in section.paragraphs]
        chart = by_section.get(section.title)
        for index, table in enumerate(section.tables):
            parts.append(_print_table(table))
            if chart and index == 0:
                parts.append(_print_chart(chart))
        sections.append(tag("section", parts))
    body = tag("body", [cover, contents, *sections])
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{esc(report.title)}</title>"
            f'<meta name="author" content="bangfu">'
            f'<meta name="dcterms.created" content="{report.built_at.isoformat()}">'
            f'<meta name="dcterms.modified" content="{report.built_at.isoformat()}">'
            f"<style>{PRINT_CSS}</style></head>{body}</html>")


def _print_table(table: Table) -> object:
    total = sum(column.width for column in table.columns)
    parts: list[object] = [tag("h3", table.title)]
    if table.rows:
        number = {"class_": "number"}
        parts.append(tag("table", [
            tag("colgroup", [tag("col", None, style=f"width: {100 * c.width / total:.1f}%")
                             for c in table.columns]),
            tag("thead", tag("tr", [tag("th", c.title, **(number if c.kind != "text" else {}))
                                    for c in table.columns])),
            tag("tbody", [
                tag("tr", [_print_cell(value, column)
                           for value, column in zip(row, table.columns, strict=True)])
                for row in table.rows
            ]),
        ]))
    else:
        parts.append(tag("p", "无。"))
    if table.note:
        parts.append(tag("p", table.note, class_="note"))
    return tag("div", parts, class_="table-block")


def _print_cell(value: Cell, column: Column) -> object:
    text = cell_text(value)
    if isinstance(value, Quantity) and is_missing(value.value):
        text = tag("span", text, class_="missing")
    return tag("td", text, class_="number" if column.kind != "text" else None)


def _print_chart(chart: Chart) -> object:
    return join(
        tag("figure", [
            tag("img", None, src="data:image/png;base64," + base64.b64encode(png).decode(),
                alt=f"{chart.title}（{number}/{len(chart.pictures)}）"),
            tag("figcaption", _caption(chart, number)),
        ])
        for number, png in enumerate(chart.pictures, 1)
    )


def _caption(chart: Chart, number: int) -> str:
    """'图：… (2/5)'; the last picture's caption says how a partial year is drawn."""
    count = len(chart.pictures)
    caption = f"图：{chart.title}" + (f"（{number}/{count}）" if count > 1 else "")
    return caption + (f"。{PARTIAL_NOTE}" if chart.partial and number == count else "")


def write_pdf(report: AnnualReport, charts: list[Chart], path: Path) -> Path:
    from weasyprint import HTML, URLFetcher

    # Everything the document needs is inline (styles, data: pictures) or a system font.
    inline_only = URLFetcher(allowed_protocols={"data"})
    HTML(string=print_html(report, charts), url_fetcher=inline_only).write_pdf(str(path))
    return path


# --- Word ---------------------------------------------------------------------------------------


def write_document(report: AnnualReport, charts: list[Chart], path: Path) -> Path:
    """The annex as a Word document laid out for A4 like the PDF: a cover with the 编制 and
    审核 lines, contents (a TOC field Word fills in), page numbers, tables whose header row
    repeats and whose rows are never split, and the same charts."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    when = report.built_at.astimezone(UTC).replace(tzinfo=None)
    properties = document.core_properties
    properties.title = report.title
    properties.author = properties.last_modified_by = "bangfu"
    properties.created = properties.modified = when
    properties.revision = 1
    properties.comments = ""
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid", "Caption"):
        style = document.styles[style_name]
        style.font.name = "宋体"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    document.styles["Normal"].font.size = Pt(10.5)
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.left_margin = page.right_margin = Cm(1.8)
    page.top_margin, page.bottom_margin = Cm(1.8), Cm(2)
    page.different_first_page_header_footer = True
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页，共 ")
    _field(footer, "NUMPAGES", "1")
    footer.add_run(" 页")
    text_width = page.page_width - page.left_margin - page.right_margin

    kind = document.add_paragraph("年终书面汇报附件")
    kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
    kind.paragraph_format.space_before = Pt(90)
    title = document.add_heading(report.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(48)
    for label, value in (("支援医院", report.pair.supporting), ("受援医院", report.pair.recipient),
                         ("年度", f"{report.year} 年")):
        line = document.add_paragraph()
        line.paragraph_format.left_indent = Cm(2)
        line.add_run(f"{label}：").bold = True
        line.add_run(value)
        for run in line.runs:
            run.font.size = Pt(14)
    gap = document.add_paragraph()
    gap.paragraph_format.space_before = Pt(230)
    for role in SIGN_OFF:
        line = document.add_paragraph(f"{role}：＿＿＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿＿＿")
        line.paragraph_format.left_indent = Cm(2)
        line.paragraph_format.space_before = Pt(18)
        line.runs[0].font.size = Pt(14)
    source = document.add_paragraph(
        f"数据来源：bangfu 数据仓库（各科室工作统计表、受援医院能力指标表）；"
        f"生成时间：{format_time(report.built_at)}。")
    source.paragraph_format.space_before = Pt(36)
    source.runs[0].font.size = Pt(9)
    source.add_run().add_break(WD_BREAK.PAGE)

    # Contents: each section's heading and its page, a PAGEREF field to a bookmark on the
    # heading, which Word and LibreOffice work out as they lay the pages out.
    document.add_paragraph("目录", style="Heading 2")
    headings = [f"{SECTION_NUMBERS[n]}、{s.title}" for n, s in enumerate(report.sections)]
    for number, heading in enumerate(headings, 1):
        entry = document.add_paragraph()
        entry.paragraph_format.tab_stops.add_tab_stop(
            text_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        entry.add_run(f"{heading}\t")
        _field(entry, f"PAGEREF section-{number} \\h", "")
    settings = document.settings.element
    settings.append(settings.makeelement(qn("w:updateFields"), {qn("w:val"): "true"}))

    by_section = {chart.section: chart for chart in charts}
    for number, (heading, section) in enumerate(zip(headings, report.sections, strict=True), 1):
        _bookmark(document.add_heading(heading, level=1), f"section-{number}", number)
        for text in section.paragraphs:
            document.add_paragraph(text)
        chart = by_section.get(section.title)
        for index, table in enumerate(section.tables):
            heading = document.add_heading(table.title, level=2)
            heading.paragraph_format.keep_with_next = True
            if not table.rows:
                document.add_paragraph("无。")
            else:
                _word_table(document, table, text_width, WD_TABLE_ALIGNMENT, WD_ALIGN_PARAGRAPH,
                            qn, Pt)
            if table.note:
                document.add_paragraph(table.note).runs[0].font.size = Pt(9)
            if chart and index == 0:
                for picture_number, png in enumerate(chart.pictures, 1):
                    picture = document.add_paragraph()
                    picture.paragraph_format.keep_with_next = True
                    picture.add_run().add_picture(BytesIO(png), width=text_width)
                    document.add_paragraph(_caption(chart, picture_number), style="Caption")
    document.save(str(path))
    return path


def _word_table(document, table: Table, text_width, table_alignment, alignment, qn, Pt) -> None:
    from docx.oxml import OxmlElement

    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = table_alignment.CENTER
    grid.autofit = False
    total = sum(column.width for column in table.columns)
    widths = [int(text_width * column.width / total) for column in table.columns]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the grid's widths, which LibreOffice lays the table out by

    def fill(row, texts: list[str], bold: bool) -> None:
        properties = row._tr.get_or_add_trPr()
        keep_whole = OxmlElement("w:cantSplit")  # a row is never split across pages
        keep_whole.set(qn("w:val"), "true")
        properties.append(keep_whole)
        for cell, text, column, width in zip(row.cells, texts, table.columns, widths,
                                             strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(9)
            run.bold = bold
            if column.kind != "text":
                paragraph.alignment = alignment.RIGHT

    header = grid.rows[0]
    fill(header, [column.title for column in table.columns], bold=True)
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for values in table.rows:
        fill(grid.add_row(), [cell_text(value) for value in values], bold=False)


def _bookmark(paragraph, name: str, number: int) -> None:
    """A bookmark around the paragraph's text, for PAGEREF fields to point at."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES, TOC) with the text shown until it is updated."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def element(name: str, **attributes: str):
        made = OxmlElement(name)
        for key, value in attributes.items():
            made.set(qn(key), value)
        return made

    run = paragraph.add_run()
    run._r.append(element("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"}))
    code = element("w:instrText", **{"xml:space": "preserve"})
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    paragraph.add_run()._r.append(element("w:fldChar", **{"w:fldCharType": "separate"}))
    paragraph.add_run(shown)
    paragraph.add_run()._r.append(element("w:fldChar", **{"w:fldCharType": "end"}))


# --- Excel --------------------------------------------------------------------------------------


def write_workbook(report: AnnualReport, path: Path) -> Path:
    """One sheet per table with its title, Chinese headers and numbers stored as numbers in
    their unit's format (未报告 as text where nothing was reported); A4, fitted to the page
    width, header repeated."""
    workbook = xlsxwriter.Workbook(str(path))
    created = report.built_at.astimezone(UTC).replace(tzinfo=None)
    workbook.set_properties({"title": report.title, "author": "bangfu", "created": created})
    base = {"border": 1, "valign": "top", "font_name": "宋体", "font_size": 10}
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14, "font_name": "宋体"}),
        "line": workbook.add_format({"font_name": "宋体", "text_wrap": True, "valign": "top"}),
        "header": workbook.add_format({**base, "bold": True, "bg_color": "#F3F4F6",
                                       "text_wrap": True}),
        "text": workbook.add_format({**base, "text_wrap": True, "quote_prefix": True}),
        "missing": workbook.add_format({**base, "font_color": "#6B7280", "align": "right"}),
    }
    for unit, number_format in EXCEL_FORMATS.items():
        decimals = number_format.partition(";")[0].lstrip("+")
        formats[unit] = workbook.add_format({**base, "num_format": number_format})
        formats[f"{unit}+"] = workbook.add_format(
            {**base, "num_format": f"+{decimals};-{decimals};{decimals}"})
    _cover_sheet(workbook, report, formats)
    used: set[str] = set()
    for section in report.sections:
        for table in section.tables:
            _table_sheet(workbook, _sheet_name(table, used), section.title, table, formats)
    workbook.close()
    return path


def _sheet_name(table: Table, used: set[str]) -> str:
    name = UNSAFE_IN_SHEET_NAME.sub("", table.title)[:31]
    while name in used:
        name = name[:29] + f"{len(used):02d}"
    used.add(name)
    return name


def _print_setup(sheet, header_row: int | None, title: str) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, PAGES_TALL)
    sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    sheet.set_header(f"&L&8{title}")
    sheet.set_footer("&C&8第 &P 页，共 &N 页")
    if header_row is not None:
        sheet.repeat_rows(header_row)


def _cover_sheet(workbook, report: AnnualReport, formats) -> None:
    sheet = workbook.add_worksheet("说明")
    sheet.set_column(0, 0, COVER_WIDTH)
    lines = [
        f"支援医院：{report.pair.supporting}",
        f"受援医院：{report.pair.recipient}",
        f"年度：{report.year} 年",
        f"生成时间：{format_time(report.built_at)}",
        *(f"{role}：＿＿＿＿＿＿＿＿　日期：＿＿＿＿＿" for role in SIGN_OFF),
        "",
    ]
    for number, section in enumerate(report.sections):
        lines.append(f"{SECTION_NUMBERS[number]}、{section.title}")
        lines += [f"    {text}" for text in section.paragraphs]
    sheet.write_string(0, 0, report.title, formats["title"])
    for row, line in enumerate(lines, start=2):
        sheet.write_string(row, 0, line, formats["line"])
        sheet.set_row(row, row_height([(line, COVER_WIDTH)]))
    _print_setup(sheet, None, report.title)
    sheet.fit_to_pages(1, 1)
    sheet.set_portrait()


def _table_sheet(workbook, name: str, section: str, table: Table, formats) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.write_string(0, 0, f"{section}：{table.title}", formats["title"])
    header_row = 2
    for column, spec in enumerate(table.columns):
        sheet.set_column(column, column, spec.width)
        sheet.write_string(header_row, column, spec.title, formats["header"])
    sheet.set_row(header_row, row_height(((c.title, c.width) for c in table.columns), 10))
    for row, values in enumerate(table.rows, start=header_row + 1):
        for column, value in enumerate(values):
            if isinstance(value, Quantity):
                if is_missing(value.value):
                    sheet.write_string(row, column, value.text, formats["missing"])
                else:
                    number_format = formats[value.unit + ("+" if value.signed else "")]
                    sheet.write_number(row, column, float(value.value), number_format)
            elif value is None:
                sheet.write_blank(row, column, None, formats["text"])
            else:
                sheet.write_string(row, column, cell_text(value), formats["text"])
        sheet.set_row(row, row_height(((cell_text(value), spec.width)
                                       for value, spec in zip(values, table.columns, strict=True)),
                                      font_size=10))
    last_row = header_row + max(len(table.rows), 1)
    if not table.rows:
        sheet.write_string(header_row + 1, 0, "无", formats["text"])
    if table.note:
        width = sum(column.width for column in table.columns)
        sheet.merge_range(last_row + 2, 0, last_row + 2, len(table.columns) - 1, table.note,
                          formats["line"])
        sheet.set_row(last_row + 2, row_height([(table.note, width)]))
    sheet.freeze_panes(header_row + 1, 0)
    if table.rows:
        sheet.ignore_errors({"number_stored_as_text": xl_range(header_row, 0, last_row,
                                                               len(table.columns) - 1)})
    _print_setup(sheet, header_row, f"{section}：{table.title}")
