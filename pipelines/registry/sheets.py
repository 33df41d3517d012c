"""The registry workbook's sheets: each sheet's row-1 headers (the contract's, then the
project's own 目标 and 工作计划), what each column holds, and the raw table and column it is
loaded into (declared in dbt_project/models/staging/sources.yml). One declaration serves
reading, checking, writing (`bangfu registry init`) and loading."""

from __future__ import annotations

from dataclasses import dataclass

# What a column holds; pipelines/registry/load.py reads a cell by its kind.
TEXT = "text"
DATE = "date"
YEAR = "year"
NUMBER = "number"
CADENCE = "cadence"  # 周 / 月 / 季 → week / month / quarter
MONTHS = "months"  # 3、9 → '3|9'; empty: every period
COMPARATOR = "comparator"  # >= / <= / =
METRIC = "metric"  # a metric code of dbt_project/seeds/metrics.csv (or its Chinese name)

# The cadences a department may report at, as the workbook writes them and as dbt reads them.
CADENCES = {"周": "week", "月": "month", "季": "quarter"}
COMPARATORS = (">=", "<=", "=")


@dataclass(frozen=True)
class Column:
    header: str  # row 1 of the sheet, exactly
    name: str  # the raw table's column
    kind: str = TEXT
    required: bool = False
    note: str = ""  # what the operator writes here (README, the workbook's header comments)


@dataclass(frozen=True)
class Sheet:
    name: str
    table: str  # raw table (sources.yml)
    columns: tuple[Column, ...]
    # The contract's sheets must be in a registry workbook; 目标 and 工作计划 may be left out
    # (then there are none).
    required: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


HOSPITALS = Sheet("医院", "registry_hospitals", (
    Column("医院名称", "hospital_name", required=True, note="医院的规范全称（各表引用此名称）"),
    Column("级别", "level", note="三级、二级 ……"),
    Column("省份", "province", note="按省份查看的账户据此看到本省受援医院"),
))
HOSPITAL_ALIASES = Sheet("医院别名", "registry_hospital_aliases", (
    Column("别名", "alias", required=True, note="报表、标题或文件名中可能写的简称"),
    Column("医院名称", "hospital_name", required=True, note="“医院”表中的名称"),
))
PAIRS = Sheet("帮扶关系", "registry_pairs", (
    Column("支援医院", "supporting_hospital", required=True),
    Column("受援医院", "recipient_hospital", required=True),
    Column("开始日期", "programme_start", DATE, note="空白：帮扶周期的第一天"),
    Column("结束日期", "programme_end", DATE, note="空白：帮扶周期的最后一天"),
    Column("项目名称", "programme_name_zh", note="空白：“支援医院对口帮扶受援医院”"),
))
DEPARTMENTS = Sheet("科室", "registry_departments", (
    Column("科室", "department", required=True, note="科室的规范名称"),
    Column("类别", "category", note="临床、医技或管理（管理科室只代其他科室报送）"),
))
DEPARTMENT_ALIASES = Sheet("科室别名", "registry_department_aliases", (
    Column("别名", "alias", required=True, note="报表中可能写的科室名称"),
    Column("科室", "department", required=True, note="“科室”表中的名称"),
))
EXPECTED_REPORTERS = Sheet("应报科室", "registry_expected_reporters", (
    Column("支援医院", "supporting_hospital", required=True),
    Column("受援医院", "recipient_hospital", required=True),
    Column("科室", "department", required=True, note="“科室”表中的名称"),
    Column("起始年份", "first_year", YEAR, required=True),
    Column("截止年份", "last_year", YEAR, required=True),
    Column("报送周期", "cadence", CADENCE, required=True, note="周、月或季"),
    Column("报送月份", "months", MONTHS,
           note="如 3、9：只在这些月份报送（季报：这些月份所在的季度）；空白：每期都报"),
))
TARGETS = Sheet("目标", "registry_targets", (
    Column("目标代码", "target_code", required=True, note="目标的固定代码（英文、数字、下划线）"),
    Column("支援医院", "supporting_hospital", note="两院都空白：适用于每对帮扶关系"),
    Column("受援医院", "recipient_hospital"),
    Column("目标", "target_name_zh", required=True, note="计划中的表述"),
    Column("指标代码", "metric_code", METRIC, required=True, note="指标代码或指标名称"),
    Column("比较", "comparator", COMPARATOR, required=True, note=">=、<= 或 ="),
    Column("目标值", "target_value", NUMBER, required=True),
    Column("起始年份", "from_year", YEAR, required=True),
    Column("截止年份", "to_year", YEAR, required=True),
    Column("依据", "source_zh", note="文件及条款"),
), required=False)
WORK_PLAN = Sheet("工作计划", "registry_work_plan", (
    Column("事项代码", "plan_item_code", required=True, note="事项的固定代码"),
    Column("支援医院", "supporting_hospital", required=True),
    Column("受援医院", "recipient_hospital", required=True),
    Column("依据文件", "source_zh", required=True, note="计划文件及章节"),
    Column("序号", "item_no", note="事项在计划中的序号"),
    Column("事项", "item_zh", required=True),
    Column("时间要求", "when_zh", note="每年3月和9月、年终、择时实施 ……"),
    Column("牵头科室", "lead_department"),
    Column("起始年份", "from_year", YEAR, required=True),
    Column("截止年份", "to_year", YEAR, required=True),
    Column("指标代码", "metric_code", METRIC, note="能说明事项完成的指标；空白：统计表不能说明"),
    Column("比较", "comparator", COMPARATOR),
    Column("目标值", "target_value", NUMBER),
    Column("检查月份", "check_months", MONTHS, note="如 3、9：这些月份每月都须有下派人员"),
    Column("数据佐证", "evidence_zh", required=True, note="数据如何说明（或为何不能说明）"),
), required=False)

SHEETS: tuple[Sheet, ...] = (HOSPITALS, HOSPITAL_ALIASES, PAIRS, DEPARTMENTS,
                             DEPARTMENT_ALIASES, EXPECTED_REPORTERS, TARGETS, WORK_PLAN)
# The raw table that records which registry a run loaded (its digest), beside the sheets'.
SOURCE_TABLE = "registry_source"
RAW_TABLES: tuple[str, ...] = (*(sheet.table for sheet in SHEETS), SOURCE_TABLE)
