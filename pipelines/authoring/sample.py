"""A deterministic sample corpus of submitted files, shaped like what hospitals really send.

`write_sample_corpus(dest)` writes about 350 files for the two programme pairs, 2018–2022:

- `<supporting>/<recipient>/<year>/<department>_<period>_统计表.<ext>`: statistics forms, one
  sheet, one row per dispatched person. 绍兴市中医院 → 务川自治县中医院 sends a monthly form for
  March and September (dispatch stints), 20 a year; 临夏州人民医院 → 和政县人民医院 sends a
  quarterly form per department (40 a year), and from 2021 心内科, 急诊科 and 呼吸科 send three
  monthly forms per quarter instead (64 a year). Linxia's 2018–2019 forms are WPS `.xls` saves.
- 2018–2020 forms use the old template (a single 诊疗人次 column; no 双向转诊人次, 远程医疗,
  建立特殊/特色专科数量, 支援经费（万元） columns); 2021+ forms use the seed-004 template with
  诊疗人次 merged over 门诊 and 急诊.
- `<supporting>/<recipient>/<recipient>_能力指标_2018-2022.xlsx`: the recipient's capacity
  indicators, one row per indicator, one column per year.

Every form varies the way real ones do: the header starts on row 3–6, the period line is
written in five styles, the department label is sometimes missing (the file name names the
department) or a synonym, names are padded for alignment, zeros are written as blank, `—`, `/`
or `无`, some numbers are text, full-width (`１２`) or carry their unit (`12人次`), and some
forms end with a correct 合计 row. Each file's mtime is its period end plus a few days (a few
are 30–60 days late).

Planted on purpose (paths relative to `dest`; the tests check each one):

- Missing reports, for reporting completeness: 绍兴市中医院 疼痛科 2019年9月; 临夏州人民医院
  耳鼻喉科 2020年第3季度, 新生儿科 2021年第4季度, 呼吸科 2022年8月. Linxia 儿科 2022年第2季度
  arrives only as the unfilled form below, so it is missing too.
- Unfilled period: `临夏州人民医院/和政县人民医院/2022/儿科_统计表.xlsx`, sheet `Sheet1`, A2
  is `统计周期（起止时间）：2022年月日至年月日`; the file name names no period either.
- Negative value: `绍兴市中医院/务川自治县中医院/2019/康复科_2019年9月_统计表.xlsx`, sheet
  `Sheet1`, C6 (开展手术例数 of the second person) is -3.
- Non-numeric text: `临夏州人民医院/和政县人民医院/2020/急诊科_2020年第4季度_统计表.xlsx`, sheet
  `统计表`, D5 (会诊及疑难病例讨论例数 of the first person) is `若干`.
- Exact byte copy: `重复提交/口腔科_2021年第2季度_统计表.xlsx` is
  `临夏州人民医院/和政县人民医院/2021/口腔科_2021年第2季度_统计表.xlsx` sent again 5 days later.
- Corrected resubmission: `临夏州人民医院/和政县人民医院/2020/心内科_2020年第2季度_统计表.xlsx`,
  sheet `Sheet1`, B5 (诊疗人次 of the first person) has a slipped extra digit (ten times the true
  value); `心内科_2020年第2季度_统计表_修订.xlsx` in the same folder is the same form with the
  true value, modified 12 days later.
- Two forms are CSV instead of Excel (not a fault, a format):
  `绍兴市中医院/务川自治县中医院/2021/针灸科_2021年9月_统计表.csv` (UTF-8 with BOM, 2021 template)
  and `临夏州人民医院/和政县人民医院/2020/耳鼻喉科_2020年第1季度_统计表.csv` (GBK, old template).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xlsxwriter
import xlwt

from pipelines.catalogue import group_of, metrics, metrics_of, seed
from pipelines.registry import sheets as registry_sheets
from pipelines.registry.load import in_force
from pipelines.settings import programme_window

RANDOM_SEED = 20180101


@cache
def _years() -> range:
    """The programme's years, from its one window (dbt's first_year .. last_year)."""
    first, last = programme_window()
    return range(first.year, last.year + 1)

NEW_TEMPLATE_FROM = 2021
CHINA_TIME = dt.timezone(dt.timedelta(hours=8))

# ----------------------------------------------------------------------------------------
# Layout knobs: which pairs, departments and cadences, and what is planted.


@dataclass(frozen=True)
class PairPlan:
    supporting: str  # the alias used in folders and titles (the registry's 医院别名)
    recipient: str
    title_verb: str
    departments: tuple[str, ...]
    stint_months: tuple[int, ...] = ()  # monthly forms for these months only
    monthly_departments: tuple[str, ...] = ()  # otherwise quarterly; these go monthly…
    monthly_from: int = NEW_TEMPLATE_FROM  # …from this year
    weekly_departments: tuple[str, ...] = ()  # these report every week, Monday to Sunday
    xls_until: int = 0  # forms up to this year are .xls (WPS saves)
    seed_title: str = ""  # the seed-004 form's own title, used by some 2021+ forms
    # Larger corpora (bench/province.py): people per department over the five years (0:
    # POOL_SIZE), the most named on one form, and the share of forms saved as CSV.
    people: int = 0
    most_per_form: int = 3
    csv_share: float = 0.0


PAIRS = (
    PairPlan(
        supporting="绍兴市中医院",
        recipient="务川自治县中医院",
        title_verb="对口帮扶",
        departments=("重症医学科", "中医骨伤科", "中医皮肤科", "中医妇科", "治未病科",
                     "康复科", "疼痛科", "针灸科", "推拿科", "急诊科"),
        stint_months=(3, 9),
    ),
    PairPlan(
        supporting="临夏州人民医院",
        recipient="和政县人民医院",
        title_verb="对口支援",
        departments=("血液净化室", "口腔科", "耳鼻喉科", "急诊科", "创伤骨科", "儿科",
                     "心内科", "呼吸科", "新生儿科", "产科"),
        monthly_departments=("心内科", "急诊科", "呼吸科"),
        xls_until=2019,
        seed_title="临夏州人民医院对口支援、医联体工作统计表",
    ),
)

# Departments whose dispatched staff operate (others report 0 surgeries and demonstrations).
SURGICAL_DEPARTMENTS = frozenset(
    {"中医骨伤科", "中医妇科", "疼痛科", "急诊科", "口腔科", "耳鼻喉科", "创伤骨科", "产科"}
)

# A form is named by (supporting alias, department, period label as in its file name).
FormKey = tuple[str, str, str]

MISSING_REPORTS: frozenset[FormKey] = frozenset({
    ("绍兴市中医院", "疼痛科", "2019年9月"),
    ("临夏州人民医院", "耳鼻喉科", "2020年第3季度"),
    ("临夏州人民医院", "新生儿科", "2021年第4季度"),
    ("临夏州人民医院", "呼吸科", "2022年8月"),
})
UNFILLED_PERIOD: FormKey = ("临夏州人民医院", "儿科", "2022年第2季度")
DUPLICATED: FormKey = ("临夏州人民医院", "口腔科", "2021年第2季度")
DUPLICATE_FOLDER = "重复提交"
DUPLICATE_DELAY = dt.timedelta(days=5)
REVISED: FormKey = ("临夏州人民医院", "心内科", "2020年第2季度")
REVISION_SUFFIX = "_修订"
REVISION_DELAY = dt.timedelta(days=12)
CSV_ENCODINGS: dict[FormKey, str] = {
    ("绍兴市中医院", "针灸科", "2021年9月"): "utf-8-sig",
    ("临夏州人民医院", "耳鼻喉科", "2020年第1季度"): "gbk",
}


@dataclass(frozen=True)
class PlantedCell:
    """A cell written differently from the person's true value."""

    person_index: int
    metric: str
    written: Callable[[int | float], object]  # true value -> what the cell holds


