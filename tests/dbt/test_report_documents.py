"""`bangfu report`'s documents read as a director would read them: the PDF's pages (page
numbers, every table's headers on each of its pages, nothing of a web page's interface, no page
left mostly empty, the charts), the Word document's charts, and what the text says (work plan
in document order, months in calendar order, one count of rejected files, 缺报 told apart from
退回未改, no raw folder path) — from the warehouse dbt built out of test_marts' corpus."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pdfplumber
import pytest
from docx import Document
from openpyxl import load_workbook
from test_marts import LX, SX

from dashboards.annual_report import AnnualReport, build_report, cell_text
from dashboards.marts import Pair, load_marts
from dashboards.report_documents import report_charts, write_reports
from pipelines.settings import REPO_ROOT

BUILT_AT = datetime(2023, 1, 6, 2, 0, tzinfo=UTC)
YEAR = 2022
INTERFACE_TEXT = re.compile(r"[▲▼△▽↑↓⇅⇵]|第\s*\d+\s*[—–-]\s*\d+\s*行|共\s*\d+\s*行|搜索|下载|每页")


@pytest.fixture(scope="module")
def documents(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[Pair, dict]:
    out = tmp_path_factory.mktemp("report-documents")
    written = write_reports(warehouse, out, YEAR, built_at=BUILT_AT)
    marts = load_marts(warehouse)
    return {
        w.pair: {
            "paths": {path.suffix: path for path in w.paths},
            "report": build_report(marts, w.pair, YEAR, BUILT_AT),
            "charts": report_charts(marts, w.pair),
        }
        for w in written
    }


def squeeze(text: str) -> str:
    """Text with its line breaks and spaces removed: a header may wrap inside its cell."""
    return re.sub(r"\s+", "", text)


def pdf_pages(path: Path) -> list[dict]:
    with pdfplumber.open(path) as pdf:
        pages = []
        for page in pdf.pages:
            words = page.extract_words()
            bottoms = [w["bottom"] for w in words if not re.match(r"第\d+页", w["text"])]
            bottoms += [image["bottom"] for image in page.images]
            tables = [table.extract() for table in page.find_tables()]
            pages.append({
                "text": page.extract_text() or "",
                # Each ruled table's first row, cell by cell (a header may wrap in its cell),
                # and the first cell of every row.
                "headers": [[squeeze(cell or "") for cell in rows[0]] for rows in tables],
                "row_labels": {squeeze(row[0] or "") for rows in tables for row in rows},
                "height": page.height,
                "images": len(page.images),
                "bottom": max(bottoms, default=0),
            })
        return pages


@pytest.mark.parametrize("pair", [LX, SX], ids=["lx", "sx"])
def test_pdf_is_a_paged_document(documents, pair):
    document = documents[Pair(*pair)]
    report: AnnualReport = document["report"]
    pages = pdf_pages(document["paths"][".pdf"])
    count = len(pages)
    assert count >= 3
    # The cover: pair, year, 编制 and 审核 with their dates; no page number on it.
    cover = squeeze(pages[0]["text"])
    for text in (report.title, pair[0], pair[1], f"{YEAR}年", "编制：", "审核：", "日期："):
        assert squeeze(text) in cover
    assert "第1页" not in cover
    # Page numbers on every other page, of the whole.
    for number, page in enumerate(pages[1:], 2):
        assert f"第{number}页，共{count}页" in squeeze(page["text"]), number
    # The contents: every section with the page it starts on.
    contents = squeeze(pages[1]["text"])
    for number, section in enumerate(report.sections):
        heading = squeeze(f"{'一二三四五'[number]}、{section.title}")
        start = next(i for i, page in enumerate(pages[1:], 2)
                     if re.search(rf"(^|\n){re.escape(heading)}(\n|$)", _lines(page["text"])))
        assert re.search(rf"{re.escape(heading)}\.+{start}", contents), (heading, start)
    # No interface element of a web page.
    for page in pages:
        assert not INTERFACE_TEXT.search(page["text"]), page["text"]
    # Each table's header row, every column of it, on every page the table spans (found by
    # its title and its rows' first cells).
    at = 1
    for section in report.sections:
        for table in section.tables:
            title = squeeze(table.title)
            at = next(i for i in range(at, count) if title in squeeze(pages[i]["text"]))
            if not table.rows:
                continue
            last = at
            for row in table.rows:
                label = squeeze(cell_text(row[0]))
                last = next(i for i in range(last, count) if label in pages[i]["row_labels"])
            header = [squeeze(column.title) for column in table.columns]
            for i in range(at, last + 1):
                assert header in pages[i]["headers"], (table.title, i + 1, pages[i]["headers"])
    # No page less than a third full but the last (the cover is full by its sign-off lines).
    for number, page in enumerate(pages[:-1], 1):
        assert page["bottom"] >= page["height"] / 3, (number, page["bottom"], page["height"])
    # The charts: one picture per figure.
    figures = sum(len(chart.figures) for chart in document["charts"])
    assert figures >= 2
    assert sum(page["images"] for page in pages) == figures


def _lines(text: str) -> str:
    return "\n".join(squeeze(line) for line in text.splitlines())


def test_word_document_has_the_charts_contents_and_page_numbers(documents):
    document = documents[Pair(*LX)]
    word = Document(str(document["paths"][".docx"]))
    figures = sum(len(chart.figures) for chart in document["charts"])
    assert len(word.inline_shapes) == figures >= 2
    xml = word.element.xml
    assert xml.count("PAGEREF section-") == 5  # the contents: a page reference per section
    footer = word.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert word.sections[0].different_first_page_header_footer  # none on the cover
    rows = [row for table in word.tables for row in table.rows]
    assert all('w:cantSplit w:val="true"' in row._tr.xml or "cantSplit" in row._tr.xml
               for row in rows)
    assert all("tblHeader" in table.rows[0]._tr.xml for table in word.tables)
    # Dated by the build, not by python-docx's template (2013).
    assert word.core_properties.modified.year == BUILT_AT.year


def _table(report: AnnualReport, key: str):
    return next(t for s in report.sections for t in s.tables if t.key == key)


def test_work_plan_in_document_order_with_months_in_calendar_order(documents):
    lx = _table(documents[Pair(*LX)]["report"], "work_plan")
    assert [row[0] for row in lx.rows] == [
        "附件1 一、任务目标　第 3 项",
        "附件1 一、任务目标　第 4 项",
        "附件1 三、实施方式",
        "附件1 四、工作实施　第 1 项",
        "附件1 四、工作实施　第 2 项",
    ]
    sx = _table(documents[Pair(*SX)]["report"], "work_plan")
    assert [row[0] for row in sx.rows] == [
        "二（四）技术支援",
        "附件 工作计划清单　第 7 项",
        "附件 工作计划清单　第 7 项",
        "附件 工作计划清单　第 8 项",
        "附件 工作计划清单　第 9 项",
        "附件 工作计划清单　第 10 项",
        "附件 工作计划清单　第 11 项",
    ]
    quarterly = next(row for row in lx.rows if row[1].startswith("选派专业技术人员"))
    months = [int(m) for m in re.findall(r"(\d+)月 ", quarterly[5])]
    assert months == sorted(months) and len(months) == 4, quarterly[5]


def test_one_count_of_rejected_files_and_no_raw_path(documents, warehouse: Path):
    document = documents[Pair(*LX)]
    report: AnnualReport = document["report"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        folders = {path.rpartition("/")[0] + "/" for (path,) in
                   con.execute("select file_path from ingest_files").fetchall()}
        rejected = con.execute(
            "select file_path from ingest_files where recipient_hospital = ? "
            "and status in ('rejected', 'partial') "
            "and (period_start is null or ? between year(period_start) and year(period_end))",
            [LX[1], YEAR],
        ).fetchall()
    quality = report.sections[-1]
    files = _table(report, "open_rejections")
    assert len(files.rows) == len(rejected) >= 1
    assert files.title == f"退回未改的文件（{len(rejected)} 个）"
    stated = [int(n) for text in quality.paragraphs
              for n in re.findall(r"被退回、尚未改正的文件 (\d+) 个", text)]
    assert stated == [len(rejected)]
    # 缺报 (nothing received) and 退回未改 (received, rejected) apart, and counted as listed.
    chase = _table(report, "missing_reports")
    respiratory = {row[1]: row[2] for row in chase.rows if row[0] == "呼吸科"}
    assert respiratory == {"2022年8月": "缺报", "2022年12月": "退回未改"}
    summary = quality.paragraphs[0]
    assert f"缺报 {sum(r[2] == '缺报' for r in chase.rows)} 份" in summary
    assert f"退回未改 {sum(r[2] == '退回未改' for r in chase.rows)} 份" in summary
    # Files by name, never by the raw folder's path, in every document.
    assert "呼吸科_2022年12月.xlsx" in [row[0] for row in files.rows]
    texts = [page["text"] for page in pdf_pages(document["paths"][".pdf"])]
    word = Document(str(document["paths"][".docx"]))
    texts += [p.text for p in word.paragraphs]
    texts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    workbook = load_workbook(document["paths"][".xlsx"])
    texts += [str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
              for value in row if value is not None]
    assert any("呼吸科_2022年12月.xlsx" in text for text in texts)
    assert not [(folder, text) for text in texts for folder in folders if folder in text]


def test_one_number_format_per_unit(documents):
    capacity = _table(documents[Pair(*LX)]["report"], "capacity")
    index = [cell_text(row[5]) for row in capacity.rows]
    assert all(re.fullmatch(r"[\d,]+\.\d|—", text) for text in index), index
    growth = [cell_text(row[6]) for row in capacity.rows]
    assert all(re.fullmatch(r"[+-]?[\d,]+\.\d%|—", text) for text in growth), growth


# --- bangfu report ------------------------------------------------------------------------------


def bangfu(*args: str, warehouse: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "BANGFU_WAREHOUSE": str(warehouse)}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "report", *args],
                          cwd=REPO_ROOT,
                          env=environment, capture_output=True, text=True, check=False)


def test_report_takes_the_pair_by_its_alias(warehouse: Path, tmp_path: Path):
    result = bangfu("--year", "2022", "--pair", "临夏州人民医院/和政县人民医院",
                    "--out", str(tmp_path / "out"), warehouse=warehouse)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no library's English warning on the way
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"和政县人民医院_2022年度帮扶工作汇报附件.{ext}" for ext in ("docx", "pdf", "xlsx")
    ]


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (("--year", "2022", "--pair", "临夏州人民医院/不存在医院"), 2, "不是已登记的帮扶关系"),
        (("--year", "2022", "--pair", "临夏州人民医院"), 2, "应写作"),
        (("--year", "2030"), 1, "没有 2030 年的数据"),
    ],
    ids=["unknown-pair", "no-slash", "no-data-for-year"],
)
def test_report_errors_are_chinese(warehouse: Path, tmp_path: Path, args, status, says):
    result = bangfu(*args, "--out", str(tmp_path / "out"), warehouse=warehouse)
    assert_refused(result, tmp_path / "out", status, says)


def test_report_without_a_warehouse_says_so_in_chinese(tmp_path: Path):
    result = bangfu("--year", "2022", "--out", str(tmp_path / "out"),
                    warehouse=tmp_path / "none.duckdb")
    assert_refused(result, tmp_path / "out", 1, "没有数据仓库")


def assert_refused(result: subprocess.CompletedProcess, out: Path, status: int, says: str):
    assert result.returncode == status, result.stderr
    assert result.stderr.startswith("bangfu report：错误："), result.stderr
    assert says in result.stderr
    assert not re.search(r"\b(unknown|no data|not found|error)\b", result.stderr, re.I)
    assert not out.exists() or not any(out.iterdir())


def test_without_chromium_the_documents_are_written_without_charts(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import dashboards.report_documents as documents

    monkeypatch.setattr(documents, "CHROMIUM", tmp_path / "no-chromium")
    [written] = write_reports(warehouse, tmp_path / "out", YEAR, Pair(*SX), built_at=BUILT_AT)
    assert written.warning and "没有趋势图" in written.warning
    paths = {path.suffix: path for path in written.paths}
    assert sorted(paths) == [".docx", ".pdf", ".xlsx"]
    assert sum(page["images"] for page in pdf_pages(paths[".pdf"])) == 0
    assert len(Document(str(paths[".docx"])).inline_shapes) == 0
