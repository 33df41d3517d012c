"""Printed workbooks fit their page: the templates' instructions, the annotated workbook's
问题清单 and a department's 退回清单, each printed to PDF by LibreOffice and read back — every
word of every paragraph and message is on the paper, none cut at the page's edge or below a
row too short for its wrapped lines."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pdfplumber
from test_annotate import returned  # noqa: F401  (the annotated copies, made once)

from dashboards import feedback
from pipelines.authoring.annotate import LIST_SHEET
from pipelines.authoring.template import INSTRUCTIONS_SHEET, write_templates

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
BUILT_AT = datetime(2023, 1, 6, 2, 0, tzinfo=UTC)


def printed_text(workbook: Path, sheet: str, *, cells: bool = False) -> str:
    """The sheet alone printed to PDF by LibreOffice, its text without spaces or breaks (with
    `cells`, the text of each ruled cell on a line of its own)."""
    assert LIBREOFFICE, "LibreOffice is needed: apt-get install -y libreoffice-calc"
    only = workbook.with_name(f"{workbook.stem}_{sheet}.xlsx")
    book = openpyxl.load_workbook(workbook)
    for other in book.sheetnames:
        if other != sheet:
            del book[other]
    book.save(only)
    profile = workbook.parent / "lo-profile"
    subprocess.run([LIBREOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(workbook.parent), str(only)],
                   check=True, capture_output=True, timeout=180)
    with pdfplumber.open(only.with_suffix(".pdf")) as pdf:
        if cells:
            return "\n".join(squeeze(cell or "") for page in pdf.pages
                             for table in page.extract_tables() for row in table for cell in row)
        return "".join(squeeze(page.extract_text() or "") for page in pdf.pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_template_instructions_print_whole(tmp_path: Path):
    for path in write_templates(tmp_path):
        paragraphs = [row[0] for row in openpyxl.load_workbook(path)[INSTRUCTIONS_SHEET]
                      .iter_rows(min_row=2, values_only=True) if row[0]]
        printed = printed_text(path, INSTRUCTIONS_SHEET)
        cut = [p for p in paragraphs if squeeze(p) not in printed]
        assert not cut, (path.name, cut)


def test_the_annotated_list_prints_within_the_page(returned, tmp_path: Path):  # noqa: F811
    copy = shutil.copy(returned["xlsx"]["copy"], tmp_path / "copy.xlsx")
    sheet = openpyxl.load_workbook(copy)[LIST_SHEET]
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    messages = [row[8] for row in sheet.iter_rows(min_row=5, values_only=True) if row[8]]
    assert messages
    printed = printed_text(Path(copy), LIST_SHEET)
    cut = [m for m in messages if squeeze(m) not in printed]
    assert not cut, cut
    # The code for support staff stays in the workbook, off the paper.
    codes = [row[9] for row in sheet.iter_rows(min_row=5, values_only=True) if row[9]]
    assert codes and not [code for code in codes if code in printed]


def test_a_returned_list_prints_within_the_page(tmp_path: Path):
    message = ("第 12 行“门诊人次”填写的“十二”不是数字：请改为阿拉伯数字（如 12），不带单位或文字；"
               "没有的填 0。改正后请重新报送整份文件，审核后计入统计。")
    issues = tuple(
        feedback.FeedbackIssue(
            file_path=f"心内科_2022年{month}月_统计表.xlsx", sheet="Sheet1", cell=f"C{month}",
            row_number=month, column_name="诊疗人次·门诊", value_found="十二",
            code="non_numeric_value", code_title="不是数字", severity="error",
            message=message, file_status="partial")
        for month in range(1, 4)
    )
    department = feedback.FeedbackList(None, "心内科", issues, "pair", "心内科")
    path = tmp_path / "退回清单.xlsx"
    feedback.write_workbook(path, department, BUILT_AT)
    printed = printed_text(path, "退回清单")
    for line in department.heading_lines(BUILT_AT):
        assert squeeze(line) in printed, line
    cells = printed_text(path, "退回清单", cells=True).splitlines()
    assert cells.count(squeeze(message)) == len(issues), cells