PLANTED_CELLS: dict[FormKey, PlantedCell] = {
    ("绍兴市中医院", "康复科", "2019年9月"): PlantedCell(1, "surgeries", lambda _: -3),
    ("临夏州人民医院", "急诊科", "2020年第4季度"):
        PlantedCell(0, "consultations", lambda _: "若干"),
    # The original of the corrected resubmission: an extra digit slipped in.
    REVISED: PlantedCell(0, "total_visits", lambda true_value: true_value * 10),
}

# ----------------------------------------------------------------------------------------
# Form text.

PERIOD_PREFIX = "统计周期（起止时间）："
DEPARTMENT_LABEL = "填报科室："
RECIPIENT_LABEL = "受援单位："
FILL_DATE_LABEL = "填报日期："
TOTALS_LABEL = "合计"
FORM_SUFFIX = "统计表"
# The notes under the seed-004 form, verbatim.
NOTES = (
    "备注：1.“建立特殊/特色专科数量”请附上相应医院的证明（盖章），列明所建立的专科具体名称。",
    "2.“学术讲座次数”和“业务培训人次”请附上相应的医院的通知、签到表、课件、现场照等盖章佐证材料。",
    "3.“义诊”请附上相关活动通知和现场照片等。",
)
QUARTER_NUMERALS = "一二三四"
ZERO_SPELLINGS = (0, None, "—", "/", "无")
ZERO_SPELLING_WEIGHTS = (40, 25, 15, 10, 10)
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")

# Old template (2018–2020): one 诊疗人次 total; four metrics were not collected yet.
OLD_TEMPLATE = ("total_visits", "surgeries", "consultations", "free_clinic_visits", "lectures",
                "teaching_rounds", "surgical_demos", "training_attendees", "new_techniques")
