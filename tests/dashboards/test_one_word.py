"""One 退回清单, one word: its page, its workbook and the annotated copy that goes back with it
call a severity, a status and a form type what their seeds call them."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
from formfiles import activity_sheet, write_xlsx
from page_dom import parse
from test_feedback import list_folder, page_rows, workbook_rows

from pipelines.authoring.annotate import LIST_HEADER_ROW, annotated
from pipelines.catalogue import file_statuses, form_types, severities
from pipelines.checking import Problem

PROBLEM = re.compile(r"(.+)（(.+)）")  # the list's 问题 column: title（severity）


def severity_words(rows: list) -> set[str]:
    return {PROBLEM.fullmatch(row[6])[2] for row in rows}


def test_the_page_and_the_workbooks_of_one_list_say_the_seeds_words(site: Path,
                                                                     tmp_path: Path):
    words = {label.text for label in severities().values()}
    page = page_rows(list_folder(site) / "骨科.html")
    workbook = workbook_rows(list_folder(site) / "退回清单_骨科.xlsx")
    # 骨科's list holds errors and warnings: both words are used, and only those
    assert severity_words(page) == severity_words(workbook) == words
    # the heading of both says how many of each, in the same words
    heading = openpyxl.load_workbook(list_folder(site) / "退回清单_骨科.xlsx").active["A5"].value
    assert all(word in heading for word in words)
    assert all(word in parse(list_folder(site) / "骨科.html").find("main").text()
               for word in words)

    # The annotated copy of a file: its list of problems, and its note on each cell.
    form = write_xlsx(tmp_path / "骨科.xlsx", activity_sheet(rows=[["", 1], ["张三", -1]]))
    problems = [
        Problem("骨科.xlsx", "Sheet1", "A4", 4, "姓名", None, "error", "missing_name", "缺姓名"),
        Problem("骨科.xlsx", "Sheet1", "B5", 5, "诊疗人次", "-1", "warning",
                "implausible_value", "请核对"),
    ]
    book = openpyxl.load_workbook(io.BytesIO(annotated(
        form.read_bytes(), form.name, problems, dt.datetime(2023, 1, 6, 2, tzinfo=dt.UTC))))
    listed = book["问题清单"].iter_rows(min_row=LIST_HEADER_ROW + 1, values_only=True)
    assert {row[1] for row in listed} == words
    notes = [book["Sheet1"][cell].comment.text for cell in ("A4", "B5")]
    assert [re.match(r"【(.+?)·", note)[1] for note in notes] == ["错误", "警告"]
    assert [severities()[s].text for s in ("error", "warning")] == ["错误", "警告"]


def test_the_list_names_capacity_forms_and_statuses_as_the_seeds_do(site: Path):
    index = parse(site / "feedback" / "index.html").find("main").text()
    assert form_types()["capacity"].text in index
    quality = parse(site / "quality.html").find("main").text()
    assert all(label.text in quality for label in file_statuses().values())
