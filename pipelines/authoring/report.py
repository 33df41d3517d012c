"""The year-end report annex (年终书面汇报附件) per pair and year, written for people: an Excel
workbook (a formatted sheet per table), a Word document (the same sections as text and tables,
to be edited into the written report) and, when Debian's Chromium is present, a PDF printed from
the site's report page. Everything comes from the marts (dashboards/annual_report.py).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range

from dashboards.annual_report import AnnualReport, Column, Table, build_report, report_years
from dashboards.html import format_number, format_signed, format_time, is_missing
from dashboards.marts import Marts, Pair, load_marts
from dashboards.pages.leadership import capacity_charts
from pipelines.naming import xml_safe

CHROMIUM = Path("/usr/bin/chromium")
NOT_REPORTED = "未报告"
NOT_COMPUTABLE = "—"
SIGN_OFF = ("编制：＿＿＿＿＿＿＿＿　日期：＿＿＿＿＿", "审核：＿＿＿＿＿＿＿＿　日期：＿＿＿＿＿")
# The Word document has no charts: no chart renderer (kaleido) is installed, and the written
# report is edited in Word, where a table of numbers serves better than a picture. The PDF,
# printed from the site's page, has them.
NO_CHARTS_NOTE = (
    "本附件不含图表；各指标的五年趋势图（含目标线）见本附件的 PDF 版本及数据平台“领导汇总”页面。"
)
UNSAFE_IN_FILE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s]+')
UNSAFE_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


class ReportError(ValueError):
    """An operator's request that cannot be met (unknown pair, nothing for the year)."""


@dataclass(frozen=True)
class Written:
    pair: Pair
    year: int
    paths: tuple[Path, ...]
    pdf_skipped: str | None = None


def write_reports(
    warehouse: Path,
    out_dir: Path,
    year: int,
    pair: str | None = None,
    *,
    built_at: datetime | None = None,
) -> list[Written]:
    """Write each pair's (or the given 'SUPPORTING/RECIPIENT' pair's) annex for `year`."""
    marts = load_marts(warehouse)
    pairs = _select(marts, pair)
    built_at = (built_at or datetime.now(UTC)).astimezone()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for chosen in pairs:
        if year not in report_years(marts, chosen):
            raise ReportError(f"{chosen.label}: no data for {year} in {warehouse}")
        report = build_report(marts, chosen, year, built_at)
        stem = UNSAFE_IN_FILE_NAME.sub("_", report.file_stem)
        paths = [write_workbook(report, out_dir / f"{stem}.xlsx"),
                 write_document(report, out_dir / f"{stem}.docx")]
        skipped = None
        if CHROMIUM.exists():
            paths.append(write_pdf(report, out_dir / f"{stem}.pdf", capacity_charts(marts, chosen)))
        else:
            skipped = f"{CHROMIUM} not found; no PDF"
        written.append(Written(chosen, year, tuple(paths), skipped))
    return written


def _select(marts: Marts, wanted: str | None) -> list[Pair]:
    pairs = marts.pairs("mart_capacity_trend")
    if not pairs:
        raise ReportError("the warehouse holds no pair yet; run `bangfu run` first")
    if wanted is None:
        return pairs
    supporting, _, recipient = wanted.partition("/")
    chosen = [p for p in pairs if (p.supporting, p.recipient) == (supporting, recipient)]
    if not chosen:
        known = "; ".join(f"{p.supporting}/{p.recipient}" for p in pairs)
        raise ReportError(f"unknown pair {wanted!r}; known pairs: {known}")
    return chosen


def display(value: object, column: Column) -> str:
    """A value as the Word document and the page show it."""
    if column.kind == "text":
        return "" if value is None else xml_safe(str(value))
    if is_missing(value):
        return NOT_COMPUTABLE if column.kind in ("signed", "percent") else NOT_REPORTED
    if column.kind == "percent":
        return f"{format_signed(value, 1, fixed=True)}%"
    if column.kind == "signed":
        return format_signed(value)
    return format_number(value)


# --- Excel --------------------------------------------------------------------------------------


NUMBER_FORMATS = {"count": "#,##0", "number": "#,##0.##", "signed": "+#,##0.##;-#,##0.##;0",
                  "percent": '+0.0"%";-0.0"%";0.0"%"'}


def write_workbook(report: AnnualReport, path: Path) -> Path:
    """One sheet per table with its title, Chinese headers and numbers stored as numbers
    (未报告 as text where nothing was reported); A4, fitted to the page width, header repeated."""
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
        **{kind: workbook.add_format({**base, "num_format": fmt})
           for kind, fmt in NUMBER_FORMATS.items()},
    }
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
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    sheet.set_header(f"&L&8{title}")
    sheet.set_footer("&C&8第 &P 页，共 &N 页")
    if header_row is not None:
        sheet.repeat_rows(header_row)