# Seed-004 template (2021+): 诊疗人次 is a merged group header over its parts (metrics.csv
# derived_from), each headed by its form_label.
NEW_TEMPLATE = ("outpatient_visits", "emergency_visits", "surgeries", "consultations",
                "free_clinic_visits", "referrals", "telemedicine", "lectures", "teaching_rounds",
                "surgical_demos", "training_attendees", "specialties_established", "new_techniques",
                "funding_10k_yuan")


@dataclass(frozen=True)
class MetricProfile:
    """A person's value for one period: nonzero with probability `share_nonzero`, then drawn
    from [low, high]; volumes are per month (times the months of the period) and grow by
    `GROWTH_PER_YEAR`."""

    low: float
    high: float
    share_nonzero: float = 1.0
    volume: bool = True


GROWTH_PER_YEAR = 0.12
METRIC_PROFILES = {
    "outpatient_visits": MetricProfile(30, 220),
    "emergency_visits": MetricProfile(2, 30),
    "surgeries": MetricProfile(1, 20, 0.8),
    "consultations": MetricProfile(0, 12),
    "free_clinic_visits": MetricProfile(20, 120, 0.3, volume=False),
    "referrals": MetricProfile(1, 8, 0.6),
    "telemedicine": MetricProfile(1, 4, 0.4),
    "lectures": MetricProfile(1, 4, 0.7, volume=False),
    "teaching_rounds": MetricProfile(1, 6),
    "surgical_demos": MetricProfile(1, 5, 0.6),
    "training_attendees": MetricProfile(10, 80, 0.7, volume=False),
    "specialties_established": MetricProfile(1, 1, 0.05, volume=False),
    "new_techniques": MetricProfile(1, 1, 0.15, volume=False),
    "funding_10k_yuan": MetricProfile(0.2, 5.0, 0.4, volume=False),
}
SURGICAL_METRICS = ("surgeries", "surgical_demos")

# Capacity indicators of each recipient in the first and the last programme year; the years
# between grow steadily.
CAPACITY_FIRST_LAST: dict[str, dict[str, tuple[float, float]]] = {
    "务川自治县中医院": {
        "cap_outpatient_emergency_visits": (152_000, 231_000),
        "cap_discharges": (8_600, 13_900),
        "cap_inpatient_surgeries": (1_450, 3_100),
        "cap_grade34_surgery_pct": (22.5, 38.6),
        "cap_county_inpatient_share_pct": (78.2, 88.9),
        "cap_open_beds": (300, 420),
        "cap_icu_beds": (4, 12),
        "cap_key_specialties": (1, 5),
        "cap_treatment_centers": (0, 4),
        "cap_new_techniques": (6, 23),
        "cap_telemedicine_cases": (40, 860),
        "cap_referrals_up": (1_650, 980),
        "cap_referrals_down": (210, 740),
        "cap_cmi": (0.71, 0.93),
    },
    "和政县人民医院": {
        "cap_outpatient_emergency_visits": (246_000, 338_000),
        "cap_discharges": (15_200, 21_400),
        "cap_inpatient_surgeries": (3_050, 5_200),
        "cap_grade34_surgery_pct": (27.4, 41.2),
        "cap_county_inpatient_share_pct": (81.5, 90.3),
        "cap_open_beds": (450, 560),
        "cap_icu_beds": (8, 16),
        "cap_key_specialties": (2, 6),
        "cap_treatment_centers": (1, 5),
        "cap_new_techniques": (9, 31),
        "cap_telemedicine_cases": (120, 1_450),
        "cap_referrals_up": (2_300, 1_260),
        "cap_referrals_down": (340, 1_120),
        "cap_cmi": (0.78, 0.98),
    },
}
CAPACITY_SUFFIX = "_能力指标_{first}-{last}"

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕"
            "苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾"
            "侯邵孟龙段雷钱汤尹黎易常武乔贺赖龚文柳俞郦")
GIVEN_NAME_CHARACTERS = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红建文辉力晓燕斌宁"
                         "鹏飞海峰欣佳琳颖晨浩宇婷雪梅兰春荣国志新岚松琴忠")
POOL_SIZE = 6  # people per department over the five years
ACTIVE_PEOPLE = 4  # of whom this many are on the roster in a given year


# ----------------------------------------------------------------------------------------
# Seeds.


@dataclass(frozen=True)
class Seeds:
    person_header: str
    hospital_of_alias: dict[str, str]
    aliases_of_hospital: dict[str, tuple[str, ...]]
    department_synonyms: dict[str, tuple[str, ...]]


