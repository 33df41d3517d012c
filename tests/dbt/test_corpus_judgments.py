"""The judgments across files, made by dbt over the reports that count (int_corpus_issues):
overlapping periods and a department's usual range. One dbt build for the module.

  儿科 2021年1月 (a.xlsx, modified 2-03), its correction (a_更正.xlsx, 2-10) and a byte copy
  of the first sent again later (重发/, 3-01), beside the 2021年第1季度 report: the copy is a
  duplicate and adds nothing, so the correction wins over the first and overlaps the quarter.
  Overlap warnings, file statuses and the marts all say so.

  心内科 twelve ordinary months of 2020, then a spike in 2021年1月         → usual range warned
  心内科 a slipped digit in 2020年6月, corrected the next week             → neither warned
  外科   twelve ordinary months, then a spike a suite already found        → reported once
"""

from __future__ import annotations

import duckdb
import pytest

LX = ("临夏回族自治州人民医院", "和政县人民医院")
VISITS = {"total_visits": "诊疗人次"}
SURGERIES = {"surgeries": "开展手术例数"}

FIRST = "临夏/2021/儿科_2021年1月.xlsx"
CORRECTION = "临夏/2021/儿科_2021年1月_更正.xlsx"
RESENT_COPY = "临夏/重发/儿科_2021年1月.xlsx"
QUARTER = "临夏/2021/儿科_2021年第1季度.xlsx"
SPIKE = "临夏/2021/心内科_2021年1月.xlsx"
SLIPPED = "临夏/2020/心内科_2020年6月.xlsx"
FOUND_BY_SUITE = "临夏/2021/外科_2021年1月.xlsx"


def month_end(year: int, month: int) -> str:
    return {2: "28" if year % 4 else "29", 4: "30", 6: "30", 9: "30", 11: "30"}.get(month, "31")


def monthly(raw, path: str, sha: str, department: str, year: int, month: int, visits: int,
            *, modified: str | None = None) -> None:
    last = f"{year}-{month:02d}-{month_end(year, month)}"
    raw.file(path, sha, modified=modified or f"{last} 20:00:00")
    raw.activity(sha, pair=LX, department=department, period=(f"{year}-{month:02d}-01", last),
                 columns=VISITS, people=[("吴十", {"total_visits": str(visits)})])


def write_corpus(raw) -> None:
    for sha, path, modified, surgeries in [
        ("paed_a", FIRST, "2021-02-03 09:00:00", "4"),
        ("paed_b", CORRECTION, "2021-02-10 09:00:00", "5"),
    ]:
        raw.file(path, sha, modified=modified)
        raw.activity(sha, pair=LX, department="儿科", period=("2021-01-01", "2021-01-31"),
                     columns=SURGERIES, people=[("王五", {"surgeries": surgeries})])
    # The first file's bytes again, at a path after it in byte order and modified after the
    # correction: a duplicate, which neither wins nor makes its original win.
    raw.file(RESENT_COPY, "paed_a", modified="2021-03-01 09:00:00")
    raw.file(QUARTER, "paed_q", modified="2021-04-05 09:00:00")
    raw.activity("paed_q", pair=LX, department="儿科", period=("2021-01-01", "2021-03-31"),
                 columns=SURGERIES,
                 people=[("王 五", {"surgeries": "9"}), ("李娜", {"surgeries": "2"})])

    for month in range(1, 13):
        monthly(raw, f"临夏/2020/心内科_2020年{month}月.xlsx", f"cardio_{month}", "心内科", 2020,
                month, 3100 + 10 * month)
        monthly(raw, f"临夏/2020/外科_2020年{month}月.xlsx", f"surg_{month}", "外科", 2020,
                month, 3100 + 10 * month)
    # June's first file had a slipped digit; its correction, a week later, is what counts.
    monthly(raw, SLIPPED, "cardio_6_slipped", "心内科", 2020, 6, 31600,
            modified="2020-06-30 08:00:00")
    monthly(raw, SPIKE, "cardio_spike", "心内科", 2021, 1, 9000)
    monthly(raw, FOUND_BY_SUITE, "surg_spike", "外科", 2021, 1, 9000)
    raw.issue("surg_spike", "implausible_value", "单元格 B5（“诊疗人次”）的数值 9000 超出通常范围"
              "（统计周期 31 天，平均每天 290.32，而每人每天通常不超过 120）。请核实是否填错。",
              severity="warning", sheet="Sheet1", row=5, column="诊疗人次", cell="B5",
              value="9000")


@pytest.fixture(scope="module")
def con(build_warehouse):
    with duckdb.connect(str(build_warehouse("corpus", write_corpus)), read_only=True) as con:
        yield con


def issues(con, code: str) -> list[tuple]:
    return con.execute(
        "select file_path, cell, message from ingest_issues where code = ? order by all", [code]
    ).fetchall()


def test_overlaps_statuses_and_marts_agree_on_which_report_counts(con) -> None:
    statuses = dict(con.execute(
        "select file_path, status from ingest_files where file_path like '%儿科%'").fetchall())
    assert statuses == {FIRST: "superseded", CORRECTION: "accepted", RESENT_COPY: "duplicate",
                        QUARTER: "accepted"}
    overlaps = issues(con, "overlapping_period")
    assert [(path, cell) for path, cell, _ in overlaps] == [(CORRECTION, "A5"), (QUARTER, "A5")]
    correction, quarter = (message for _, _, message in overlaps)
    assert correction == ("“王五”在本表与另一份报表（临夏/2021/儿科_2021年第1季度.xlsx，"
                          "2021-01-01至2021-03-31）的统计周期重叠，同一工作量可能被重复统计。请核对。")
    assert CORRECTION in quarter and FIRST not in quarter
    (surgeries,) = con.execute(
        "select value from mart_department_trend where department = '儿科' "
        "and metric_code = 'surgeries' and year = 2021").fetchone()
    assert surgeries == 5 + 9 + 2  # the correction and the quarter, nothing of the first


def test_a_spike_against_the_departments_usual_range(con) -> None:
    (spike,) = [(path, cell, message) for path, cell, message
                in issues(con, "implausible_value") if path == SPIKE]
    assert spike[1] == "B5"
    assert spike[2].startswith("单元格 B5（“诊疗人次”）的数值 9000 超出通常范围（同科室以往每人每天"
                               "中位数约 ")
    assert "按本期 31 天通常不超过" in spike[2]


def test_a_superseded_slip_is_not_judged_and_a_cell_is_reported_once(con) -> None:
    paths = [path for path, _, _ in issues(con, "implausible_value")]
    assert SLIPPED not in paths
    assert paths.count(FOUND_BY_SUITE) == 1
    (source,) = con.execute("select source from ingest_issues where file_path = ?",
                            [FOUND_BY_SUITE]).fetchone()
    assert source == "reader"  # the suite's finding (planted as the loader writes it), kept
