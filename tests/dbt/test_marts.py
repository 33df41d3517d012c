"""The marts, built by dbt from a small hand-written raw layer whose every number is worked
out below. One dbt build for the whole module."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

SX = ("绍兴市中医院", "务川仡佬族苗族自治县中医院")
LX = ("临夏回族自治州人民医院", "和政县人民医院")

VISITS = {"outpatient_visits": "诊疗人次·门诊", "emergency_visits": "诊疗人次·急诊"}
SURGERIES = {"surgeries": "开展手术例数"}
CONTRACT_CHECK = Path("/work/shared/tools/check_contract.py")


def write_corpus(raw) -> None:
    # --- 临夏州人民医院 → 和政县人民医院 (expected every quarter) ---
    # A period across the new year, 62 days: 31 fall in 2019 and 31 in 2020. No total column,
    # so total_visits = outpatient + emergency.
    raw.file("临夏/2019/心内科_2019年12月-2020年1月.xlsx", "cardio", modified="2020-02-10 09:00:00")
    raw.activity(
        "cardio",
        pair=LX,
        department="心内科",
        period=("2019-12-01", "2020-01-31"),
        columns={**VISITS, **SURGERIES},
        people=[
            ("张三", {"outpatient_visits": "62", "emergency_visits": "31", "surgeries": "6"}),
            ("李四", {"outpatient_visits": "124", "emergency_visits": "无", "surgeries": "0"}),
        ],
    )
    # A corrected resubmission: the later file wins, the first is superseded; the report
    # first arrived 5 days after its quarter, so it is on time.
    raw.file("临夏/2021/儿科_2021Q1.xlsx", "paed_v1", modified="2021-04-05 10:00:00")
    raw.activity(
        "paed_v1",
        pair=LX,
        department="儿科",
        period=("2021-01-01", "2021-03-31"),
        columns=SURGERIES,
        people=[("王五", {"surgeries": "10"})],
    )
    raw.file("临夏/2021/儿科_2021Q1_修订.xlsx", "paed_v2", modified="2021-04-20 10:00:00")
    raw.activity(
        "paed_v2",
        pair=LX,
        department="儿科",
        period=("2021-01-01", "2021-03-31"),
        columns=SURGERIES,
        people=[("王五", {"surgeries": "12"})],
    )
    # The same bytes at two paths, seen in the same run: the smaller path counts. Sent 31
    # days after March: late.
    for path in ("临夏/2022/产科_2022年3月.xlsx", "临夏/备份/产科_2022年3月.xlsx"):
        raw.file(path, "obst", modified="2022-05-01 09:00:00", first_seen="2022-05-02 02:00:00")
    raw.activity(
        "obst",
        pair=LX,
        department="产科",
        period=("2022-03-01", "2022-03-31"),
        columns=SURGERIES,
        people=[("赵六", {"surgeries": "5"})],
    )
    raw.issue(
        "obst",
        "implausible_value",
        "单元格 B5（“开展手术例数”）的数值 5 超出通常范围（测试）。请核实是否填错。",
        severity="warning",
        sheet="Sheet1",
        row=5,
        column="开展手术例数",
        cell="B5",
        value="5",
    )
    # Removed from the raw folder: its 100 surgeries leave the marts.
    raw.file(
        "临夏/2020/口腔科_2020年6月.xlsx", "dental", modified="2020-07-02 09:00:00", present=False
    )
    raw.activity(
        "dental",
        pair=LX,
        department="口腔科",
        period=("2020-06-01", "2020-06-30"),
        columns=SURGERIES,
        people=[("孙七", {"surgeries": "100"})],
    )
    raw.issue(
        "dental",
        "unknown_column",
        "无法识别的列“备用”（C4），该列数据未导入。",
        severity="warning",
        column="备用",
        cell="C4",
    )
    # A file-level error: every row is quarantined.
    raw.file("临夏/急诊科_统计表.xlsx", "emerg", modified="2021-05-01 09:00:00")
    raw.activity(
        "emerg",
        pair=LX,
        department="急诊科",
        period=(None, None),
        columns=SURGERIES,
        people=[("马一", {"surgeries": "7"}), ("马二", {"surgeries": "8"})],
    )
    raw.issue(
        "emerg", "period_missing", "未填写统计周期（表中未找到）。请填写起止日期。", sheet="Sheet1"
    )
    # A row-level error: row 6 is quarantined, row 5 counts.
    raw.file("临夏/2021/呼吸科_2021年7月.xlsx", "resp", modified="2021-08-03 09:00:00")
    raw.activity(
        "resp",
        pair=LX,
        department="呼吸科",
        period=("2021-07-01", "2021-07-31"),
        columns={**SURGERIES, "lectures": "学术讲座次数"},
        people=[
            ("陈一", {"surgeries": "4", "lectures": "1"}),
            ("林二", {"surgeries": "x", "lectures": "2"}),
        ],
    )
    raw.issue(
        "resp",
        "non_numeric_value",
        "单元格 B6（“开展手术例数”）填写的“x”不是数字。请只填写数字，没有请填 0。",
        sheet="Sheet1",
        row=6,
        column="开展手术例数",
        cell="B6",
        value="x",
    )
    # 呼吸科 sends a monthly form from 2021 (the built-in registry's 应报科室): in 2022 August never
    # came and December's came with a file-level error, so 12 expected, 11 received, 10
    # accepted. Lectures: each month's number is the month (August and December count nothing).
    for month in (*range(1, 8), *range(9, 13)):
        sha = f"resp22_{month:02d}"
        last_day = 31 if month in (1, 3, 5, 7, 10, 12) else 30 if month != 2 else 28
        raw.file(
            f"临夏/2022/呼吸科_2022年{month}月.xlsx", sha, modified=f"2022-{month:02d}-28 09:00:00"
        )
        raw.activity(
            sha,
            pair=LX,
            department="呼吸科",
            period=(f"2022-{month:02d}-01", f"2022-{month:02d}-{last_day}"),
            columns={"lectures": "学术讲座次数"},
            people=[("陈一", {"lectures": str(month)})],
        )
    raw.issue(
        "resp22_12",
        "missing_required_column",
        "表头缺少必填列“姓名”。请在表头加上此列并逐人填写后重新提交。",
        sheet="Sheet1",
    )
    # A department nobody expected.
    raw.file("临夏/2022/神经外科_2022年5月.xlsx", "neuro", modified="2022-06-05 09:00:00")
    raw.activity(
        "neuro",
        pair=LX,
        department="神经外科",
        period=("2022-05-01", "2022-05-31"),
        columns=SURGERIES,
        people=[("何三", {"surgeries": "2"})],
    )
    # No department found (the reader only warns): counted under the placeholder name.
    raw.file("临夏/2022/义诊_2022年12月.xlsx", "nodept", modified="2023-01-03 09:00:00")
    raw.activity(
        "nodept",
        pair=LX,
        department=None,
        period=("2022-12-01", "2022-12-31"),
        columns={"free_clinic_visits": "义诊人次"},
        people=[("白雪", {"free_clinic_visits": "40"})],
    )
    # A file the reader could not open: no parsed_files row.
    raw.file("临夏/损坏的文件.xlsx", "broken", modified="2021-01-01 09:00:00", form_type=None)
    raw.issue("broken", "unreadable_file", "文件无法打开（测试）。请另存为 .xlsx 后重新提交。")

    # --- 绍兴市中医院 → 务川自治县中医院 (expected in Q1 and Q3) ---
    # The 2018 template has one 诊疗人次 column and no lectures column; 手术 '—' is an explicit 0.
    raw.file("绍兴/2018/中医骨伤科_2018年3月.xlsx", "ortho18", modified="2018-04-02 09:00:00")
    raw.activity(
        "ortho18",
        pair=SX,
        department="中医骨伤科",
        period=("2018-03-01", "2018-03-31"),
        columns={"total_visits": "诊疗人次", **SURGERIES},
        people=[("周八", {"total_visits": "40", "surgeries": "—"})],
    )
    raw.file("绍兴/2019/中医骨伤科_2019年9月.xlsx", "ortho19", modified="2019-10-30 09:00:00")
    raw.activity(
        "ortho19",
        pair=SX,
        department="中医骨伤科",
        period=("2019-09-01", "2019-09-30"),
        columns={**VISITS, **SURGERIES, "lectures": "学术讲座次数"},
        people=[
            (
                "周八",
                {
                    "outpatient_visits": "30",
                    "emergency_visits": "5",
                    "surgeries": "3",
                    "lectures": "2",
                },
            )
        ],
    )
    # One workbook, three reports; 吴九 (padded once as '吴 九') is one person.
    raw.file("绍兴/2018/针灸科推拿科_2018.xlsx", "acu", modified="2018-10-08 09:00:00", sheets=3)
    raw.activity(
        "acu",
        sheet="3月",
        sheet_index=0,
        pair=SX,
        department="针灸科",
        period=("2018-03-01", "2018-03-31"),
        columns=VISITS,
        people=[("吴 九", {"outpatient_visits": "10", "emergency_visits": ""})],
    )
    raw.activity(
        "acu",
        sheet="9月",
        sheet_index=1,
        pair=SX,
        department="针灸科",
        period=("2018-09-01", "2018-09-30"),
        columns=VISITS,
        people=[
            ("吴九", {"outpatient_visits": "20", "emergency_visits": "0"}),
            ("郑十", {"outpatient_visits": "6", "emergency_visits": "-"}),
        ],
    )
    raw.activity(
        "acu",
        sheet="推拿科",
        sheet_index=2,
        pair=SX,
        department="推拿科",
        period=("2018-09-01", "2018-09-30"),
        columns={"teaching_rounds": "教学查房次数"},
        people=[("钱多", {"teaching_rounds": "3"})],
    )
    # Capacity: a five-year table with one bad ICU cell, then a later correction of 2022 only.
    raw.file(
        "绍兴/能力/务川县中医院_能力指标_2018-2022.xlsx",
        "cap_all",
        modified="2023-01-10 09:00:00",
        form_type="capacity",
    )
    raw.capacity(
        "cap_all",
        pair=SX,
        years=(2018, 2022),
        indicators=[
            (
                "cap_open_beds",
                "实际开放床位数",
                {2018: "100", 2019: "120", 2020: "150", 2021: "150", 2022: "200"},
            ),
            (
                "cap_treatment_centers",
                "建成救治中心数",
                {2018: "0", 2019: "1", 2020: "2", 2021: "3", 2022: "4"},
            ),
            (
                "cap_county_inpatient_share_pct",
                "县域内住院量占比",
                {2018: "85.5%", 2019: "88", 2020: "", 2021: "90", 2022: "92.5"},
            ),
            (
                "cap_icu_beds",
                "ICU床位数",
                {2018: "4", 2019: "abc", 2020: "6", 2021: "6", 2022: "8"},
            ),
        ],
    )
    raw.issue(
        "cap_all",
        "non_numeric_value",
        "单元格 C7（“2019”）填写的“abc”不是数字。请只填写数字，没有请填 0。",
        sheet="能力指标",
        row=7,
        column="2019",
        cell="C7",
        value="abc",
    )
    raw.file(
        "绍兴/能力/务川县中医院_2022_更正.xlsx",
        "cap_2022",
        modified="2023-03-01 09:00:00",
        form_type="capacity",
    )
    raw.capacity(
        "cap_2022",
        pair=SX,
        years=(2022, 2022),
        indicators=[
            ("cap_open_beds", "实际开放床位数", {2022: "210"}),
            ("cap_treatment_centers", "建成救治中心数", {2022: "5"}),
        ],
    )


@pytest.fixture
def con(warehouse: Path):
    # One connection per test, so that the dbt commands of later tests can lock the file.
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        yield connection


def one(con, sql: str, *params):
    """The single value of a query that must return exactly one row."""
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


def trend(con, pair, metric: str) -> dict[int, float | None]:
    return dict(
        con.execute(
            "select year, value from mart_capacity_trend where supporting_hospital = ? "
            "and recipient_hospital = ? and metric_code = ? order by year",
            [*pair, metric],
        ).fetchall()
    )


def department(con, pair, name: str, metric: str) -> dict[int, tuple]:
    return {
        year: (value, reports)
        for year, value, reports in con.execute(
            "select year, value, reports from mart_department_trend where supporting_hospital = ? "
            "and recipient_hospital = ? and department = ? and metric_code = ? order by year",
            [*pair, name, metric],
        ).fetchall()
    }


def status_of(con, path: str) -> str:
    return one(con, "select status from ingest_files where file_path = ?", path)


# --- statuses ---------------------------------------------------------------------------


def test_every_file_version_gets_its_status(con):
    statuses = dict(con.execute("select file_path, status from ingest_files").fetchall())
    monthly = {path: statuses.pop(path) for path in list(statuses) if "呼吸科_2022年" in path}
    assert monthly == {
        **{f"临夏/2022/呼吸科_2022年{m}月.xlsx": "accepted" for m in (*range(1, 8), 9, 10, 11)},
        "临夏/2022/呼吸科_2022年12月.xlsx": "rejected",
    }
    assert statuses == {
        "临夏/2019/心内科_2019年12月-2020年1月.xlsx": "accepted",
        "临夏/2021/儿科_2021Q1.xlsx": "superseded",
        "临夏/2021/儿科_2021Q1_修订.xlsx": "accepted",
        "临夏/2022/产科_2022年3月.xlsx": "accepted",
        "临夏/备份/产科_2022年3月.xlsx": "duplicate",
        "临夏/2020/口腔科_2020年6月.xlsx": "withdrawn",
        "临夏/急诊科_统计表.xlsx": "rejected",
        "临夏/2021/呼吸科_2021年7月.xlsx": "partial",
        "临夏/2022/神经外科_2022年5月.xlsx": "accepted",
        "临夏/2022/义诊_2022年12月.xlsx": "accepted",
        "临夏/损坏的文件.xlsx": "rejected",
        "绍兴/2018/中医骨伤科_2018年3月.xlsx": "accepted",
        "绍兴/2019/中医骨伤科_2019年9月.xlsx": "accepted",
        "绍兴/2018/针灸科推拿科_2018.xlsx": "accepted",
        "绍兴/能力/务川县中医院_能力指标_2018-2022.xlsx": "partial",
        "绍兴/能力/务川县中医院_2022_更正.xlsx": "accepted",
    }


def test_row_counts_and_issue_counts(con):
    rows = {
        path: rest
        for path, *rest in con.execute(
            "select file_path, rows_accepted, rows_rejected, error_count, warning_count "
            "from ingest_files"
        ).fetchall()
    }
    assert rows["临夏/急诊科_统计表.xlsx"] == [0, 2, 1, 0]
    assert rows["临夏/2021/呼吸科_2021年7月.xlsx"] == [1, 1, 1, 0]
    assert rows["绍兴/能力/务川县中医院_能力指标_2018-2022.xlsx"] == [3, 1, 1, 0]
    assert rows["临夏/2022/产科_2022年3月.xlsx"] == [1, 0, 0, 1]
    assert rows["临夏/损坏的文件.xlsx"] == [0, 0, 1, 0]


def test_workbook_with_several_reports_is_summarised(con):
    assert one(
        con,
        "select form_type, supporting_hospital, recipient_hospital, department, "
        "period_start::varchar, period_end::varchar from ingest_files where sha256 = 'acu'",
    ) == ("activity", *SX, "推拿科、针灸科", "2018-03-01", "2018-09-30")


def test_unparsed_file_is_unknown_and_capacity_has_no_department(con):
    assert one(con, "select form_type, department from ingest_files where sha256 = 'broken'") == (
        "unknown",
        None,
    )
    assert one(
        con,
        "select form_type, department, period_start::varchar, period_end::varchar "
        "from ingest_files where sha256 = 'cap_all'",
    ) == ("capacity", None, "2018-01-01", "2022-12-31")


# --- issues and quarantine --------------------------------------------------------------


def test_issues_are_listed_once_per_counting_version(con):
    issues = con.execute(
        "select file_path, code, severity, file_status from ingest_issues order by all"
    ).fetchall()
    assert ("临夏/2022/产科_2022年3月.xlsx", "implausible_value", "warning", "accepted") in issues
    assert not [i for i in issues if i[0].startswith("临夏/备份/")]
    assert ("临夏/2020/口腔科_2020年6月.xlsx", "unknown_column", "warning", "withdrawn") in issues
    rejected_month = ("临夏/2022/呼吸科_2022年12月.xlsx", "missing_required_column", "error")
    assert (*rejected_month, "rejected") in issues
    assert len(issues) == 7


def test_quarantine_holds_every_rejected_row_with_its_text_and_reason(con):
    quarantined = {
        (sha, row): rest
        for sha, row, *rest in con.execute(
            "select sha256, row_number, person_name, error_codes, reasons, raw_cells_json, "
            "department from quarantined_rows"
        ).fetchall()
    }
    assert set(quarantined) == {
        ("emerg", 5), ("emerg", 6), ("resp", 6), ("cap_all", 7), ("resp22_12", 5)
    }

    name, codes, reasons, cells, dept = quarantined["resp", 6]
    assert (name, codes, dept) == ("林二", "non_numeric_value", "呼吸科")
    assert "B6" in reasons
    assert json.loads(cells) == {"姓名": "林二", "开展手术例数": "x", "学术讲座次数": "2"}
    assert list(json.loads(cells)) == ["姓名", "开展手术例数", "学术讲座次数"]

    assert quarantined["emerg", 5][:2] == ["马一", "period_missing"]
    assert json.loads(quarantined["cap_all", 7][3]) == {
        "指标": "ICU床位数",
        "2018": "4",
        "2019": "abc",
        "2020": "6",
        "2021": "6",
        "2022": "8",
    }


# --- activity values ----------------------------------------------------------------------


def test_period_across_the_new_year_is_split_by_days(con):
    # 31 of 62 days in each year: half of every count.
    for year in (2019, 2020):
        assert department(con, LX, "心内科", "outpatient_visits")[year] == ((62 + 124) / 2, 1)
        assert department(con, LX, "心内科", "emergency_visits")[year] == (15.5, 1)
        assert department(con, LX, "心内科", "total_visits")[year] == (108.5, 1)
        assert department(con, LX, "心内科", "surgeries")[year] == (3.0, 1)
    assert department(con, LX, "心内科", "surgeries")[2021] == (None, 0)
    assert (
        one(
            con,
            "select value from mart_person_activity where person_name = '张三' "
            "and metric_code = 'total_visits' and year = 2020",
        )
        == 46.5
    )


def test_pair_totals_count_winners_once_and_leave_withdrawn_and_rejected_out(con):
    # 2021: 儿科 12 (corrected, not 10) + 呼吸科 4 (林二's row rejected); 2020: not 口腔科's 100;
    # 2022: 产科 5 once + 神经外科 2.
    assert trend(con, LX, "surgeries") == {2018: None, 2019: 3.0, 2020: 3.0, 2021: 16.0, 2022: 7.0}
    assert not con.execute(
        "select 1 from mart_department_trend where department in ('口腔科', '急诊科')"
    ).fetchall()
    assert not con.execute(
        "select 1 from mart_person_activity where person_name in ('林二', '孙七', '马一')"
    ).fetchall()


def test_metric_missing_from_an_old_template_is_null_next_to_an_explicit_zero(con):
    lectures = department(con, SX, "中医骨伤科", "lectures")
    surgeries = department(con, SX, "中医骨伤科", "surgeries")
    assert (lectures[2018], lectures[2019]) == ((None, 1), (2.0, 1))
    assert (surgeries[2018], surgeries[2019]) == ((0.0, 1), (3.0, 1))
    assert trend(con, SX, "lectures") == {2018: None, 2019: 2.0, 2020: None, 2021: None, 2022: None}


def test_total_visits_uses_the_total_column_else_both_parts(con):
    # 2018: 骨伤 40 from its total column + 针灸 (10 + 20 + 6) from outpatient + emergency.
    assert trend(con, SX, "total_visits") == {
        2018: 76.0,
        2019: 35.0,
        2020: None,
        2021: None,
        2022: None,
    }
    assert trend(con, SX, "outpatient_visits")[2018] == 36.0


def test_staff_dispatched_counts_distinct_people_per_department(con):
    # 2018: 周八 (骨伤) + 吴九 and 郑十 (针灸; 吴九 twice, once padded) + 钱多 (推拿).
    assert trend(con, SX, "staff_dispatched") == {
        2018: 4.0,
        2019: 1.0,
        2020: None,
        2021: None,
        2022: None,
    }
    # 2019-2020: 张三, 李四; 2021: 王五, 陈一 (林二's row rejected); 2022: 赵六, 何三, 白雪,
    # 陈一 (呼吸科's monthly forms).
    assert trend(con, LX, "staff_dispatched") == {
        2018: None,
        2019: 2.0,
        2020: 2.0,
        2021: 2.0,
        2022: 4.0,
    }
    assert department(con, SX, "针灸科", "staff_dispatched")[2018] == (2.0, 2)
    assert one(
        con,
        "select value, reports from mart_person_activity where department = '针灸科' "
        "and person_name = '吴九' and metric_code = 'outpatient_visits' and year = 2018",
    ) == (30.0, 2)


def test_person_activity_is_sparse(con):
    assert con.execute(
        "select metric_code from mart_person_activity where person_name = '钱多'"
    ).fetchall() == [("teaching_rounds",)]


def test_department_trend_is_dense_for_departments_with_winning_reports(con):
    departments = con.execute(
        "select distinct department from mart_department_trend order by 1"
    ).fetchall()
    assert {d for (d,) in departments} == {
        "心内科",
        "儿科",
        "产科",
        "呼吸科",
        "神经外科",
        "中医骨伤科",
        "针灸科",
        "推拿科",
        "科室未注明",
    }
    assert one(con, "select count(*) from mart_department_trend") == 9 * 16 * 5


def test_report_without_a_department_counts_under_a_placeholder(con):
    assert department(con, LX, "科室未注明", "free_clinic_visits")[2022] == (40.0, 1)
    assert trend(con, LX, "free_clinic_visits")[2022] == 40.0
    assert completeness(con, LX, "科室未注明", "2022Q4") == (False, 1, 1, "unexpected")
    assert one(con, "select department from ingest_files where sha256 = 'nodept'") is None


# --- capacity and trend measures ----------------------------------------------------------


def capacity_row(con, metric: str, year: int):
    return one(
        con,
        "select value, prior_year_value, yoy_change, yoy_pct, index_vs_2018, cagr_2018_2022 "
        "from mart_capacity_trend where supporting_hospital = ? and metric_code = ? and year = ?",
        SX[0],
        metric,
        year,
    )


def test_capacity_values_latest_file_wins_per_year(con):
    assert trend(con, SX, "cap_open_beds") == {
        2018: 100,
        2019: 120,
        2020: 150,
        2021: 150,
        2022: 210,
    }
    assert trend(con, SX, "cap_treatment_centers")[2022] == 5
    # "abc" in 2019 rejects that cell only; the indicator's other years count.
    assert trend(con, SX, "cap_icu_beds") == {2018: 4, 2019: None, 2020: 6, 2021: 6, 2022: 8}
    assert trend(con, SX, "cap_county_inpatient_share_pct") == {
        2018: 85.5,
        2019: 88,
        2020: None,
        2021: 90,
        2022: 92.5,
    }
    assert trend(con, LX, "cap_open_beds") == dict.fromkeys(range(2018, 2023))


def test_yoy_index_and_cagr(con):
    cagr = (2.1**0.25 - 1) * 100
    assert capacity_row(con, "cap_open_beds", 2018) == (
        100,
        None,
        None,
        None,
        100,
        pytest.approx(cagr),
    )
    assert capacity_row(con, "cap_open_beds", 2019) == (120, 100, 20, 20, 120, pytest.approx(cagr))
    assert capacity_row(con, "cap_open_beds", 2022) == (210, 150, 60, 40, 210, pytest.approx(cagr))
    assert trend(con, SX, "total_visits")[2019] == 35
    assert one(
        con,
        "select yoy_change, yoy_pct, index_vs_2018 from mart_capacity_trend "
        "where supporting_hospital = ? and metric_code = 'total_visits' and year = 2019",
        SX[0],
    ) == (-41, pytest.approx(-41 / 76 * 100), pytest.approx(35 / 76 * 100))


def test_trend_measures_are_null_where_the_contract_says(con):
    # 2018 value 0: no index, no CAGR; a prior of 0: no yoy_pct.
    assert capacity_row(con, "cap_treatment_centers", 2019) == (1, 0, 1, None, None, None)
    assert capacity_row(con, "cap_treatment_centers", 2020)[3] == 100
    # A NULL year: no change from or to it.
    assert capacity_row(con, "cap_county_inpatient_share_pct", 2020) == (
        None,
        88,
        None,
        None,
        None,
        pytest.approx(((92.5 / 85.5) ** 0.25 - 1) * 100),
    )
    assert capacity_row(con, "cap_county_inpatient_share_pct", 2021)[1:4] == (None, None, None)
    # 2022 not reported: no CAGR.
    assert capacity_row(con, "surgeries", 2019) == (3, 0, 3, None, None, None)


def test_capacity_trend_is_dense(con):
    assert one(con, "select count(*), count(distinct metric_code) from mart_capacity_trend") == (
        2 * 30 * 5,
        30,
    )


# --- targets ------------------------------------------------------------------------------


def test_targets(con):
    status = {
        (pair, code, year): s
        for pair, code, year, s in con.execute(
            "select supporting_hospital, target_code, year, status from mart_target_attainment"
        ).fetchall()
    }
    assert len(status) == 23
    assert status[SX[0], "annual_free_clinic", 2018] == "not_reported"
    assert [status[SX[0], "staff_dispatched_min_2", y] for y in range(2018, 2023)] == [
        "met",
        "not_met",
        "not_reported",
        "not_reported",
        "not_reported",
    ]
    assert status[SX[0], "five_treatment_centers", 2022] == "met"
    assert status[LX[0], "five_treatment_centers", 2022] == "not_reported"
    assert [status[SX[0], "county_inpatient_share_90", y] for y in range(2018, 2023)] == [
        "not_met",
        "not_met",
        "not_reported",
        "met",
        "met",
    ]
    assert status[LX[0], "new_techniques_2022", 2022] == "not_reported"


# --- reporting completeness -----------------------------------------------------------------


def completeness(con, pair, dept: str, label: str):
    return one(
        con,
        "select expected, reports_received, reports_on_time, status "
        "from mart_reporting_completeness "
        "where supporting_hospital = ? and department = ? and period_label = ?",
        pair[0],
        dept,
        label,
    )


def test_reporting_completeness(con):
    assert completeness(con, LX, "心内科", "2019Q4") == (True, 1, 1, "on_time")
    assert completeness(con, LX, "心内科", "2020Q1") == (True, 1, 1, "on_time")
    assert completeness(con, LX, "心内科", "2019Q1") == (True, 0, 0, "missing")
    assert completeness(con, LX, "儿科", "2021Q1") == (True, 1, 1, "on_time")
    assert completeness(con, LX, "产科", "2022Q1") == (True, 1, 0, "late")
    assert completeness(con, LX, "口腔科", "2020Q2") == (True, 0, 0, "missing")
    assert completeness(con, LX, "急诊科", "2021Q2") == (True, 0, 0, "missing")
    assert completeness(con, LX, "神经外科", "2022Q2") == (False, 1, 1, "unexpected")
    assert completeness(con, SX, "中医骨伤科", "2019Q3") == (True, 1, 0, "late")
    assert completeness(con, SX, "针灸科", "2018Q1") == (True, 1, 0, "late")
    assert completeness(con, SX, "针灸科", "2018Q3") == (True, 1, 1, "on_time")
    assert completeness(con, SX, "重症医学科", "2018Q1") == (True, 0, 0, "missing")
    # Shaoxing reports in Q1 and Q3 only: no row for a quarter nobody expected or sent.
    assert not con.execute(
        "select 1 from mart_reporting_completeness where supporting_hospital = ? "
        "and department = '重症医学科' and quarter = 2",
        [SX[0]],
    ).fetchall()
    expected_rows = 10 * 5 * 2 + 10 * 5 * 4
    unexpected_rows = 2  # 神经外科 2022Q2, 科室未注明 2022Q4
    assert one(con, "select count(*) from mart_reporting_completeness") == (
        expected_rows + unexpected_rows
    )


def test_resubmission_is_on_time_when_the_first_version_was(con):
    assert (
        one(
            con,
            "select first_received_at::varchar from mart_reporting_completeness "
            "where department = '儿科' and period_label = '2021Q1'",
        )
        == "2021-04-05 10:00:00"
    )


# --- coverage: expected, received, accepted ----------------------------------------------------


def test_a_year_with_a_month_missing_and_a_month_rejected(con):
    expected = {
        label: status
        for label, status in con.execute(
            "select period_label, status from mart_expected_reports where department = '呼吸科' "
            "and year = 2022 order by period_of_year"
        ).fetchall()
    }
    assert len(expected) == 12
    assert expected["2022年8月"] == "missing"
    assert expected["2022年12月"] == "rejected"
    assert [s for s in expected.values()].count("accepted") == 10
    assert one(
        con,
        "select reporting_cadence, reports_expected, reports_received, reports_accepted "
        "from mart_reporting_coverage where department = '呼吸科' and year = 2022",
    ) == ("month", 12, 11, 10)
    # The same counts beside the department's yearly value: 1+…+7 + 9+10+11 lectures.
    assert one(
        con,
        "select value, reports_expected, reports_received, reports_accepted "
        "from mart_department_trend where department = '呼吸科' and year = 2022 "
        "and metric_code = 'lectures'",
    ) == (58.0, 12, 11, 10)
    # The pair: 7 quarterly departments × 4 + 3 monthly ones × 12 = 64 expected; received
    # 呼吸科's 11 and 产科's Q1 (its March form); accepted 10 + 1.
    assert one(
        con,
        "select reports_expected, reports_received, reports_accepted from mart_capacity_trend "
        "where recipient_hospital = ? and metric_code = 'lectures' and year = 2022",
        LX[1],
    ) == (64, 12, 11)
    assert one(
        con,
        "select count(*) from mart_capacity_trend where kind = 'capacity' "
        "and reports_expected is not null",
    ) == 0
    # The quarter grid: Q3 lacks August, Q4 has December rejected — neither is whole.
    grid = dict(
        con.execute(
            "select period_label, coverage_status from mart_reporting_completeness "
            "where department = '呼吸科' and year = 2022"
        ).fetchall()
    )
    assert grid == {
        "2022Q1": "accepted",
        "2022Q2": "accepted",
        "2022Q3": "incomplete",
        "2022Q4": "incomplete",
    }
    assert completeness(con, LX, "口腔科", "2020Q2")[:3] == (True, 0, 0)


def test_the_missing_reports_list(con):
    # Shaoxing expects March and September forms: 针灸科 sent both in 2018, 重症医学科 neither.
    rows = con.execute(
        "select department, period_label, status from mart_expected_reports "
        "where supporting_hospital = ? and year = 2018 and department in ('针灸科', '重症医学科') "
        "order by department, period_of_year",
        [SX[0]],
    ).fetchall()
    assert rows == [
        ("重症医学科", "2018年3月", "missing"),
        ("重症医学科", "2018年9月", "missing"),
        ("针灸科", "2018年3月", "accepted"),
        ("针灸科", "2018年9月", "accepted"),
    ]


# --- the work plan -----------------------------------------------------------------------------


def test_work_plan_items_tracked_against_the_reports(con):
    status = dict(
        ((code, year), (s, evidence))
        for code, year, s, evidence in con.execute(
            "select plan_item_code, year, status, evidence_detail_zh from mart_work_plan_status"
        ).fetchall()
    )
    # 2018: staff in March (骨伤科, 针灸科) and September (针灸科, 推拿科); 2019 only September.
    assert status["sx_dispatch_march_september", 2018][0] == "done"
    assert status["sx_dispatch_march_september", 2019][0] == "not_done"
    assert "3月" in status["sx_dispatch_march_september", 2019][1]
    assert status["sx_dispatch_march_september", 2020][0] == "no_data"
    # 2018: four people ≥ 2; 2019: one.
    assert status["sx_dispatch_two_to_three", 2018][0] == "done"
    assert status["sx_dispatch_two_to_three", 2019][0] == "not_done"
    # Nothing in the forms shows trainees received.
    assert status["sx_trainees", 2018][0] == "no_data"
    # 2022: five treatment centres reported for Shaoxing's recipient only.
    assert ("lx_treatment_centers", 2022) in status
    assert status["lx_treatment_centers", 2022][0] == "no_data"


# --- the warehouse as a whole -----------------------------------------------------------------


def test_contract_holds(warehouse: Path):
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(warehouse)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "contract: holds" in result.stdout, result.stdout


def test_docs_generate(warehouse: Path, dbt):
    # In the build's own target folder, so that dbt reuses the parsed and compiled project.
    result = dbt(warehouse, warehouse.parent, "docs", "generate", "--static", "--no-compile")
    assert result.returncode == 0, result.stdout[-3000:]
    target = warehouse.parent / "target"
    assert (target / "static_index.html").stat().st_size > 0
    # Every model, seed and source, and every column they really have, is described.
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    documented = {**manifest["nodes"], **manifest["sources"]}
    assert "model.bangfu.mart_capacity_trend" in catalog["nodes"]
    undescribed = []
    for unique_id, built in [*catalog["nodes"].items(), *catalog["sources"].items()]:
        node = documented[unique_id]
        described = {
            name.lower() for name, column in node["columns"].items() if column["description"]
        }
        undescribed += [unique_id] if not node["description"] else []
        undescribed += [f"{unique_id}.{c}" for c in built["columns"] if c.lower() not in described]
    assert undescribed == []


def test_grain_and_density_tests_catch_a_broken_mart(warehouse: Path, dbt, tmp_path: Path):
    # Broken in place and restored after: the same database path lets dbt reuse its parse.
    pristine = tmp_path / "pristine.duckdb"
    shutil.copy(warehouse, pristine)
    try:
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(
                "insert into mart_capacity_trend select * from mart_capacity_trend "
                "where metric_code = 'surgeries' and year = 2019 limit 1"
            )
            connection.execute(
                "delete from mart_capacity_trend where metric_code = 'lectures' and year = 2020"
            )
            connection.execute(
                "update mart_capacity_trend set year = null where metric_code = 'surgeries' "
                "and year = 2021"
            )
            connection.execute(
                "update mart_capacity_trend set metric_code = 'no_such_metric' "
                "where metric_code = 'lectures' and year = 2018"
            )
        tests = ("rules", "one_row_per_year")
        selectors = [f"mart_capacity_trend,test_name:{test}" for test in tests]
        result = dbt(warehouse, warehouse.parent, "test", "--select", *selectors)
        # What the failing rules test returns: each offending row, with the rule it breaks.
        compiled = next((warehouse.parent / "target" / "compiled").rglob(
            "rules_mart_capacity_trend.sql")).read_text(encoding="utf-8")
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            offending = connection.execute(
                f"select failed_rule, metric_code, year from ({compiled})").fetchall()
    finally:
        shutil.move(pristine, warehouse)
    assert result.returncode != 0
    failures = [line for line in result.stdout.splitlines() if " FAIL " in line]
    assert len(failures) == len(tests), result.stdout[-3000:]
    for test in tests:
        assert any(f"{test}_mart_capacity_trend" in line for line in failures)
    assert sorted(set(offending)) == [
        ("not_null year", "surgeries", None),
        ("references (metric_code) → metrics (metric_code)", "no_such_metric", 2018),
        ("unique (supporting_hospital, recipient_hospital, metric_code, year)", "surgeries", 2019),
    ]
    assert [rule for rule, *_ in offending].count("not_null year") == len((SX, LX))  # every pair