@cache
def load_seeds() -> Seeds:
    """The seeds and the registry in force the corpus is written from, checked against the
    knobs above so that a renamed hospital, department or metric fails here rather than
    producing unreadable files."""
    registry = in_force()
    hospital_of_alias = {
        row["alias"]: row["hospital_name"]
        for row in registry.table(registry_sheets.HOSPITAL_ALIASES)
    }
    aliases_of_hospital: dict[str, list[str]] = defaultdict(list)
    for alias, hospital in hospital_of_alias.items():
        aliases_of_hospital[hospital].append(alias)
    synonyms: dict[str, list[str]] = defaultdict(list)
    for row in registry.table(registry_sheets.DEPARTMENT_ALIASES):
        synonyms[row["department"]].append(row["alias"])
    seeds = Seeds(
        person_header=next(
            row["header"] for row in seed("header_synonyms") if row["field"] == "person_name"
        ),
        hospital_of_alias=hospital_of_alias,
        aliases_of_hospital={
            hospital: tuple(names) for hospital, names in aliases_of_hospital.items()
        },
        department_synonyms={department: tuple(names) for department, names in synonyms.items()},
    )
    _check_knobs(seeds)
    return seeds


def _check_knobs(seeds: Seeds) -> None:
    registry = in_force()
    for plan in PAIRS:
        pair = (seeds.hospital_of_alias.get(plan.supporting),
                seeds.hospital_of_alias.get(plan.recipient))
        if pair not in registry.pairs:
            raise ValueError(f"{plan.supporting} → {plan.recipient} is not a pair of the "
                             f"registry in force ({registry.source})")
        if unknown := set(plan.departments) - set(registry.departments):
            raise ValueError(f"departments not in the registry's 科室 sheet: {sorted(unknown)}")
        if set(CAPACITY_FIRST_LAST[plan.recipient]) != {m.code for m in metrics_of("capacity")}:
            raise ValueError(f"capacity indicators of {plan.recipient} differ from metrics.csv")
    if unknown := {*OLD_TEMPLATE, *NEW_TEMPLATE} - set(metrics()):
        raise ValueError(f"metric codes not in metrics.csv: {sorted(unknown)}")


# ----------------------------------------------------------------------------------------
# Periods and forms.


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    cadence: str  # "week", "month" or "quarter"

    @property
    def label(self) -> str:
        """As in file names: 2021年第3季度, 2022年3月, 2021年12月27日至2022年1月2日."""
        if self.cadence == "quarter":
            return f"{self.start.year}年第{(self.start.month + 2) // 3}季度"
        if self.cadence == "week":
            end_year = f"{self.end.year}年" if self.end.year != self.start.year else ""
            return (f"{self.start.year}年{self.start.month}月{self.start.day}日"
                    f"至{end_year}{self.end.month}月{self.end.day}日")
        return f"{self.start.year}年{self.start.month}月"

    @property
    def spoken(self) -> str:
        """As a period line may name it: 2021年第三季度, 2022年3月; a week by its days."""
        if self.cadence == "quarter":
            return f"{self.start.year}年第{QUARTER_NUMERALS[(self.start.month - 1) // 3]}季度"
        return self.label

    @property
    def months(self) -> float:
        """The months of work the period holds: volumes are drawn per month."""
        return {"week": 7 * 12 / 365.25, "month": 1, "quarter": 3}[self.cadence]


def _month(year: int, month: int) -> Period:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return Period(dt.date(year, month, 1), following - dt.timedelta(days=1), "month")


def _quarter(year: int, quarter: int) -> Period:
    first, last = _month(year, 3 * quarter - 2), _month(year, 3 * quarter)
    return Period(first.start, last.end, "quarter")


def _weeks(year: int) -> list[Period]:
    """The weeks that start on a Monday of `year` and end inside the programme's window."""
    last_day = programme_window()[1]
    new_year = dt.date(year, 1, 1)
    monday = new_year + dt.timedelta(days=(7 - new_year.weekday()) % 7)
    weeks = []
    while monday.year == year and monday + dt.timedelta(days=6) <= last_day:
        weeks.append(Period(monday, monday + dt.timedelta(days=6), "week"))
        monday += dt.timedelta(days=7)
    return weeks


def _periods(plan: PairPlan, department: str, year: int) -> list[Period]:
    if department in plan.weekly_departments:
        return _weeks(year)
    if plan.stint_months:
        return [_month(year, month) for month in plan.stint_months]
    if department in plan.monthly_departments and year >= plan.monthly_from:
        return [_month(year, month) for month in range(1, 13)]
    return [_quarter(year, quarter) for quarter in range(1, 5)]


@dataclass(frozen=True)
class Layout:
    title: str
    period_line: str
    merge_period_line: bool
    labels: tuple[str, ...]  # the label line's cells; empty: no label line
    fill_date_line: str  # empty: none
    blank_before_header: bool
    totals: bool
    blank_before_notes: bool
    zero_spelling: object
    numbers_as_text: bool
    name_padding: str
    sheet_name: str
    empty_sheets: int