def _cover_sheet(workbook, report: AnnualReport, formats) -> None:
    sheet = workbook.add_worksheet("说明")
    sheet.set_column(0, 0, 110)
    lines = [
        f"帮扶关系：{report.pair.label}",
        f"年度：{report.year} 年",
        f"生成时间：{format_time(report.built_at)}",
        *SIGN_OFF,
        "",
    ]
    for number, section in enumerate(report.sections, 1):
        lines.append(f"{number}. {section.title}")
        lines += [f"    {text}" for text in section.paragraphs]
    sheet.write_string(0, 0, report.title, formats["title"])
    for row, line in enumerate(lines, start=2):
        sheet.write_string(row, 0, line, formats["line"])
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
    for row, values in enumerate(table.rows, start=header_row + 1):
        for column, (value, spec) in enumerate(zip(values, table.columns, strict=True)):
            if spec.kind == "text":
                if value is None:
                    sheet.write_blank(row, column, None, formats["text"])
                else:
                    sheet.write_string(row, column, str(value), formats["text"])
            elif is_missing(value):
                sheet.write_string(row, column, display(value, spec), formats["missing"])
            else:
                sheet.write_number(row, column, float(value), formats[spec.kind])
    last_row = header_row + max(len(table.rows), 1)
    if not table.rows:
        sheet.write_string(header_row + 1, 0, "无", formats["text"])
    if table.note:
        sheet.write_string(last_row + 2, 0, table.note, formats["line"])
    sheet.freeze_panes(header_row + 1, 0)
    if table.rows:
        sheet.autofilter(header_row, 0, last_row, len(table.columns) - 1)
        sheet.ignore_errors({"number_stored_as_text": xl_range(header_row, 0, last_row,
                                                               len(table.columns) - 1)})
    _print_setup(sheet, header_row, f"{section}：{table.title}")


# --- Word ---------------------------------------------------------------------------------------


def write_document(report: AnnualReport, path: Path) -> Path:
    """The same sections as text and tables, in a document meant to be edited in Word."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    document.core_properties.title = report.title
    document.core_properties.author = "bangfu"
    document.core_properties.created = report.built_at.astimezone(UTC).replace(tzinfo=None)
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        style.font.name = "宋体"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    document.styles["Normal"].font.size = Pt(10.5)
    page = document.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.left_margin = page.right_margin = Cm(2)

    document.add_paragraph("年终书面汇报附件")
    document.add_heading(report.title, level=0)
    for line in (f"帮扶关系：{report.pair.label}", f"年度：{report.year} 年",
                 f"生成时间：{format_time(report.built_at)}", *SIGN_OFF):
        document.add_paragraph(line)
    document.add_paragraph(NO_CHARTS_NOTE)
    document.add_page_break()
    for number, section in enumerate(report.sections, 1):
        document.add_heading(f"{'一二三四五六七八九十'[number - 1]}、{section.title}", level=1)
        for text in section.paragraphs:
            document.add_paragraph(text)
        for table in section.tables:
            document.add_heading(table.title, level=2)
            if not table.rows:
                document.add_paragraph("无。")
                continue
            grid = document.add_table(rows=1, cols=len(table.columns))
            grid.style = "Table Grid"
            header = grid.rows[0]
            _repeat_as_header(header, qn)
            for cell, column in zip(header.cells, table.columns, strict=True):
                cell.text = column.title
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for values in table.rows:
                cells = grid.add_row().cells
                for cell, value, column in zip(cells, values, table.columns, strict=True):
                    cell.text = display(value, column)
                    if column.kind != "text":
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for row in grid.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        for run in paragraph.runs:
                            run.font.size = Pt(9)
            if table.note:
                document.add_paragraph(table.note)
    document.save(str(path))
    return path


def _repeat_as_header(row, qn) -> None:
    """Mark a table's first row to repeat on every page, and keep rows whole."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


# --- PDF ----------------------------------------------------------------------------------------


def write_pdf(report: AnnualReport, path: Path, charts=None) -> Path:
    """The site's report page, its charts drawn, printed to A4 by Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    from dashboards.site import write_report_page

    with tempfile.TemporaryDirectory(prefix="bangfu-report-") as folder:
        page_path = write_report_page(report, Path(folder), charts)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith("file:") else route.abort())
                page.goto(page_path.as_uri(), wait_until="load")
                if charts:
                    # The site draws a figure as it nears the screen, and every one on
                    # beforeprint, which printing to PDF does not send by itself.
                    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
                    page.wait_for_function(
                        "document.querySelectorAll('.js-plotly-plot .main-svg').length > 0"
                        " && document.querySelectorAll('.plot:not(.js-plotly-plot)').length === 0",
                        timeout=30_000,
                    )
                page.pdf(path=str(path), format="A4", print_background=True,
                         prefer_css_page_size=True)
            finally:
                browser.close()
    return path
