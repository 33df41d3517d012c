"""A generated warehouse of any size: many pairs, departments, persons, files and warnings, in
the shape of the marts the site reads (mart_samples.TABLES), seeded so every build is the same.

The hand-made samples show what each page says; this one shows what the site does when there
is a lot of it: a province's pairs, a department of hundreds of persons, most files warned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
from mart_samples import METRICS, TABLES, YEARS, file_row, issue_row

PROVINCES = ("甘肃省", "贵州省", "浙江省", "四川省", "云南省")
# The activity metrics each department and person reports (the activity form's, DOMAIN.md),
# the capacity indicators each pair.
ACTIVITY_NAMES = {
    "total_visits": ("诊疗人次", "person-visits"),
    "outpatient_visits": ("门诊人次", "person-visits"),
    "emergency_visits": ("急诊人次", "person-visits"),
    "surgeries": ("开展手术例数", "cases"),
    "consultations": ("会诊及疑难病例讨论例数", "cases"),
    "free_clinic_visits": ("义诊人次", "person-visits"),
    "referrals": ("双向转诊人次", "person-visits"),
    "telemedicine": ("远程医疗", "sessions"),
    "lectures": ("学术讲座次数", "sessions"),
    "teaching_rounds": ("教学查房次数", "sessions"),
    "surgical_demos": ("手术示教例数", "cases"),
    "training_attendees": ("业务培训人次", "person-times"),
    "specialties_established": ("建立特殊/特色专科数量", "count"),
    "new_techniques": ("开展新业务新技术数量", "count"),
    "funding_10k_yuan": ("支援经费（万元）", "10,000 yuan"),
}
ACTIVITY = tuple(ACTIVITY_NAMES)
CAPACITY = ("cap_open_beds", "cap_grade34_surgery_pct", "cap_referrals_up", "cap_cmi")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞鑫宇浩然子轩梓涵"


@dataclass(frozen=True)
class Shape:
    pairs: int
    departments: int  # per pair
    persons: int  # in all, spread over the pairs' departments
    files: int  # in all, spread over the pairs' departments
    warned: float = 0.8  # the share of files with a warning
    rejected: float = 0.01  # the share of files with a file-level error
    seed: int = 22


def pair_names(shape: Shape) -> list[tuple[str, str]]:
    """(supporting, recipient) of each pair; a supporting hospital helps several recipients."""
    return [(f"第{n % max(1, shape.pairs // 4) + 1}支援医院", f"受援县医院{n + 1:03d}")
            for n in range(shape.pairs)]


def province_of(number: int) -> str:
    return PROVINCES[number % len(PROVINCES)]


def department_names(shape: Shape) -> list[str]:
    return [f"科室{n + 1:02d}" for n in range(shape.departments)]


def person_names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        length = rng.choice((1, 2))
        names.add(rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(length))
                  + (str(rng.randrange(100)) if len(names) > 2000 else ""))
    return sorted(names)


def write_generated_warehouse(path: Path, shape: Shape) -> Path:
    rng = random.Random(shape.seed)
    pairs = pair_names(shape)
    departments = department_names(shape)
    people = person_names(shape.persons, rng)
    slots = [(pair, department) for pair in pairs for department in departments]

    def metric_row(code):
        if code in METRICS:
            return METRICS[code]
        name, unit = ACTIVITY_NAMES[code]
        return (name, unit, "", "activity", "count", True, 100 + ACTIVITY.index(code))

    capacity, department_trend, person_activity = [], [], []
    targets, completeness, expected, work_plan = [], [], [], []
    for number, pair in enumerate(pairs):
        for code in (*ACTIVITY, "staff_dispatched", *CAPACITY):
            name, unit, unit_zh, kind, value_type, better, order = metric_row(code)
            base = rng.uniform(50, 500)
            values = [round(base * (1 + 0.05 * step + rng.uniform(-0.1, 0.1)), 1)
                      for step in range(len(YEARS))]
            for position, year in enumerate(YEARS):
                value, prior = values[position], values[position - 1] if position else None
                change = None if prior is None else value - prior
                capacity.append((
                    *pair, code, year, name, unit, value, prior, change,
                    None if prior is None else change / prior * 100, value / values[0] * 100,
                    ((values[-1] / values[0]) ** 0.25 - 1) * 100, code, unit_zh, kind,
                    value_type, better, order,
                    *((12, 12, 11 + (year != 2022)) if kind != "capacity" else (None,) * 3)))
        for year in YEARS:
            actual = rng.uniform(100, 400)
            targets.append((*pair, "beds", "实际开放床位数达到 200 张", "cap_open_beds", year, ">=",
                            200.0, actual, "met" if actual >= 200 else "not_met"))
            work_plan.append((*pair, "dispatch", year, "工作计划 一", "1", "派驻人员", "每年",
                              departments[0], "staff_dispatched", ">=", 1.0, None, "人数",
                              3.0, None, None, "done" if number % 3 else "not_done", "派驻 3 人"))
        for department in departments:
            for code in ACTIVITY:
                name, unit, *_ = metric_row(code)
                for year in YEARS:
                    department_trend.append((*pair, department, code, name, unit, None, year,
                                             round(rng.uniform(10, 900), 1), None, None, None,
                                             12, "month", 12, 12, 12))
            for year in YEARS:
                for quarter in (1, 2, 3, 4):
                    status = "missing" if rng.random() < 0.05 else "on_time"
                    completeness.append((
                        *pair, department, year, quarter, f"{year}年第{quarter}季度", True,
                        int(status != "missing"), int(status != "missing"),
                        None if status == "missing" else datetime(year, quarter * 3, 5),
                        15, status, 3, 0 if status == "missing" else 3,
                        "missing" if status == "missing" else "accepted"))
                    if status == "missing":
                        start = date(year, quarter * 3 - 2, 1)
                        expected.append((*pair, department, year, "quarter", quarter, start,
                                         date(year, quarter * 3, 28), f"{year}年第{quarter}季度",
                                         "missing", False, False, None, None, None))
    for number, person in enumerate(people):
        pair, department = slots[number % len(slots)]
        for code in ACTIVITY:
            name, unit, *_ = metric_row(code)
            for year in rng.sample(YEARS, 2):
                value = None if code == "funding_10k_yuan" and rng.random() < 0.3 else (
                    rng.randrange(1, 400))
                person_activity.append((*pair, department, person, code, name, unit, year,
                                        value, 1))

    files, issues, quarantined = [], [], []
    for number in range(shape.files):
        pair, department = slots[number % len(slots)]
        year = YEARS[number % len(YEARS)]
        name = f"{pair[0]}/{pair[1]}/{year}/{department}_{number:06d}_统计表.xlsx"
        sha256 = f"{number:064x}"
        rejected = rng.random() < shape.rejected
        warned = rng.random() < shape.warned
        status = "rejected" if rejected else "accepted"
        files.append(file_row(name, sha256, status, department,
                              (date(year, 1, 1), date(year, 1, 7)),
                              (0 if rejected else 12, 0), (int(rejected), int(warned)),
                              pair=pair))
        if rejected:
            issues.append(issue_row(name, sha256, status, "Sheet1", None, None, None, "error",
                                    "period_missing", "未填写统计周期。请在标题下方填写统计周期。",
                                    pair=pair, department=department))
            quarantined.append((name, sha256, "Sheet1", 5, rng.choice(people), *pair,
                                department, date(year, 1, 1), date(year, 1, 7),
                                '{"姓名": "某人", "诊疗人次": "十二"}', "non_numeric_value",
                                "诊疗人次不是数字"))
        if warned:
            row = rng.randrange(5, 40)
            issues.append(issue_row(name, sha256, status, "Sheet1", row, "诊疗人次", f"C{row}",
                                    "warning", "implausible_value",
                                    f"单元格 C{row} 的数值超出该科室的通常范围。请核实是否填错。",
                                    str(rng.randrange(900, 5000)), pair=pair,
                                    department=department))

    pair_rows = [
        (*pair, f"{pair[0]}对口帮扶{pair[1]}", date(2018, 1, 1), date(2022, 12, 31),
         province_of(number + 2), province_of(number), "三级", "二级")
        for number, pair in enumerate(pairs)
    ]
    contents = {
        "mart_capacity_trend": capacity,
        "mart_department_trend": department_trend,
        "mart_person_activity": person_activity,
        "mart_target_attainment": targets,
        "mart_reporting_completeness": completeness,
        "mart_expected_reports": expected,
        "mart_work_plan_status": work_plan,
        "mart_pairs": pair_rows,
        "ingest_files": files,
        "ingest_issues": issues,
        "quarantined_rows": quarantined,
    }
    with duckdb.connect(str(path)) as connection:
        for name, rows in contents.items():
            connection.execute(f"create table main.{name} ({TABLES[name]})")
            if rows:
                # As a frame: many rows inserted one by one take minutes.
                frame = pl.DataFrame(rows, orient="row", strict=False,
                                     infer_schema_length=None).to_arrow()
                connection.register("generated_rows", frame)
                connection.execute(f"insert into main.{name} select * from generated_rows")
                connection.unregister("generated_rows")
    return path
