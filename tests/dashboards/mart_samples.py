"""A small hand-made warehouse with the marts the site reads, NULLs included on purpose."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.issues import catalogue

SHAOXING = ("绍兴市中医院", "务川仡佬族苗族自治县中医院")
LINXIA = ("临夏回族自治州人民医院", "和政县人民医院")
YEARS = (2018, 2019, 2020, 2021, 2022)
# When the sample site says it was built.
BUILT_AT = datetime(2023, 1, 6, 2, 0, tzinfo=UTC)

TABLES = {
    "mart_capacity_trend": """
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, metric_code VARCHAR,
        year INTEGER, metric_name_zh VARCHAR, unit VARCHAR, value DOUBLE,
        prior_year_value DOUBLE, yoy_change DOUBLE, yoy_pct DOUBLE, index_vs_2018 DOUBLE,
        cagr_2018_2022 DOUBLE, metric_name_en VARCHAR, unit_zh VARCHAR, kind VARCHAR,
        value_type VARCHAR, higher_is_better BOOLEAN, sort_order INTEGER,
        reports_expected INTEGER, reports_received INTEGER, reports_accepted INTEGER""",
    "mart_department_trend": """
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, department VARCHAR,
        metric_code VARCHAR, metric_name_zh VARCHAR, unit VARCHAR, year INTEGER, value DOUBLE,
        prior_year_value DOUBLE, yoy_change DOUBLE, yoy_pct DOUBLE, reports INTEGER,
        reporting_cadence VARCHAR, reports_expected INTEGER, reports_received INTEGER,
        reports_accepted INTEGER""",
    "mart_person_activity": """
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, department VARCHAR,
        person_name VARCHAR, metric_code VARCHAR, metric_name_zh VARCHAR, unit VARCHAR,
        year INTEGER, value DOUBLE, reports INTEGER""",
    "mart_target_attainment": """
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, target_code VARCHAR,
        target_name_zh VARCHAR, metric_code VARCHAR, year INTEGER, comparator VARCHAR,
        target_value DOUBLE, actual_value DOUBLE, status VARCHAR""",
    "mart_reporting_completeness": """
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, department VARCHAR,
        year INTEGER, quarter INTEGER, period_label VARCHAR, expected BOOLEAN,
        reports_received INTEGER, reports_on_time INTEGER, first_received_at TIMESTAMP,
        on_time_days INTEGER, status VARCHAR, reports_expected INTEGER,
        reports_accepted INTEGER, coverage_status VARCHAR""",
    "mart_expected_reports": """
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, department VARCHAR,
        year INTEGER, cadence VARCHAR, period_of_year INTEGER, period_start DATE,
        period_end DATE, period_label VARCHAR, status VARCHAR, is_received BOOLEAN,
        is_accepted BOOLEAN, files_accepted_paths VARCHAR, files_rejected_paths VARCHAR,
        first_received_at TIMESTAMP""",
    "mart_work_plan_status": """
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, plan_item_code VARCHAR,
        year INTEGER, source_zh VARCHAR, item_no VARCHAR, item_zh VARCHAR, when_zh VARCHAR,
        lead_department VARCHAR, metric_code VARCHAR, comparator VARCHAR, target_value DOUBLE,
        check_months VARCHAR, measure_zh VARCHAR, actual_value DOUBLE, months_checked INTEGER,
        months_with_staff INTEGER, status VARCHAR, evidence_detail_zh VARCHAR""",
    "mart_pairs": """
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, programme_name_zh VARCHAR,
        programme_start DATE, programme_end DATE, supporting_province VARCHAR,
        recipient_province VARCHAR, supporting_level VARCHAR, recipient_level VARCHAR""",
    "ingest_files": """
        file_path VARCHAR, sha256 VARCHAR, size_bytes BIGINT, status VARCHAR, form_type VARCHAR,
        supporting_hospital VARCHAR, recipient_hospital VARCHAR, department VARCHAR,
        period_start DATE, period_end DATE, rows_accepted INTEGER, rows_rejected INTEGER,
        modified_at TIMESTAMP, first_seen_at TIMESTAMP, archive_path VARCHAR,
        error_count INTEGER, warning_count INTEGER, annotated_copy VARCHAR,
        annotation_note VARCHAR""",
    "ingest_issues": """
        file_path VARCHAR, sha256 VARCHAR, sheet VARCHAR, row_number INTEGER,
        column_name VARCHAR, cell VARCHAR, severity VARCHAR, code VARCHAR,
        code_title_zh VARCHAR, message VARCHAR, value_found VARCHAR, source VARCHAR,
        file_status VARCHAR, supporting_hospital VARCHAR, recipient_hospital VARCHAR,
        department VARCHAR""",
    "quarantined_rows": """
        file_path VARCHAR, sha256 VARCHAR, sheet VARCHAR, row_number INTEGER,
        person_name VARCHAR, supporting_hospital VARCHAR, recipient_hospital VARCHAR,
        department VARCHAR, period_start DATE, period_end DATE, raw_cells_json JSON,
        error_codes VARCHAR, reasons VARCHAR""",
}

# code: (name, unit, unit_zh, kind, value_type, higher_is_better, sort_order)
METRICS = {
    "total_visits": ("诊疗人次", "person-visits", "人次", "activity", "count", True, 30),
    "funding_10k_yuan": (
        "支援经费（万元）",
        "10,000 yuan",
        "万元",
        "activity",
        "decimal",
        True,
        150,
    ),
    "staff_dispatched": ("下派人员数", "persons", "人", "derived", "count", True, 160),
    "cap_open_beds": ("实际开放床位数", "beds", "张", "capacity", "count", True, 260),
    "cap_grade34_surgery_pct": ("三、四级手术占比", "%", "%", "capacity", "percent", True, 240),
    "cap_referrals_up": ("上转患者人次", "persons", "人次", "capacity", "count", False, 320),
    "cap_cmi": ("病例组合指数（CMI）", "index", "", "capacity", "index", True, 340),
}

# Per pair, metric: the five yearly values. None = not reported; 0 = reported as zero.
CAPACITY_VALUES = {
    SHAOXING: {
        "total_visits": (1200, 1500, None, 1800, 2400),
        "funding_10k_yuan": (10.5, 12.25, 0, 8, None),
        "staff_dispatched": (4, 5, 3, 6, 6),
        "cap_open_beds": (300, None, 320, 350, 380),
        "cap_grade34_surgery_pct": (18.0, 19.5, 21.0, 23.1, 25.6),
        "cap_referrals_up": (500, 450, 400, 380, 350),
        "cap_cmi": (None, None, None, None, None),
    },
    LINXIA: {
        "total_visits": (100, 200, 300, 400, 500),
        "staff_dispatched": (None, None, None, 2, 3),
        "cap_open_beds": (150, 160, 170, 180, 190),
    },
}


def _ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return numerator / denominator


# Reports expected and accepted per pair and year: Shaoxing's 2022 lacks one of its 20.
PAIR_COVERAGE = {SHAOXING[0]: {2022: (20, 20, 19)}, LINXIA[0]: {}}


def _pair_coverage(supporting: str, kind: str, year: int) -> tuple:
    if kind == "capacity":
        return (None, None, None)
    complete = (20, 20, 20) if supporting == SHAOXING[0] else (0, 0, 0)
    return PAIR_COVERAGE[supporting].get(year, complete)


def capacity_trend_rows():
    rows = []
    for (supporting, recipient), metrics in CAPACITY_VALUES.items():
        for code, values in metrics.items():
            name, unit, unit_zh, kind, value_type, better, order = METRICS[code]
            first, last = values[0], values[-1]
            cagr = (
                ((last / first) ** 0.25 - 1) * 100
                if first is not None and last is not None and first > 0 and last > 0
                else None
            )
            for position, (year, value) in enumerate(zip(YEARS, values, strict=True)):
                prior = values[position - 1] if position else None
                change = None if value is None or prior is None else value - prior
                pct = _ratio(change, prior)
                index = _ratio(value, first)
                rows.append(
                    (
                        supporting,
                        recipient,
                        code,
                        year,
                        name,
                        unit,
                        value,
                        prior,
                        change,
                        None if pct is None else pct * 100,
                        None if index is None else index * 100,
                        cagr,
                        code,
                        unit_zh,
                        kind,
                        value_type,
                        better,
                        order,
                        *_pair_coverage(supporting, kind, year),
                    )
                )
    return rows


# 心内科 sends a monthly form; in 2022 it sent 12, one rejected: 11 of 12 months count.
DEPARTMENT_COVERAGE = {
    **{("心内科", year): ("month", 12, 12, 12) for year in YEARS},
    ("心内科", 2022): ("month", 12, 12, 11),
    **{("急诊科", year): ("quarter", 4, 4, 4) for year in YEARS},
}


def department_trend_rows():
    # (pair, department, metric, values, reports per year)
    series = [
        (SHAOXING, "心内科", "total_visits", (600, 700, None, 800, 900), (2, 2, 0, 1, 1)),
        (SHAOXING, "心内科", "funding_10k_yuan", (5, None, None, 2, 1), (2, 2, 0, 1, 1)),
        (SHAOXING, "骨科", "total_visits", (None, None, None, None, None), (0, 1, 0, 0, 0)),
        (LINXIA, "急诊科", "total_visits", (100, 200, 300, 400, 500), (4, 4, 4, 4, 4)),
    ]
    rows = []
    for (supporting, recipient), department, code, values, reports in series:
        name, unit, *_ = METRICS[code]
        for position, year in enumerate(YEARS):
            value = values[position]
            prior = values[position - 1] if position else None
            change = None if value is None or prior is None else value - prior
            pct = _ratio(change, prior)
            rows.append(
                (
                    supporting,
                    recipient,
                    department,
                    code,
                    name,
                    unit,
                    year,
                    value,
                    prior,
                    change,
                    None if pct is None else pct * 100,
                    reports[position],
                    *DEPARTMENT_COVERAGE.get((department, year), (None, 0, 0, 0)),
                )
            )
    return rows


def person_activity_rows():
    people = [
        (SHAOXING, "心内科", "柳  佳", "total_visits", 2018, 600),
        (SHAOXING, "心内科", "柳  佳", "total_visits", 2019, 700),
        (SHAOXING, "心内科", "柳  佳", "funding_10k_yuan", 2019, None),
        (SHAOXING, "心内科", "张三", "total_visits", 2021, 800),
        # A year with rows whose form lacked the column: 张三's total leaves 2022 out.
        (SHAOXING, "心内科", "张三", "total_visits", 2022, None),
        (LINXIA, "急诊科", "李四", "total_visits", 2022, 500),
    ]
    return [
        (s, r, department, person, code, METRICS[code][0], METRICS[code][1], year, value, 1)
        for (s, r), department, person, code, year, value in people
    ]


def target_rows():
    statuses = {
        "visits": (
            "诊疗人次达到 1000",
            "total_visits",
            ">=",
            1000,
            ("met", "met", "not_reported", "met", "met"),
        ),
        "beds": (
            "开放床位达到 400 张",
            "cap_open_beds",
            ">=",
            400,
            ("not_met", "not_reported", "not_met", "not_met", "not_met"),
        ),
    }
    rows = []
    for code, (name, metric, comparator, target, by_year) in statuses.items():
        actual = CAPACITY_VALUES[SHAOXING][metric]
        for position, year in enumerate(YEARS):
            rows.append(
                (
                    *SHAOXING,
                    code,
                    name,
                    metric,
                    year,
                    comparator,
                    target,
                    actual[position],
                    by_year[position],
                )
            )
    return rows


def completeness_rows():
    received = datetime(2018, 4, 3, 9, 0)
    return [
        (*SHAOXING, "心内科", 2018, 1, "2018年第1季度", True, 1, 1, received, 15, "on_time",
         3, 3, "accepted"),
        (*SHAOXING, "心内科", 2018, 2, "2018年第2季度", True, 1, 0, received, 15, "late",
         3, 2, "incomplete"),
        (*SHAOXING, "心内科", 2018, 3, "2018年第3季度", True, 0, 0, None, 15, "missing",
         3, 0, "missing"),
        (*SHAOXING, "心内科", 2018, 4, "2018年第4季度", False, 1, 0, received, 15, "unexpected",
         0, 0, "unexpected"),
        (*SHAOXING, "骨科", 2018, 1, "2018年第1季度", True, 0, 0, None, 15, "missing",
         1, 0, "rejected"),
        (*LINXIA, "急诊科", 2022, 4, "2022年第4季度", True, 1, 1, received, 15, "on_time",
         1, 1, "accepted"),
    ]


def expected_report_rows():
    def row(pair, department, year, month, status, rejected=None):
        start = date(year, month, 1)
        end = date(year, month, 28)
        return (*pair, department, year, "month", month, start, end, f"{year}年{month}月",
                status, status != "missing", status == "accepted",
                None if status != "accepted" else f"{department}_{year}年{month}月.xlsx",
                rejected, None)

    return [
        row(SHAOXING, "心内科", 2022, 7, "accepted"),
        row(SHAOXING, "心内科", 2022, 8, "missing"),
        row(SHAOXING, "骨科", 2019, 3, "rejected", REJECTED_FILE),
    ]


def work_plan_rows():
    plan = (*SHAOXING, "dispatch", 2022, "绍市中医〔2017〕66号 附件 工作计划清单", "7",
            "每年3月和9月派出医务人员", "每年3月和9月", "医务科", "staff_dispatched", ">=", 1.0,
            "3|9", "3月和9月各有下派人员的统计表", None, 2)
    clinic = (*SHAOXING, "free_clinic", 2022, "绍市中医〔2017〕66号 附件 工作计划清单", "9",
              "年度总结会，组织专家团义诊", "年终", "外联办", "free_clinic_visits", ">=", 1.0,
              None, "全年义诊人次大于0", 0.0, None)
    return [
        (*plan, 2, "done", "各月均有下派人员：心内科_2022年3月.xlsx、心内科_2022年9月.xlsx"),
        (*clinic, None, "not_done", "2022年义诊人次 0.0人次（已接收报表 19/20 份）"),
    ]


ACCEPTED_FILE = "绍兴市中医院/务川/2018/心内科_2018年3月_统计表.xlsx"
PARTIAL_FILE = "绍兴市中医院/务川/2019/心内科_2019年3月_统计表.xlsx"
REJECTED_FILE = "绍兴市中医院/务川/2019/骨科_统计表.xlsx"
DUPLICATE_FILE = "绍兴市中医院/务川/2018/心内科_2018年3月_统计表 (1).xlsx"
SUPERSEDED_FILE = "绍兴市中医院/务川/2019/心内科_2019年3月_统计表（初稿）.xlsx"
NO_DEPARTMENT_FILE = "绍兴市中医院/务川/2020/统计表.xlsx"
NO_PAIR_FILE = "未知医院/2021/外科_统计表.xls"
CAPACITY_FILE = "临夏回族自治州人民医院/和政县人民医院/2022/能力指标.xlsx"

# File versions by sha256. PARTIAL_FILE's path first held other bytes, since replaced: withdrawn.
ACCEPTED_SHA = "a" * 64
PARTIAL_SHA = "b" * 64
REJECTED_SHA = "c" * 64
WITHDRAWN_SHA = "d" * 64
NO_DEPARTMENT_SHA = "e" * 64
NO_PAIR_SHA = "f" * 64
SUPERSEDED_SHA = "8" * 64
CAPACITY_SHA = "9" * 64

# What submitters typed that a spreadsheet or a browser would run if it were not escaped.
FORMULA_NAME = '=HYPERLINK("x")'
FORMULA_VALUE = "+1-2"
SCRIPT_COLUMN = '<script>alert("备注")</script>'

MARCH_2018 = (date(2018, 3, 1), date(2018, 3, 31))
MARCH_2019 = (date(2019, 3, 1), date(2019, 3, 31))


def file_row(
    path, sha256, status, department, period, rows, issues, *, pair=SHAOXING, form="activity",
    annotated=(None, None),
):
    """An ingest_files row; `rows` is (accepted, rejected), `issues` (errors, warnings) and
    `annotated` (the run's annotated copy, why there is none)."""
    seen = datetime(2023, 1, 5, 8, 30)
    archived = f"archive/{sha256[:2]}/{sha256}.xlsx"
    start, end = period or (None, None)
    return (
        path,
        sha256,
        1000,
        status,
        form,
        *pair,
        department,
        start,
        end,
        *rows,
        seen,
        seen,
        archived,
        *issues,
        *annotated,
    )


def file_rows():
    return [
        file_row(
            ACCEPTED_FILE,
            ACCEPTED_SHA,
            "accepted",
            "心内科",
            MARCH_2018,
            (2, 0),
            (0, 0),
        ),
        file_row(PARTIAL_FILE, PARTIAL_SHA, "partial", "心内科", MARCH_2019, (1, 1), (1, 1)),
        file_row(REJECTED_FILE, REJECTED_SHA, "rejected", "骨科", None, (0, 3), (3, 2)),
        file_row(
            DUPLICATE_FILE,
            ACCEPTED_SHA,
            "duplicate",
            "心内科",
            MARCH_2018,
            (0, 0),
            (0, 0),
        ),
        file_row(PARTIAL_FILE, WITHDRAWN_SHA, "withdrawn", "心内科", MARCH_2019, (1, 1), (1, 0)),
        file_row(
            SUPERSEDED_FILE, SUPERSEDED_SHA, "superseded", "心内科", MARCH_2019, (2, 0), (0, 1)
        ),
        file_row(NO_DEPARTMENT_FILE, NO_DEPARTMENT_SHA, "rejected", None, None, (0, 0), (1, 0)),
        file_row(
            NO_PAIR_FILE, NO_PAIR_SHA, "rejected", "外科", None, (0, 0), (1, 0), pair=(None, None)
        ),
        file_row(
            CAPACITY_FILE,
            CAPACITY_SHA,
            "accepted",
            None,
            (date(2022, 1, 1), date(2022, 12, 31)),
            (14, 0),
            (0, 1),
            pair=LINXIA,
            form="capacity",
        ),
    ]


def file_rows_with_copy(sha256: str, annotated: tuple[str | None, str | None]) -> list[tuple]:
    """file_rows(), the file `sha256` recorded with `annotated`: (its annotated copy, relative
    to the warehouse's folder; why there is none)."""
    return [(*row[:-2], *annotated) if row[1] == sha256 else row for row in file_rows()]


def issue_row(path, sha256, status, sheet, row, column, cell, severity, code, message, value=None,
              *, pair=None, department=None):
    """An ingest_issues row; its pair and department are its file's in file_rows() unless
    given (a workbook with a sheet per department)."""
    source = "reader" if severity == "error" else "suite"
    title = catalogue()[code]["title_zh"]
    file = next((f for f in file_rows() if f[:2] == (path, sha256)), None)
    pair = pair or (file[5:7] if file else (None, None))
    department = department or (file[7] if file else None)
    return (path, sha256, sheet, row, column, cell, severity, code, title, message, value, source,
            status, *pair, department)


def issue_rows():
    rejected = (REJECTED_FILE, REJECTED_SHA, "rejected", "Sheet1")
    partial = (PARTIAL_FILE, PARTIAL_SHA, "partial", "3月")
    return [
        issue_row(
            *rejected,
            None,
            None,
            None,
            "error",
            "period_missing",
            "未填写统计周期（第 2 行为空）。请填写起止日期。",
        ),
        issue_row(
            *rejected,
            6,
            "姓名",
            "A6",
            "error",
            "missing_name",
            "第 6 行有数据但未填写姓名（单元格 A6）。请补填姓名后重新提交。",
        ),
        issue_row(
            *rejected,
            7,
            "开展手术例数",
            "E7",
            "error",
            "non_numeric_value",
            f"单元格 E7（“开展手术例数”）填写的“{FORMULA_VALUE}”不是数字。请只填写数字。",
            FORMULA_VALUE,
        ),
        issue_row(
            *rejected,
            8,
            "姓名",
            "A8",
            "warning",
            "duplicate_person",
            f"“{FORMULA_NAME}”在同一张表中出现多次（第 5、8 行）。如为同一人，请合并为一行。",
            FORMULA_NAME,
        ),
        issue_row(
            *rejected,
            None,
            SCRIPT_COLUMN,
            "H4",
            "warning",
            "unknown_column",
            f"无法识别的列“{SCRIPT_COLUMN}”（H4），该列数据未导入。",
        ),
        issue_row(
            *partial,
            5,
            "开展手术例数",
            "E5",
            "error",
            "non_numeric_value",
            "E5 单元格“十二”不是数字，请填写阿拉伯数字。",
            "十二",
        ),
        issue_row(
            *partial,
            9,
            "诊疗人次",
            "C9",
            "warning",
            "totals_mismatch",
            "合计行与各行之和不一致。",
            "999",
        ),
        issue_row(
            PARTIAL_FILE,
            WITHDRAWN_SHA,
            "withdrawn",
            "3月",
            6,
            "开展手术例数",
            "E6",
            "error",
            "non_numeric_value",
            "E6 单元格“十三”不是数字。",
            "十三",
        ),
        issue_row(
            SUPERSEDED_FILE,
            SUPERSEDED_SHA,
            "superseded",
            "3月",
            9,
            "诊疗人次",
            "C9",
            "warning",
            "totals_mismatch",
            "合计行与各行之和不一致。",
            "888",
        ),
        issue_row(
            NO_DEPARTMENT_FILE,
            NO_DEPARTMENT_SHA,
            "rejected",
            "Sheet1",
            None,
            None,
            None,
            "error",
            "no_header",
            "在前 20 行中找不到统计表的表头。",
        ),
        issue_row(
            NO_PAIR_FILE,
            NO_PAIR_SHA,
            "rejected",
            None,
            None,
            None,
            None,
            "error",
            "unknown_hospital",
            "无法确定支援医院和受援医院。请在标题填写医院全称。",
        ),
        issue_row(
            CAPACITY_FILE,
            CAPACITY_SHA,
            "accepted",
            "2022年",
            7,
            "2022年",
            "C7",
            "warning",
            "implausible_value",
            "单元格 C7 的数值 850 超出通常范围。请核实是否填错。",
            "850",
        ),
    ]


def pair_rows():
    return [
        (*SHAOXING, "绍兴市中医院对口帮扶务川自治县中医院", date(2018, 1, 1), date(2022, 12, 31),
         "浙江省", "贵州省", "三级", "二级"),
        (*LINXIA, "临夏州人民医院对口帮扶和政县人民医院", date(2018, 1, 1), date(2022, 12, 31),
         "甘肃省", "甘肃省", "三级", "二级"),
    ]


def quarantine_rows():
    return [
        (
            PARTIAL_FILE,
            PARTIAL_SHA,
            "3月",
            5,
            "王五",
            *SHAOXING,
            "心内科",
            date(2019, 3, 1),
            date(2019, 3, 31),
            '{"姓名": "王五", "开展手术例数": "十二"}',
            "non_numeric_value",
            "开展手术例数不是数字",
        ),
    ]


FULL_CONTENTS = {
    "mart_capacity_trend": capacity_trend_rows,
    "mart_department_trend": department_trend_rows,
    "mart_person_activity": person_activity_rows,
    "mart_target_attainment": target_rows,
    "mart_reporting_completeness": completeness_rows,
    "mart_expected_reports": expected_report_rows,
    "mart_work_plan_status": work_plan_rows,
    "mart_pairs": pair_rows,
    "ingest_files": file_rows,
    "ingest_issues": issue_rows,
    "quarantined_rows": quarantine_rows,
}


def write_warehouse(path: Path, contents: dict) -> Path:
    """Create the given tables in schema main; each maps to a function giving its rows."""
    with duckdb.connect(str(path)) as connection:
        for name, rows_of in contents.items():
            connection.execute(f"create table main.{name} ({TABLES[name]})")
            rows = rows_of()
            if rows:
                placeholders = ", ".join("?" * len(rows[0]))
                connection.executemany(f"insert into main.{name} values ({placeholders})", rows)
    return path
