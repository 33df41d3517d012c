"""退回清单: each department's list, as a workbook and a page, holds exactly its open problems."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from mart_samples import (
    BUILT_AT,
    FORMULA_NAME,
    FORMULA_VALUE,
    FULL_CONTENTS,
    NO_DEPARTMENT_FILE,
    NO_PAIR_FILE,
    PARTIAL_FILE,
    PARTIAL_SHA,
    REJECTED_FILE,
    REJECTED_SHA,
    SCRIPT_COLUMN,
    SHAOXING,
    file_row,
    file_rows_with_copy,
    issue_row,
    issue_rows,
    write_warehouse,
)
from page_dom import parse

from dashboards import feedback
from dashboards.site import build_site
from pipelines.issues import catalogue

SHAOXING_FOLDER = "绍兴市中医院_务川仡佬族苗族自治县中医院"
CODES_BY_NAME = {row["title_zh"]: code for code, row in catalogue().items()}

# (file, sheet, cell, code) of each department's open problems, in the order listed: by file,
# errors before warnings, then by row. Not there: the withdrawn version of PARTIAL_FILE and the
# superseded draft, whatever their problems.
ORTHOPAEDICS = [
    (REJECTED_FILE, "Sheet1", "整个文件", "period_missing"),
    (REJECTED_FILE, "Sheet1", "A6", "missing_name"),
    (REJECTED_FILE, "Sheet1", "E7", "non_numeric_value"),
    (REJECTED_FILE, "Sheet1", "H4", "unknown_column"),  # of the header: no row
    (REJECTED_FILE, "Sheet1", "A8", "duplicate_person"),
]
CARDIOLOGY = [
    (PARTIAL_FILE, "3月", "E5", "non_numeric_value"),
    (PARTIAL_FILE, "3月", "C9", "totals_mismatch"),
]


def list_folder(site: Path, pair_folder: str = SHAOXING_FOLDER) -> Path:
    """A pair's lists are in its folder; those of no known pair in the section's."""
    if pair_folder == feedback.UNKNOWN_PAIR:
        return site / "feedback" / pair_folder
    return site / "pairs" / pair_folder / "feedback"


def feedback_section(warehouse: Path, tmp_path: Path) -> Path:
    """The site built from `warehouse` (its archive beside it)."""
    build_site(warehouse, tmp_path / "site", built_at=BUILT_AT)
    return tmp_path / "site"


def feedback_files(site: Path, pattern: str) -> list[Path]:
    """The section's files and those in the pairs' folders."""
    return sorted([*(site / "feedback").rglob(pattern), *site.glob(f"pairs/*/feedback/{pattern}"),
                   *site.glob(f"pairs/*/feedback/*/{pattern}")])


def workbook_rows(path: Path) -> list[tuple]:
    """The issue rows of a workbook: everything below its table header."""
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(n for n, row in enumerate(rows) if row[0] == "文件")
    assert [c.title for c in feedback.COLUMNS] == list(rows[header])
    return rows[header + 1 :]


def page_rows(path: Path) -> list[list[str]]:
    table = parse(path).find("table", class_="feedback-issues")
    return [[td.text() for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]


def located_codes(rows: list) -> list[tuple]:
    """(file, sheet, cell, code) of issue rows; the code is read back from its Chinese name."""
    return [
        (row[0], row[1], row[2], CODES_BY_NAME[re.fullmatch(r"(.+)（(?:错误|提示)）", row[6])[1]])
        for row in rows
    ]


@pytest.mark.parametrize(
    ("department", "expected"), [("骨科", ORTHOPAEDICS), ("心内科", CARDIOLOGY)]
)
def test_a_departments_workbook_lists_exactly_its_open_issues(
    site: Path, department: str, expected: list[tuple]
):
    rows = workbook_rows(list_folder(site) / f"退回清单_{department}.xlsx")
    assert located_codes(rows) == expected


def test_the_workbook_says_what_each_issue_is_and_what_to_do(site: Path):
    path = list_folder(site) / "退回清单_骨科.xlsx"
    sheet = openpyxl.load_workbook(path).active
    heading = [sheet.cell(row, 1).value for row in range(1, 6)]
    assert heading[0] == "退回清单 · 骨科"
    assert heading[1] == f"帮扶关系：{SHAOXING[0]} → {SHAOXING[1]}　科室：骨科"
    assert heading[2] == "生成时间：2023-01-06 10:00（北京时间）"  # built at 02:00 UTC
    assert "“错误”必须更正" in heading[3] and "“提示”请核实" in heading[3]
    assert heading[4] == "涉及文件 1 个：错误 3 条，提示 2 条。"
    assert sheet.freeze_panes == "A7"  # below the table header
    assert sheet.auto_filter.ref == "A6:I11"

    file_level, missing_name, *_ = workbook_rows(path)
    assert file_level == (
        REJECTED_FILE,
        "Sheet1",
        "整个文件",
        None,
        None,
        None,
        "未填写统计周期（错误）",
        "未填写统计周期（第 2 行为空）。请填写起止日期。",
        "已退回",
    )
    assert missing_name[2:5] == ("A6", 6, "姓名")


def test_text_that_looks_like_a_formula_is_stored_as_text(site: Path):
    sheet = openpyxl.load_workbook(list_folder(site) / "退回清单_骨科.xlsx").active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    for value in (FORMULA_NAME, FORMULA_VALUE):
        assert cells[value].data_type == "s", value
        assert cells[value].quotePrefix  # stays text when the secretary edits the cell
    assert all(c.data_type != "f" for c in cells.values())


def test_no_workbook_of_the_site_holds_a_formula(site: Path):
    workbooks = feedback_files(site, "*.xlsx")
    assert len(workbooks) == 5
    for path in workbooks:
        for row in openpyxl.load_workbook(path).active.iter_rows():
            assert all(c.data_type != "f" for c in row), path


def test_the_page_lists_the_same_issues_as_the_workbook_escaped(site: Path):
    folder = list_folder(site)
    in_workbook = workbook_rows(folder / "退回清单_骨科.xlsx")
    on_page = page_rows(folder / "骨科.html")
    assert on_page == [["—" if v is None else str(v) for v in row] for row in in_workbook]
    assert located_codes(on_page) == ORTHOPAEDICS

    page = parse(folder / "骨科.html")
    assert [s.attributes["src"] for s in page.find_all("script")] == [
        "../../../assets/tables.js", "../../../assets/site.js"]
    assert SCRIPT_COLUMN in page.find("table", class_="feedback-issues").text()
    html = (folder / "骨科.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    download = page.find("a", href="%E9%80%80%E5%9B%9E%E6%B8%85%E5%8D%95_%E9%AA%A8%E7%A7%91.xlsx")
    assert download.text() == "退回清单_骨科.xlsx"


def test_the_index_counts_and_links_every_list(site: Path):
    index_path = site / "feedback" / "index.html"
    index = parse(index_path)
    headings = [h.text() for h in index.find("main").find_all("h2")]
    assert headings == [
        "临夏回族自治州人民医院 → 和政县人民医院",
        f"{SHAOXING[0]} → {SHAOXING[1]}",
        "未识别帮扶关系",
    ]
    listed = []
    for table in index.find_all("table", class_="feedback-index"):
        for tr in table.find_all("tr")[1:]:
            page_link, workbook_link = tr.find_all("a")
            page = (index_path.parent / unquote(page_link.attributes["href"])).resolve()
            workbook = (index_path.parent / unquote(workbook_link.attributes["href"])).resolve()
            assert page.is_file() and workbook.is_file()
            assert workbook.parent == page.parent  # the page links its workbook by file name
            counts = [td.text() for td in tr.find_all("td")[1:4]]
            listed.append((page_link.text(), *counts, workbook.name))
    assert listed == [
        ("能力指标表", "1", "0", "1", "退回清单_能力指标表.xlsx"),
        ("心内科", "1", "1", "1", "退回清单_心内科.xlsx"),
        ("骨科", "1", "3", "2", "退回清单_骨科.xlsx"),
        ("未识别科室", "1", "1", "0", "退回清单_未识别科室.xlsx"),
        ("外科", "1", "1", "0", "退回清单_外科.xlsx"),
    ]


def test_files_of_unknown_department_or_pair_are_listed_under_the_unknowns(site: Path):
    no_department = workbook_rows(list_folder(site) / "退回清单_未识别科室.xlsx")
    assert located_codes(no_department) == [(NO_DEPARTMENT_FILE, "Sheet1", "整个文件", "no_header")]
    no_pair = workbook_rows(list_folder(site, feedback.UNKNOWN_PAIR) / "退回清单_外科.xlsx")
    assert located_codes(no_pair) == [(NO_PAIR_FILE, None, "整个文件", "unknown_hospital")]


def test_every_feedback_page_has_the_site_navigation_marking_the_section(site: Path):
    pages = feedback_files(site, "*.html")
    assert len(pages) == 6  # the index and five lists
    for path in pages:
        navigation = parse(path).find("nav")
        targets = [
            (path.parent / a.attributes["href"]).resolve().relative_to(site.resolve()).as_posix()
            for a in navigation.find_all("a")
        ]
        assert targets == [
            "index.html",
            "leadership.html",
            "explorer.html",
            "quality.html",
            feedback.INDEX,
        ]
        assert navigation.find("a", aria_current="page").text() == "退回清单"


def test_a_department_with_nothing_left_to_fix_gets_no_list(tmp_path: Path):
    # PARTIAL_FILE's problems are fixed: what is left of 心内科's is of its withdrawn version
    # and of the superseded draft.
    fixed = write_warehouse(
        tmp_path / "fixed.duckdb",
        {
            "ingest_files": FULL_CONTENTS["ingest_files"],
            "ingest_issues": lambda: [i for i in issue_rows() if i[1] != PARTIAL_SHA],
        },
    )
    site = feedback_section(fixed, tmp_path)

    index = parse(site / "feedback" / "index.html")
    assert [a.text() for table in index.find_all("table", class_="feedback-index")
            for a in table.find_all("a") if not a.text().endswith(".xlsx")] == [
        "能力指标表",
        "骨科",
        "未识别科室",
        "外科",
    ]
    assert "心内科" not in index.find("main").text()
    assert not feedback_files(site, "*心内科*")


def test_nothing_to_fix_is_said_so(tmp_path: Path):
    accepted = write_warehouse(
        tmp_path / "w.duckdb",
        {"ingest_files": FULL_CONTENTS["ingest_files"], "ingest_issues": list},
    )
    folder = feedback_section(accepted, tmp_path) / "feedback"

    assert [p.name for p in folder.iterdir()] == ["index.html"]
    assert not list((folder.parent / "pairs").glob("*/feedback"))
    assert "目前没有需要修改后重新提交的文件。" in parse(folder / "index.html").find("main").text()


def test_department_names_become_safe_distinct_file_names(tmp_path: Path):
    departments = ["内科/外科", "内科_外科", "ICU", "icu", "../上级", "急诊 科", "科" * 100]
    files = [
        file_row(f"f{n}.xlsx", f"{n:064x}", "rejected", name, None, (0, 0), (1, 0))
        for n, name in enumerate(departments)
    ]
    issues = [
        issue_row(
            f"f{n}.xlsx",
            f"{n:064x}",
            "rejected",
            "Sheet1",
            None,
            None,
            None,
            "error",
            "no_header",
            "找不到表头。",
            pair=SHAOXING,
            department=name,
        )
        for n, name in enumerate(departments)
    ]
    warehouse = write_warehouse(
        tmp_path / "w.duckdb", {"ingest_files": lambda: files, "ingest_issues": lambda: issues}
    )
    folder = list_folder(feedback_section(warehouse, tmp_path))

    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.xlsx"))
    assert written == sorted(
        f"退回清单_{stem}.xlsx"
        for stem in ("内科_外科", "内科_外科-2", "ICU", "icu-2", "上级", "急诊_科", "科" * 60)
    )


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_every_formula_prefix_is_written_as_text(tmp_path: Path, text: str):
    issue = feedback.FeedbackIssue(
        file_path=text,
        sheet=text,
        cell="B2",
        row_number=2,
        column_name=text,
        value_found=text,
        code="non_numeric_value",
        code_title=text,
        severity="error",
        message=text,
        file_status="partial",
    )
    department = feedback.FeedbackList(None, text, (issue,), "pair", "department")
    path = tmp_path / department.workbook_name

    feedback.write_workbook(path, department, BUILT_AT)

    (row,) = openpyxl.load_workbook(path).active.iter_rows(min_row=7)
    assert all(c.data_type in {"s", "n"} for c in row)
    # A control character is stored escaped (_x000D_), as Excel reads it; openpyxl does not
    # decode it.
    texts = [re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), str(c.value)) for c in row]
    assert texts.count(text) == 5  # file, sheet, column, value, message


def test_each_listed_file_with_errors_goes_back_as_the_copy_the_run_made(tmp_path: Path):
    """骨科's rejected file goes back as the annotated copy the run recorded for it (made in a
    worker from the archived bytes), byte for byte, linked from the department's page; the
    site opens no submitted file."""
    from formfiles import activity_sheet, write_xlsx

    from pipelines.authoring.annotate import LIST_HEADER_ROW, CopyJob, write_copies

    submitted = write_xlsx(tmp_path / "骨科_统计表.xlsx", activity_sheet(
        labels=["填报科室：骨科"],
        rows=[["张三", 1], ["王五", 1], ["", 2], ["李四", 3, 0, 0, FORMULA_VALUE], ["张三", 4]]))
    listed = next(each for each in feedback.feedback_lists(
        _marts(write_warehouse(tmp_path / "for-issues.duckdb", FULL_CONTENTS)))
        if each.department == "骨科").issues
    (made,) = write_copies([CopyJob(submitted, submitted.name, listed, BUILT_AT,
                                    tmp_path / "annotated")])
    recorded = made.path.relative_to(tmp_path).as_posix()
    assert recorded.startswith("annotated/")
    warehouse = write_warehouse(tmp_path / "bangfu.duckdb", {
        **FULL_CONTENTS,
        "ingest_files": lambda: file_rows_with_copy(REJECTED_SHA, (recorded, None))})
    submitted.unlink()  # nothing reads the submitted bytes any more
    folder = list_folder(feedback_section(warehouse, tmp_path))

    copy = folder / "骨科" / "骨科_统计表_问题标注.xlsx"
    assert copy.read_bytes() == made.path.read_bytes()
    book = openpyxl.load_workbook(copy)
    rows = list(book["问题清单"].iter_rows(min_row=LIST_HEADER_ROW + 1, values_only=True))
    assert [(row[2], row[3], row[9]) for row in rows] == [
        (sheet, cell, code) for _, sheet, cell, code in ORTHOPAEDICS]
    sheet = book["Sheet1"]
    assert (sheet["E7"].value, sheet["E7"].data_type) == (FORMULA_VALUE, "s")
    assert sheet["A6"].fill.fgColor.rgb.endswith("FFC7CE")
    page = (folder / "骨科.html").read_text(encoding="utf-8")
    assert 'href="%E9%AA%A8%E7%A7%91/%E9%AA%A8%E7%A7%91_%E7%BB%9F%E8%AE%A1%E8%A1%A8_' in page


def _marts(warehouse: Path):
    from dashboards.marts import load_marts

    return load_marts(warehouse)


def test_a_file_without_a_copy_says_why_and_a_warned_file_names_check_annotate(
        tmp_path: Path):
    """A file with errors that the run could not annotate is listed with the run's reason; one
    whose copy was never recorded says so; a file with warnings only gets no copy and its
    entry names `bangfu check --annotate`. Only files with errors have copies."""
    reason = "原文件无法用于标注（ParseError），请按列出的问题逐条修改"
    warehouse = write_warehouse(tmp_path / "bangfu.duckdb", {
        **FULL_CONTENTS, "ingest_files": lambda: file_rows_with_copy(REJECTED_SHA, (None, reason))})
    site = feedback_section(warehouse, tmp_path)
    folder = list_folder(site)

    assert not list(site.rglob("*_问题标注.xlsx"))
    orthopaedics = parse(folder / "骨科.html")
    entry = orthopaedics.find("ul", class_="feedback-returned").find("li")
    assert entry.text() == f"{REJECTED_FILE}：{reason}"
    cardiology = parse(folder / "心内科.html")
    entry = cardiology.find("ul", class_="feedback-returned").find("li")
    assert entry.text() == f"{PARTIAL_FILE}：{feedback.NO_COPY}"
    capacity = next(site.rglob(f"{feedback.CAPACITY_FORMS}.html"))
    entry = parse(capacity).find("li", class_="feedback-warned")
    assert "bangfu check --annotate" in entry.text() and not capacity.with_suffix("").exists()


def test_the_feedback_section_reads_marts_only() -> None:
    """The 退回清单 takes the copies the run recorded: it imports nothing that reads, archives
    or annotates a submitted file (issue 21)."""
    import ast

    tree = ast.parse(Path(feedback.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert not {name for name in imported if name and name.startswith(
        ("pipelines.forms", "pipelines.warehouse", "pipelines.authoring"))}