@dataclass(frozen=True)
class Form:
    plan: PairPlan
    department: str
    period: Period
    template: tuple[str, ...]
    people: tuple[tuple[str, dict[str, int | float]], ...]
    layout: Layout
    submitted: dt.datetime

    @property
    def key(self) -> FormKey:
        return (self.plan.supporting, self.department, self.period.label)

    @property
    def folder(self) -> Path:
        return Path(self.plan.supporting, self.plan.recipient, str(self.period.start.year))

    @property
    def extension(self) -> str:
        if self.key in CSV_ENCODINGS or (
                self.plan.csv_share and _rng("csv", *self.key).random() < self.plan.csv_share):
            return ".csv"
        return ".xls" if self.period.start.year <= self.plan.xls_until else ".xlsx"

    def file_name(self, suffix: str = "") -> str:
        if self.key == UNFILLED_PERIOD:
            return f"{self.department}_{FORM_SUFFIX}{suffix}{self.extension}"
        return f"{self.department}_{self.period.label}_{FORM_SUFFIX}{suffix}{self.extension}"


def _rng(*parts: object) -> random.Random:
    # String seeds are hashed with SHA-512, so the draws do not depend on PYTHONHASHSEED.
    return random.Random("/".join(map(str, (RANDOM_SEED, *parts))))


def _name_pool(plan: PairPlan, department: str, taken: set[str]) -> list[str]:
    rng = _rng("people", plan.supporting, department)
    pool: list[str] = []
    while len(pool) < (plan.people or POOL_SIZE):
        given_length = 1 if rng.random() < 0.4 else 2
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_NAME_CHARACTERS, k=given_length))
        if name not in taken:
            taken.add(name)
            pool.append(name)
    return pool


def _roster(pool: list[str], year: int) -> list[str]:
    """Turnover: every two years the longest-serving person leaves and a new one joins."""
    first = (year - _years()[0]) // 2
    return pool[first:first + len(pool) - (POOL_SIZE - ACTIVE_PEOPLE)]


def _person_values(
    rng: random.Random, department: str, period: Period, seeds: Seeds
) -> dict[str, int | float]:
    months = period.months
    growth = 1 + GROWTH_PER_YEAR * (period.start.year - _years()[0])
    values: dict[str, int | float] = {}
    for metric, profile in METRIC_PROFILES.items():
        operates = department in SURGICAL_DEPARTMENTS or metric not in SURGICAL_METRICS
        if not operates or rng.random() >= profile.share_nonzero:
            values[metric] = 0
        elif metrics()[metric].value_type == "decimal":
            values[metric] = round(rng.uniform(profile.low, profile.high), 1)
        else:
            scale = months * growth if profile.volume else 1
            values[metric] = round(rng.randint(int(profile.low), int(profile.high)) * scale)
    # A demonstration is an operation performed for teaching: never more of them than operations.
    values["surgical_demos"] = min(values["surgical_demos"], values["surgeries"])
    for derived in metrics().values():
        if derived.is_derived:
            values[derived.code] = sum(values[part] for part in derived.parts)
    return values


def _period_line(period: Period, style: str) -> str:
    start, end = period.start, period.end
    text = {
        "chinese": f"{start.year}年{start.month}月{start.day}日"
                   f"至{end.year}年{end.month}月{end.day}日",
        "dotted": f"{start:%Y.%m.%d}-{end:%Y.%m.%d}",
        "slashed": f"{start.year}/{start.month}/{start.day}~{end.year}/{end.month}/{end.day}",
        "spoken": period.spoken,
    }[style]
    return PERIOD_PREFIX + text


def _draw_layout(
    rng: random.Random, plan: PairPlan, department: str, period: Period, submitted: dt.datetime,
    seeds: Seeds,
) -> Layout:
    year = period.start.year
    key = (plan.supporting, department, period.label)
    title = f"{plan.supporting}{plan.title_verb}{plan.recipient}工作{FORM_SUFFIX}"
    if plan.seed_title and year >= NEW_TEMPLATE_FROM and rng.random() < 0.3:
        title = plan.seed_title
    style = rng.choices(("chinese", "dotted", "slashed", "spoken"), weights=(50, 20, 15, 15))[0]
    period_line = _period_line(period, style)
    if key == UNFILLED_PERIOD:
        period_line = f"{PERIOD_PREFIX}{year}年月日至年月日"
    department_written = department
    if department in seeds.department_synonyms and rng.random() < 0.2:
        department_written = rng.choice(seeds.department_synonyms[department])
    recipient = seeds.hospital_of_alias[plan.recipient]
    label_kind = rng.choices(("department", "both", "none"), weights=(60, 25, 15))[0]
    labels = {
        "department": (DEPARTMENT_LABEL + department_written,),
        "both": (DEPARTMENT_LABEL + department_written,
                 RECIPIENT_LABEL + rng.choice(seeds.aliases_of_hospital[recipient])),
        "none": (),
    }[label_kind]
    fill_date = f"{FILL_DATE_LABEL}{submitted.year}年{submitted.month}月{submitted.day}日"
    return Layout(
        title=title,
        period_line=period_line,
        merge_period_line=rng.random() < 0.5,
        labels=labels,
        fill_date_line=fill_date if rng.random() < 0.15 else "",
        blank_before_header=rng.random() < 0.3,
        # Planted cells stay free of a totals row, so each fault is the only problem in its form.
        totals=rng.random() < 0.35 and key not in PLANTED_CELLS,
        blank_before_notes=rng.random() < 0.5,
        zero_spelling=rng.choices(ZERO_SPELLINGS, weights=ZERO_SPELLING_WEIGHTS)[0],
        numbers_as_text=rng.random() < 0.2,
        name_padding=rng.choices(("", "  ", "\u3000"), weights=(70, 15, 15))[0],
        sheet_name=rng.choice(("Sheet1", "Sheet1", department, FORM_SUFFIX)),
        empty_sheets=2 if rng.random() < 0.25 else 0,
    )


