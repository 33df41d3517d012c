"""The one loader of the registry: the operator's workbook (`BANGFU_REGISTRY`), or the
built-in registry (pipelines/registry/builtin/, one CSV per sheet with the same headers) when
there is no workbook. Both are read by the same rules into typed rows (the raw tables'
columns) and problems by sheet and cell; the reader's vocabulary, the writers, `bangfu
registry check` and every run take the registry from here.

A workbook is operator-made: a cell may hold a number where text is meant (a year, a month
list), a date as a date or as text, stray spaces. Each cell is read by what its column holds
(pipelines/registry/sheets.py), not by how Excel stored it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import python_calamine
from openpyxl.utils import get_column_letter

from pipelines.catalogue import metrics
from pipelines.errors import OperatorError
from pipelines.forms.text import label_key
from pipelines.registry import sheets as spec
from pipelines.settings import Settings, programme_window

BUILTIN_DIR = Path(__file__).with_name("builtin")
BUILTIN_SOURCE = "内置登记表"
ERROR, WARNING = "error", "warning"
SEVERITY_WORDS = {ERROR: "错误", WARNING: "警告"}
CATEGORIES = ("临床", "医技", "管理")

Cell = Any  # what calamine gives (str, int, float, bool, date, datetime …) or CSV text


@dataclass(frozen=True)
class Problem:
    severity: str
    sheet: str
    cell: str  # A1 reference, or "-" for the whole sheet or workbook
    message: str

    def line(self) -> str:
        return " · ".join([SEVERITY_WORDS[self.severity], self.sheet, self.cell, self.message])


def refusal(source: str, errors: list[Problem]) -> OperatorError:
    """Why no run uses a registry with errors (the published warehouse and site untouched)."""
    return OperatorError(
        "registry_invalid",
        f"登记表 {source} 有 {len(errors)} 处错误（第一处：{errors[0].line()}）；"
        "请运行 bangfu registry check 查看全部并修正；已发布的数据库和网站未改动")


@dataclass(frozen=True)
class Registry:
    """The hospitals, pairs and departments in force, as rows of the raw tables' columns."""

    source: str  # the workbook's path, or 内置登记表
    rows: Mapping[str, tuple[dict[str, Any], ...]]  # raw table -> rows

    def table(self, sheet: spec.Sheet) -> tuple[dict[str, Any], ...]:
        return self.rows[sheet.table]

    @cached_property
    def digest(self) -> str:
        """The content of every sheet (not the file's bytes: a workbook saved again unchanged
        is the same registry)."""
        return _digest([self.rows[sheet.table] for sheet in spec.SHEETS])

    @cached_property
    def reader_digest(self) -> str:
        """The part of the registry that reading a form depends on: names and aliases of
        hospitals and departments, the departments' categories, the pairs. Targets, plans
        and cadences are dbt's alone, and editing them re-reads no file."""
        return _digest([sorted(self.hospital_aliases.items()), sorted(self.pairs),
                        sorted(self.departments.items()),
                        sorted(self.department_aliases.items())])

    @cached_property
    def hospitals(self) -> dict[str, dict[str, Any]]:
        return {row["hospital_name"]: row for row in self.table(spec.HOSPITALS)}

    @cached_property
    def hospital_aliases(self) -> dict[str, str]:
        """Every name a hospital may be written as (its own name among them) → its name."""
        names = {name: name for name in self.hospitals}
        return names | {row["alias"]: row["hospital_name"]
                        for row in self.table(spec.HOSPITAL_ALIASES)}

    @cached_property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((row["supporting_hospital"], row["recipient_hospital"])
                     for row in self.table(spec.PAIRS))

    @cached_property
    def departments(self) -> dict[str, str | None]:
        """Department → its category (临床, 医技, 管理)."""
        return {row["department"]: row["category"] for row in self.table(spec.DEPARTMENTS)}

    @cached_property
    def department_aliases(self) -> dict[str, str]:
        return {row["alias"]: row["department"] for row in self.table(spec.DEPARTMENT_ALIASES)}

    def frames(self, loaded_at: dt.datetime) -> dict[str, pl.DataFrame]:
        """The raw tables this registry is loaded as, one frame each (sources.yml's schemas)."""
        from pipelines.warehouse.raw_schema import polars_schema

        frames = {table: pl.DataFrame(list(rows), schema=polars_schema(table), orient="row")
                  for table, rows in self.rows.items()}
        frames[spec.SOURCE_TABLE] = pl.DataFrame(
            [{"digest": self.digest, "source": self.source, "loaded_at": loaded_at}],
            schema=polars_schema(spec.SOURCE_TABLE), orient="row")
        return frames