def _submission_time(rng: random.Random, period: Period) -> dt.datetime:
    days = rng.randint(30, 60) if rng.random() < 0.04 else rng.randint(2, 9)
    submitted = dt.datetime.combine(period.end, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
    return submitted + dt.timedelta(days=days)


def pair_forms(plan: PairPlan, taken_names: set[str], seeds: Seeds | None = None) -> list[Form]:
    """Every form `plan` sends over the programme's years, drawn deterministically; people's
    names are new to `taken_names` (which this extends). `seeds`: hospitals and departments
    other than the repository's (a generated registry's)."""
    seeds = seeds or load_seeds()
    forms = []
    for department in plan.departments:
        pool = _name_pool(plan, department, taken_names)
        for year in _years():
            for period in _periods(plan, department, year):
                if (plan.supporting, department, period.label) in MISSING_REPORTS:
                    continue
                rng = _rng("form", plan.supporting, department, period.label)
                roster = _roster(pool, year)
                named = rng.randint(1, min(plan.most_per_form, len(roster)))
                names = sorted(rng.sample(roster, named), key=roster.index)
                people = tuple(
                    (name, _person_values(rng, department, period, seeds)) for name in names
                )
                submitted = _submission_time(rng, period)
                forms.append(Form(
                    plan=plan,
                    department=department,
                    period=period,
                    template=NEW_TEMPLATE if year >= NEW_TEMPLATE_FROM else OLD_TEMPLATE,
                    people=people,
                    layout=_draw_layout(rng, plan, department, period, submitted, seeds),
                    submitted=submitted,
                ))
    return forms


# ----------------------------------------------------------------------------------------
# Sheets as grids of cells, independent of the file format.


@dataclass
class Grid:
    width: int
    cells: dict[tuple[int, int], object]
    styles: dict[tuple[int, int], str]
    merges: list[tuple[int, int, int, int]]  # first row, first column, last row, last column
    column_widths: tuple[int, ...]

    @classmethod
    def empty(cls, column_widths: tuple[int, ...]) -> Grid:
        return cls(len(column_widths), {}, {}, [], column_widths)

    def put(self, row: int, column: int, value: object, style: str = "body") -> None:
        self.cells[row, column] = value
        self.styles[row, column] = style

    def merge(self, first: tuple[int, int], last: tuple[int, int], value: object,
              style: str) -> None:
        for row in range(first[0], last[0] + 1):
            for column in range(first[1], last[1] + 1):
                self.put(row, column, None, style)
        self.put(*first, value, style)
        if first != last:
            self.merges.append((*first, *last))

    def line(self, row: int, value: str, style: str, merged: bool = True) -> None:
        if merged:
            self.merge((row, 0), (row, self.width - 1), value, style)
        else:
            self.put(row, 0, value, style)

    def unmerged_cells(self) -> list[tuple[tuple[int, int], object]]:
        covered = {
            (row, column)
            for first_row, first_column, last_row, last_column in self.merges
            for row in range(first_row, last_row + 1)
            for column in range(first_column, last_column + 1)
        }
        return [(cell, value) for cell, value in self.cells.items() if cell not in covered]

    @property
    def rows(self) -> int:
        return max(row for row, _ in self.cells) + 1


def _number_text(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _written_value(rng: random.Random, value: int | float, unit: str, layout: Layout) -> object:
    """A true value as one submitter writes it."""
    if value == 0:
        return layout.zero_spelling
    draw = rng.random()
    if draw < 0.01:
        return _number_text(value).translate(FULL_WIDTH)
    if draw < 0.025 and unit and isinstance(value, int):
        return f"{value}{unit}"
    if layout.numbers_as_text or draw < 0.06:
        return _number_text(value)
    return value


def _padded(name: str, padding: str) -> str:
    return padding.join(name) if len(name) == 2 else name


def _header_texts(template: tuple[str, ...], seeds: Seeds) -> list[tuple[str | None, str]]:
    """(group header, header) per metric column; the group spans the visit parts."""
    texts: list[tuple[str | None, str]] = []
    for metric in template:
        if group := group_of(metric):
            # Under 诊疗人次 the unit is implied: 门诊人次 is headed 门诊.
            texts.append((group.name_zh, metrics()[metric].form_label or metrics()[metric].name_zh))
        else:
            texts.append((None, metrics()[metric].name_zh))
    return texts


def _form_grid(form: Form, seeds: Seeds, planted: PlantedCell | None) -> Grid:
    layout = form.layout
    grid = Grid.empty((10, *(9 for _ in form.template)))
    grid.line(0, layout.title, "title")
    grid.line(1, layout.period_line, "text", merged=layout.merge_period_line)
    row = 2
    if layout.labels:
        for index, label in enumerate(layout.labels):
            grid.put(row, index * (grid.width // 2), label, "text")
        row += 1
    if layout.fill_date_line:
        grid.put(row, 0, layout.fill_date_line, "text")
        row += 1
    row += layout.blank_before_header

    headers = _header_texts(form.template, seeds)
    two_rows = any(group for group, _ in headers)
    last_header_row = row + two_rows
    grid.merge((row, 0), (last_header_row, 0), seeds.person_header, "header")
    for column, (group, text) in enumerate(headers, start=1):
        if group is None:
            grid.merge((row, column), (last_header_row, column), text, "header")
        elif column == 1 or headers[column - 2][0] != group:
            span = sum(1 for other, _ in headers if other == group)
            grid.merge((row, column), (row, column + span - 1), group, "header")
        if group is not None:
            grid.put(last_header_row, column, text, "header")
    row = last_header_row + 1

    cell_rng = _rng("cells", *form.key)
    for index, (name, values) in enumerate(form.people):
        grid.put(row, 0, _padded(name, layout.name_padding))
        for column, metric in enumerate(form.template, start=1):
            written = _written_value(cell_rng, values[metric], metrics()[metric].unit_zh, layout)
            if planted and planted.person_index == index and planted.metric == metric:
                written = planted.written(values[metric])
            grid.put(row, column, written)
        row += 1
    if layout.totals:
        grid.put(row, 0, TOTALS_LABEL)
        for column, metric in enumerate(form.template, start=1):
            total = sum(values[metric] for _, values in form.people)
            grid.put(row, column, round(total, 1) if isinstance(total, float) else total)
        row += 1

    row += layout.blank_before_notes
    for offset, note in enumerate(NOTES):
        grid.line(row + offset, note, "note")
    return grid


def _capacity_grid(plan: PairPlan, seeds: Seeds, trajectories: dict | None = None) -> Grid:
    rng = _rng("capacity", plan.recipient)
    grid = Grid.empty((36, 8, *(10 for _ in _years())))
    grid.line(0, f"{plan.recipient}服务能力主要指标（{_years()[0]}—{_years()[-1]}年）", "title")
    for column, header in enumerate(("指标", "单位", *(f"{year}年" for year in _years()))):
        grid.put(1, column, header, "header")
    trajectories = trajectories or CAPACITY_FIRST_LAST[plan.recipient]
    for row, metric in enumerate(metrics_of("capacity"), start=2):
        grid.put(row, 0, metric.name_zh, "text")
        grid.put(row, 1, metric.unit_zh or None)
        first, last = trajectories[metric.code]
        step = (last - first) / (len(_years()) - 1)
        for index, _year in enumerate(_years()):
            wobble = rng.uniform(-0.25, 0.25) if 0 < index < len(_years()) - 1 else 0
            value = first + (index + wobble) * step
            grid.put(row, 2 + index, _capacity_cell(rng, value, metric.value_type))
    return grid


def _capacity_cell(rng: random.Random, value: float, value_type: str) -> object:
    if value_type == "percent":
        value = round(value, 1)
        return f"{value}%" if rng.random() < 0.4 else value
    if value_type == "index":
        return round(value, 2)
    return round(value)


# ----------------------------------------------------------------------------------------
# Writers.

XLSX_FORMATS = {
    "title": {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"},
    "header": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
               "border": 1},
    "body": {"align": "center", "border": 1},
    "text": {},
    "note": {"text_wrap": True, "valign": "top"},
}
XLS_STYLES = {
    "title": "font: bold on, height 280; align: horiz center, vert center",
    "header": "font: bold on; align: horiz center, vert center, wrap on; borders: left thin, "
              "right thin, top thin, bottom thin",
    "body": "align: horiz center; borders: left thin, right thin, top thin, bottom thin",
    "text": "",
    "note": "align: wrap on, vert top",
}


def _write_xlsx(path: Path, sheets: list[tuple[str, Grid | None]], created: dt.datetime) -> None:
    # in_memory stamps every zip member 1980-01-01; the default temp-file mode stamps local time.
    workbook = xlsxwriter.Workbook(path, {"in_memory": True})
    workbook.set_properties({"created": created})
    formats = {name: workbook.add_format(spec) for name, spec in XLSX_FORMATS.items()}
    for name, grid in sheets:
        worksheet = workbook.add_worksheet(name)
        if grid is None:
            continue
        for column, width in enumerate(grid.column_widths):
            worksheet.set_column(column, column, width)
        for first_row, first_column, last_row, last_column in grid.merges:
            worksheet.merge_range(first_row, first_column, last_row, last_column,
                                  grid.cells[first_row, first_column],
                                  formats[grid.styles[first_row, first_column]])
        for (row, column), value in grid.unmerged_cells():
            cell_format = formats[grid.styles[row, column]]
            if value is None:
                worksheet.write_blank(row, column, None, cell_format)
            elif isinstance(value, str):
                worksheet.write_string(row, column, value, cell_format)
            else:
                worksheet.write_number(row, column, value, cell_format)
    workbook.close()


def _write_xls(path: Path, sheets: list[tuple[str, Grid | None]]) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")
    styles = {name: xlwt.easyxf(spec) for name, spec in XLS_STYLES.items()}
    for name, grid in sheets:
        worksheet = workbook.add_sheet(name)
        if grid is None:
            continue
        for column, width in enumerate(grid.column_widths):
            worksheet.col(column).width = 256 * width
        for first_row, first_column, last_row, last_column in grid.merges:
            worksheet.write_merge(first_row, last_row, first_column, last_column,
                                  grid.cells[first_row, first_column],
                                  styles[grid.styles[first_row, first_column]])
        for (row, column), value in grid.unmerged_cells():
            worksheet.write(row, column, "" if value is None else value,
                            styles[grid.styles[row, column]])
    workbook.save(str(path))


def _write_csv(path: Path, grid: Grid, encoding: str) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in range(grid.rows):
        cells = (grid.cells.get((row, column)) for column in range(grid.width))
        writer.writerow("" if value is None else _csv_text(value) for value in cells)
    path.write_bytes(text.getvalue().encode(encoding))


def _csv_text(value: object) -> str:
    return _number_text(value) if isinstance(value, int | float) else str(value)


def _write_form_file(path: Path, form: Form, grid: Grid, saved: dt.datetime) -> None:
    sheets: list[tuple[str, Grid | None]] = [(form.layout.sheet_name, grid)]
    sheets += [(f"Sheet{number}", None) for number in range(2, 2 + form.layout.empty_sheets)]
    if form.extension == ".csv":
        _write_csv(path, grid, CSV_ENCODINGS.get(form.key, "utf-8-sig"))
    elif form.extension == ".xls":
        _write_xls(path, sheets)
    else:
        _write_xlsx(path, sheets, saved)
    _stamp(path, saved)


def _stamp(path: Path, when: dt.datetime) -> None:
    timestamp = when.replace(tzinfo=CHINA_TIME).timestamp()
    os.utime(path, (timestamp, timestamp))


def write_form(dest: Path, form: Form, seeds: Seeds | None = None,
               planted: PlantedCell | None = None) -> list[Path]:
    """The form's file under `dest` (and the planted revision or copy, if it is one of those);
    `planted`: a fault of its own, for a form the sample plants none in."""
    seeds = seeds or load_seeds()
    folder = dest / form.folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / form.file_name()
    _write_form_file(path, form, _form_grid(form, seeds, PLANTED_CELLS.get(form.key, planted)),
                     form.submitted)
    written = [path]
    if form.key == REVISED:
        revision = folder / form.file_name(REVISION_SUFFIX)
        _write_form_file(revision, form, _form_grid(form, seeds, None),
                         form.submitted + REVISION_DELAY)
        written.append(revision)
    if form.key == DUPLICATED:
        copy = dest / DUPLICATE_FOLDER / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        _stamp(copy, form.submitted + DUPLICATE_DELAY)
        written.append(copy)
    return written


def write_capacity(dest: Path, plan: PairPlan, seeds: Seeds | None = None,
                   trajectories: dict[str, tuple[float, float]] | None = None) -> Path:
    """The recipient's capacity workbook, all programme years in one sheet; `trajectories`
    (each indicator's first and last year's value) for a recipient the sample does not know."""
    seeds = seeds or load_seeds()
    folder = dest / plan.supporting / plan.recipient
    folder.mkdir(parents=True, exist_ok=True)
    suffix = CAPACITY_SUFFIX.format(first=_years()[0], last=_years()[-1])
    path = folder / f"{plan.recipient}{suffix}.xlsx"
    reported = dt.datetime(_years()[-1] + 1, 1, 20, 10, 30)
    _write_xlsx(path, [("能力指标", _capacity_grid(plan, seeds, trajectories))], reported)
    _stamp(path, reported)
    return path


def write_sample_corpus(dest: Path) -> list[Path]:
    """Write the sample corpus into `dest` (created if needed; files already there are
    overwritten, others left alone) and return the files written, sorted."""
    written: list[Path] = []
    taken_names: set[str] = set()
    for plan in PAIRS:
        for form in pair_forms(plan, taken_names):
            written += write_form(dest, form)
        written.append(write_capacity(dest, plan))
    return sorted(written)