def _digest(parts: list[Any]) -> str:
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Loaded:
    registry: Registry
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


# ----------------------------------------------------------------------------------------
# Where the registry comes from.


def registry_path() -> Path:
    return Settings.from_env().registry


def in_force() -> Registry:
    """The registry every step of this process uses: the workbook at `BANGFU_REGISTRY`, or
    the built-in one when there is none. Raises an OperatorError when it has errors. Read
    again only when the file changed; a worker process is handed its parent's (`use`)."""
    if _handed is not None:
        return _handed
    loaded = load(registry_path())
    if loaded.errors:
        raise refusal(loaded.registry.source, loaded.errors)
    return loaded.registry


_handed: Registry | None = None


def use(registry: Registry) -> None:
    """Make `registry` the one in force in this (worker) process: the workers of a run read
    with the registry their run loaded, even if the workbook is edited meanwhile."""
    global _handed
    _handed = registry


@contextlib.contextmanager
def pinned(registry: Registry) -> Iterator[None]:
    """`registry` in force in this process for the duration (a run's reading and
    validation, whatever happens to the workbook meanwhile)."""
    global _handed
    previous, _handed = _handed, registry
    try:
        yield
    finally:
        _handed = previous


def load(path: Path | None) -> Loaded:
    """The registry of the workbook at `path`, or the built-in one when `path` is None or
    no file is there."""
    if path is None or not path.exists():
        return _builtin()
    stat = path.stat()
    return _load_workbook(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _builtin() -> Loaded:
    sheets = {}
    for sheet in spec.SHEETS:
        with (BUILTIN_DIR / f"{sheet.name}.csv").open(encoding="utf-8", newline="") as fh:
            sheets[sheet.name] = list(csv.reader(fh))
    return parse(sheets, BUILTIN_SOURCE)


@lru_cache(maxsize=4)
def _load_workbook(path: str, _mtime_ns: int, _size: int) -> Loaded:
    try:
        sheets = read_workbook(Path(path))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        problem = Problem(ERROR, "-", "-", f"登记表无法打开（{type(exc).__name__}：{exc}）；"
                                           "请用 Excel 或 WPS 打开确认文件完好，另存为 .xlsx")
        return Loaded(Registry(path, {s.table: () for s in spec.SHEETS}), [problem])
    return parse(sheets, path)


def read_workbook(path: Path) -> dict[str, list[list[Cell]]]:
    """Each sheet's cells from A1, as calamine reads them (numbers, dates or text)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name.strip(): book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names}


# ----------------------------------------------------------------------------------------
# Cells.


class CellProblem(ValueError):
    """A cell that cannot be read as its column says; the message is the operator's."""


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_MONTH_SEPARATORS = re.compile(r"[、,，;；|/\s]+")
_COMPARATORS = {">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", "=": "=", "==": "="}
# Cadences as operators write them (周报, 每月, 季度 …), each of 周 / 月 / 季.
_CADENCE_WORDS = {word: cadence for key, cadence in spec.CADENCES.items()
                  for word in (key, f"{key}报", f"每{key}", f"按{key}", cadence)}
_CADENCE_WORDS |= {"季度": "quarter", "每季度": "quarter", "季度报": "quarter"}
# Excel's day 0 (the 1900 date system): a date stored as a bare number counts from here.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def cell_text(value: Cell) -> str | None:
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text.strip().replace("\u3000", " ").strip() or None


def _date(value: Cell, text: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 1 <= value < 2958466:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    if m := _DATE_TEXT.fullmatch(text):
        try:
            return dt.date(*map(int, m.groups()))
        except ValueError:
            pass
    raise CellProblem(f"“{text}”不是日期，请写成 2022-01-01 这样的日期")


def _year(text: str) -> int:
    digits = text.removesuffix("年").strip()
    if not re.fullmatch(r"\d{4}", digits) or not 1900 <= int(digits) <= 2100:
        raise CellProblem(f"“{text}”不是年份，请写四位数的年份，如 2022")
    return int(digits)


def _months(text: str) -> str:
    months = []
    for part in _MONTH_SEPARATORS.split(text):
        part = part.removesuffix("月").strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 12:
            raise CellProblem(f"“{text}”不是月份列表，请写 1 到 12 的月份，用顿号分隔，如 3、9")
        months.append(int(part))
    if not months:
        raise CellProblem(f"“{text}”不是月份列表，请写 1 到 12 的月份，用顿号分隔，如 3、9")
    return "|".join(str(m) for m in sorted(set(months)))


def _number(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise CellProblem(f"“{text}”不是数字") from None


def _metric(text: str) -> str:
    catalogue = metrics()
    if text in catalogue:
        return text
    by_name = {m.name_zh: code for code, m in catalogue.items()}
    if text in by_name:
        return by_name[text]
    raise CellProblem(f"“{text}”不是已定义的指标代码或指标名称（见 dbt_project/seeds/metrics.csv）")


def read_cell(column: spec.Column, value: Cell) -> Any:
    """The value of one cell as its column holds it; None when blank."""
    text = cell_text(value)
    if text is None:
        return None
    match column.kind:
        case spec.TEXT:
            return text
        case spec.DATE:
            return _date(value, text)
        case spec.YEAR:
            return _year(text)
        case spec.NUMBER:
            return _number(text)
        case spec.MONTHS:
            return _months(text)
        case spec.METRIC:
            return _metric(text)
        case spec.CADENCE:
            if (cadence := _CADENCE_WORDS.get(text.lower())) is None:
                raise CellProblem(f"报送周期“{text}”无效，请写 周、月 或 季")
            return cadence
        case spec.COMPARATOR:
            if (comparator := _COMPARATORS.get(text.replace(" ", ""))) is None:
                raise CellProblem(f"比较“{text}”无效，请写 >=、<= 或 =")
            return comparator
    raise ValueError(f"unknown column kind {column.kind}")


# ----------------------------------------------------------------------------------------
# Sheets → rows and problems.


@dataclass
class _SheetRows:
    """One sheet's rows as read, each with its spreadsheet row number and its columns'
    letters, for the checks that look across rows and sheets."""

    sheet: spec.Sheet
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)  # column name -> letter

    @property
    def usable(self) -> bool:
        """Whether the sheet was there with its headers: only then do other sheets' names
        refer to its rows (a sheet that could not be read makes no further errors)."""
        return len(self.letters) == len(self.sheet.columns)

    def cell(self, row_number: int, column: str) -> str:
        return f"{self.letters[column]}{row_number}"


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, severity: str, sheet: spec.Sheet | str, cell: str, message: str) -> None:
        name = sheet if isinstance(sheet, str) else sheet.name
        self.problems.append(Problem(severity, name, cell, message))


def _read_sheet(sheet: spec.Sheet, cells: list[list[Cell]] | None,
                checker: _Checker) -> _SheetRows:
    read = _SheetRows(sheet)
    if cells is None:
        if sheet.required:
            checker.add(ERROR, sheet, "-", f"缺少工作表“{sheet.name}”（bangfu registry init "
                                           "写出的登记表有全部工作表和表头）")
        return read
    headers = [cell_text(value) for value in (cells[0] if cells else [])]
    for position, column in enumerate(sheet.columns, start=1):
        if column.header in headers:
            read.letters[column.name] = get_column_letter(headers.index(column.header) + 1)
        else:
            checker.add(ERROR, sheet, f"{get_column_letter(position)}1",
                        f"第 1 行缺少表头“{column.header}”（本表表头依次为："
                        f"{'、'.join(c.header for c in sheet.columns)}）")
    if not read.usable:
        return read
    indexes = {name: headers.index(sheet.column(name).header) for name in read.letters}
    for row_number, values in enumerate(cells[1:], start=2):
        raw = {name: values[i] if i < len(values) else None for name, i in indexes.items()}
        if all(cell_text(value) is None for value in raw.values()):
            continue
        record = {}
        for column in sheet.columns:
            cell = read.cell(row_number, column.name)
            try:
                record[column.name] = read_cell(column, raw[column.name])
            except CellProblem as problem:
                checker.add(ERROR, sheet, cell, f"{column.header}：{problem}")
                record[column.name] = None
                continue
            if record[column.name] is None and column.required:
                checker.add(ERROR, sheet, cell, f"“{column.header}”不能为空")
        read.rows.append((row_number, record))
    return read


def parse(cells: Mapping[str, list[list[Cell]]], source: str) -> Loaded:
    """A registry from each sheet's cells (by sheet name), with every problem found."""
    checker = _Checker()
    read = {sheet.name: _read_sheet(sheet, cells.get(sheet.name), checker)
            for sheet in spec.SHEETS}
    _Checks(read, checker).run()
    order = {sheet.name: index for index, sheet in enumerate(spec.SHEETS)}
    checker.problems.sort(key=lambda p: (order.get(p.sheet, -1), _cell_order(p.cell)))
    window = programme_window()
    rows = {}
    for sheet in spec.SHEETS:
        records = [record for _, record in read[sheet.name].rows]
        if sheet is spec.PAIRS:
            records = [_pair_defaults(record, window) for record in records]
        rows[sheet.table] = tuple(records)
    return Loaded(Registry(source, rows), checker.problems)


def _cell_order(cell: str) -> tuple[int, int]:
    """A1 references in reading order (row, then column); "-" first."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    if not m:
        return (0, 0)
    column = 0
    for letter in m[1]:
        column = column * 26 + ord(letter) - 64
    return (int(m[2]), column)


def _pair_defaults(record: dict[str, Any], window: tuple[dt.date, dt.date]) -> dict[str, Any]:
    return record | {
        "programme_start": record["programme_start"] or window[0],
        "programme_end": record["programme_end"] or window[1],
        "programme_name_zh": record["programme_name_zh"]
        or f"{record['supporting_hospital']}对口帮扶{record['recipient_hospital']}",
    }


class _Checks:
    """What no single cell shows: names that must be registered, duplicates, spans."""

    def __init__(self, read: dict[str, _SheetRows], checker: _Checker):
        self.read = read
        self.checker = checker
        self.hospitals = {label_key(r["hospital_name"]): r["hospital_name"]
                          for _, r in read[spec.HOSPITALS.name].rows if r["hospital_name"]}
        self.departments = {label_key(r["department"]): r["department"]
                            for _, r in read[spec.DEPARTMENTS.name].rows if r["department"]}
        self.hospital_aliases = {
            label_key(r["alias"]): r["hospital_name"]
            for _, r in read[spec.HOSPITAL_ALIASES.name].rows if r["alias"]}
        self.department_aliases = {
            label_key(r["alias"]): r["department"]
            for _, r in read[spec.DEPARTMENT_ALIASES.name].rows if r["alias"]}
        self.pairs = {(r["supporting_hospital"], r["recipient_hospital"])
                      for _, r in read[spec.PAIRS.name].rows}
        self.hospital_names = set(self.hospitals.values())
        self.department_names = set(self.departments.values())

    def run(self) -> None:
        self._names(spec.HOSPITALS, "hospital_name", "医院")
        self._names(spec.DEPARTMENTS, "department", "科室")
        self._provinces_and_categories()
        self._aliases(spec.HOSPITAL_ALIASES, "hospital_name", self.hospitals, spec.HOSPITALS)
        self._aliases(spec.DEPARTMENT_ALIASES, "department", self.departments,
                      spec.DEPARTMENTS)
        self._pairs()
        for sheet in (spec.EXPECTED_REPORTERS, spec.TARGETS, spec.WORK_PLAN):
            self._pair_references(sheet)
        self._expected_reporters()
        self._years()
        self._duplicates(spec.TARGETS, ("target_code", "supporting_hospital",
                                        "recipient_hospital"), "目标代码")
        self._duplicates(spec.WORK_PLAN, ("plan_item_code",), "事项代码")
        self._work_plan_metrics()

    def _rows(self, sheet: spec.Sheet) -> _SheetRows:
        return self.read[sheet.name]

    def _names(self, sheet: spec.Sheet, column: str, what: str) -> None:
        first: dict[str, int] = {}
        rows = self._rows(sheet)
        for number, record in rows.rows:
            if not record[column]:
                continue
            key = label_key(record[column])
            if key in first:
                self.checker.add(ERROR, sheet, rows.cell(number, column),
                                 f"{what}“{record[column]}”与第 {first[key]} 行重复")
            first.setdefault(key, number)

    def _provinces_and_categories(self) -> None:
        rows = self._rows(spec.HOSPITALS)
        for number, record in rows.rows:
            if record["hospital_name"] and not record["province"]:
                self.checker.add(WARNING, spec.HOSPITALS, rows.cell(number, "province"),
                                 f"“{record['hospital_name']}”未填省份：按省份查看的账户看不到它")
        rows = self._rows(spec.DEPARTMENTS)
        for number, record in rows.rows:
            if record["category"] not in CATEGORIES:
                self.checker.add(WARNING, spec.DEPARTMENTS, rows.cell(number, "category"),
                                 f"类别“{record['category'] or ''}”不是 临床、医技 或 管理")

    def _aliases(self, sheet: spec.Sheet, target: str, names: dict[str, str],
                 names_sheet: spec.Sheet) -> None:
        """An alias names one registered entry; it is no other entry's name and is not
        given twice."""
        rows = self._rows(sheet)
        first: dict[str, tuple[int, str]] = {}
        for number, record in rows.rows:
            alias, named = record["alias"], record[target]
            if not alias or not named:
                continue
            if label_key(named) not in names and self._rows(names_sheet).usable:
                self.checker.add(ERROR, sheet, rows.cell(number, target),
                                 f"“{named}”不在“{names_sheet.name}”表中")
            key = label_key(alias)
            if key in names and names[key] != named:
                self.checker.add(ERROR, sheet, rows.cell(number, "alias"),
                                 f"别名“{alias}”是“{names_sheet.name}”表中另一个名称"
                                 f"“{names[key]}”，不能指向“{named}”")
            if key in first:
                earlier, earlier_named = first[key]
                self.checker.add(ERROR, sheet, rows.cell(number, "alias"),
                                 f"别名“{alias}”与第 {earlier} 行重复"
                                 + ("" if earlier_named == named
                                    else f"（那里指向“{earlier_named}”）"))
            first.setdefault(key, (number, named))

    def _hospital(self, rows: _SheetRows, number: int, column: str, name: str | None) -> bool:
        """Whether `name` is a registered hospital's name; says what is wrong when not."""
        if not name:
            return False
        if name in self.hospital_names or not self._rows(spec.HOSPITALS).usable:
            return name in self.hospital_names
        header = rows.sheet.column(column).header
        meant = self.hospital_aliases.get(label_key(name)) or self.hospitals.get(label_key(name))
        hint = f"，请写“医院”表中的名称“{meant}”" if meant else "，请先在“医院”表中登记"
        self.checker.add(ERROR, rows.sheet, rows.cell(number, column),
                         f"{header}“{name}”不在“医院”表中{hint}")
        return False

    def _pairs(self) -> None:
        rows = self._rows(spec.PAIRS)
        first: dict[tuple[str, str], int] = {}
        for number, record in rows.rows:
            supporting, recipient = record["supporting_hospital"], record["recipient_hospital"]
            known = [self._hospital(rows, number, column, record[column])
                     for column in ("supporting_hospital", "recipient_hospital")]
            if all(known) and supporting == recipient:
                self.checker.add(ERROR, spec.PAIRS, rows.cell(number, "recipient_hospital"),
                                 "支援医院和受援医院是同一家医院")
            if (supporting, recipient) in first and all(known):
                self.checker.add(ERROR, spec.PAIRS, rows.cell(number, "supporting_hospital"),
                                 f"帮扶关系与第 {first[(supporting, recipient)]} 行重复")
            first.setdefault((supporting, recipient), number)
            start, end = record["programme_start"], record["programme_end"]
            if start and end and start > end:
                self.checker.add(ERROR, spec.PAIRS, rows.cell(number, "programme_end"),
                                 f"结束日期 {end} 早于开始日期 {start}")

    def _pair_references(self, sheet: spec.Sheet) -> None:
        """Rows that belong to a pair name a registered pair (targets may name none: every
        pair)."""
        rows = self._rows(sheet)
        for number, record in rows.rows:
            supporting, recipient = record["supporting_hospital"], record["recipient_hospital"]
            if sheet is spec.TARGETS and not supporting and not recipient:
                continue
            if sheet is spec.TARGETS and not (supporting and recipient):
                column = "recipient_hospital" if supporting else "supporting_hospital"
                self.checker.add(ERROR, sheet, rows.cell(number, column),
                                 "支援医院和受援医院要么都填（这对帮扶关系的目标），要么都空（每对的目标）")
                continue
            known = [self._hospital(rows, number, column, record[column])
                     for column in ("supporting_hospital", "recipient_hospital")]
            if (all(known) and (supporting, recipient) not in self.pairs
                    and self._rows(spec.PAIRS).usable):
                self.checker.add(ERROR, sheet, rows.cell(number, "supporting_hospital"),
                                 f"“{supporting}”对“{recipient}”不是“帮扶关系”表中的一对")

    def _expected_reporters(self) -> None:
        rows = self._rows(spec.EXPECTED_REPORTERS)
        spans: dict[tuple[str, str, str], list[tuple[int, int, int]]] = defaultdict(list)
        for number, record in rows.rows:
            department = record["department"]
            if (department and department not in self.department_names
                    and self._rows(spec.DEPARTMENTS).usable):
                meant = (self.department_aliases.get(label_key(department))
                         or self.departments.get(label_key(department)))
                hint = (f"，请写“科室”表中的名称“{meant}”" if meant
                        else "，请先在“科室”表中登记")
                self.checker.add(ERROR, spec.EXPECTED_REPORTERS, rows.cell(number, "department"),
                                 f"科室“{department}”不在“科室”表中{hint}")
            first, last = record["first_year"], record["last_year"]
            if first and last and department:
                key = (record["supporting_hospital"], record["recipient_hospital"], department)
                for other_number, other_first, other_last in spans[key]:
                    if first <= other_last and other_first <= last:
                        self.checker.add(
                            ERROR, spec.EXPECTED_REPORTERS, rows.cell(number, "first_year"),
                            f"{department} 的年份 {first}–{last} 与第 {other_number} 行"
                            f"（{other_first}–{other_last}）重叠：一个科室每年只有一种报送周期")
                spans[key].append((number, first, last))

    def _years(self) -> None:
        first_year, last_year = (day.year for day in programme_window())
        for sheet, start, end in ((spec.EXPECTED_REPORTERS, "first_year", "last_year"),
                                  (spec.TARGETS, "from_year", "to_year"),
                                  (spec.WORK_PLAN, "from_year", "to_year")):
            rows = self._rows(sheet)
            for number, record in rows.rows:
                first, last = record[start], record[end]
                if first and last and first > last:
                    self.checker.add(ERROR, sheet, rows.cell(number, end),
                                     f"截止年份 {last} 早于起始年份 {first}")
                elif first and last and (last < first_year or first > last_year):
                    self.checker.add(WARNING, sheet, rows.cell(number, start),
                                     f"年份 {first}–{last} 不在帮扶周期 "
                                     f"{first_year}–{last_year} 内，本行不起作用")

    def _duplicates(self, sheet: spec.Sheet, key: Iterable[str], what: str) -> None:
        rows = self._rows(sheet)
        columns = tuple(key)
        first: dict[tuple, int] = {}
        for number, record in rows.rows:
            values = tuple(record[c] for c in columns)
            if values[0] is None:
                continue
            if values in first:
                self.checker.add(ERROR, sheet, rows.cell(number, columns[0]),
                                 f"{what}“{values[0]}”与第 {first[values]} 行重复")
            first.setdefault(values, number)

    def _work_plan_metrics(self) -> None:
        """An item the data shows has its metric, comparator and value; one it cannot show
        has none of them."""
        rows = self._rows(spec.WORK_PLAN)
        for number, record in rows.rows:
            given = [record[c] is not None for c in ("metric_code", "comparator", "target_value")]
            if any(given) and not all(given):
                self.checker.add(ERROR, spec.WORK_PLAN, rows.cell(number, "metric_code"),
                                 "指标代码、比较、目标值要么都填，要么都空")
