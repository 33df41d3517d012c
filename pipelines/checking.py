"""`bangfu check`: the reader and the suites on a few files or folders, with nothing written
anywhere, and what a submitter needs to see of it: each problem, where it is and whether it
is an error; for a file that passed, what was understood of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines.batch import FormBatch
from pipelines.forms.model import ParsedFile, Report
from pipelines.forms.pool import read_forms
from pipelines.forms.reader import READER_VERSION
from pipelines.validation.suites import import_gx_meanwhile, validate
from pipelines.warehouse.manifest import recorded_name, sha256_of, submitted_files

if TYPE_CHECKING:
    from pipelines.authoring.annotate import Copy

# What each severity is called on the command line: every line starts with one of these.
SEVERITY_WORDS = {"error": "错误", "warning": "警告"}
FORM_NAMES = {"activity": "工作统计表", "capacity": "受援医院能力指标表", "unknown": "未识别"}
PATH_NOT_FOUND = "path_not_found"


@dataclass(frozen=True)
class Problem:
    """One issue of a checked file, as `ingest_issues` would hold it for that file."""

    file: str
    sheet: str | None
    cell: str | None
    row_number: int | None
    column_name: str | None
    value_found: str | None
    severity: str
    code: str
    message: str

    @property
    def location(self) -> str:
        """The cell; a problem of no single cell concerns its whole row or the whole file."""
        if self.cell:
            return self.cell
        return "整个文件" if self.row_number is None else f"第 {self.row_number} 行"

    def line(self) -> str:
        return " · ".join([SEVERITY_WORDS[self.severity], self.file, self.sheet or "-",
                           self.location, f"{self.message}（{self.code}）"])


@dataclass
class CheckedFile:
    path: Path  # where it was read from
    name: str  # as the submitter gave it
    sha256: str | None = None
    parsed: ParsedFile | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    @property
    def passed(self) -> bool:
        return self.parsed is not None and self.errors == 0

    def understood(self) -> list[str]:
        """What the reader made of each report of the file, for the submitter to confirm."""
        return [_understood(report) for report in (self.parsed.reports if self.parsed else [])]

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.name, "sha256": self.sha256, "passed": self.passed,
            "form_type": self.parsed.form_type if self.parsed else None,
            "errors": self.errors, "warnings": self.warnings,
            "reports": [_report_json(r) for r in (self.parsed.reports if self.parsed else [])],
            "issues": [asdict(p) for p in self.problems],
        }


def _date_zh(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "未识别"


def _understood(report: Report) -> str:
    parts = [f"{FORM_NAMES[report.form_type]}，工作表“{report.sheet}”",
             f"支援单位 {report.supporting_hospital or '未识别'}",
             f"受援单位 {report.recipient_hospital or '未识别'}"]
    if report.form_type == "capacity":
        years = sorted({v.year for v in report.capacity})
        parts += [f"年度 {years[0]}–{years[-1]}" if years else "年度 未识别",
                  f"指标 {len({v.metric_code for v in report.capacity})} 项",
                  f"数值 {sum(1 for v in report.capacity if v.value is not None)} 个"]
    else:
        people = [r for r in report.rows if r.row_kind == "person"]
        parts += [f"填报科室 {report.department or '未识别'}",
                  f"统计周期 {_date_zh(report.period_start)}至{_date_zh(report.period_end)}",
                  f"人员 {len({r.person_key for r in people})} 人",
                  f"数据行 {len(report.rows)} 行（其中合计行 {len(report.rows) - len(people)} 行）"]
    return "；".join(parts)


def _report_json(report: Report) -> dict[str, Any]:
    people = [r for r in report.rows if r.row_kind == "person"]
    return {
        "sheet": report.sheet, "form_type": report.form_type,
        "supporting_hospital": report.supporting_hospital,
        "recipient_hospital": report.recipient_hospital, "department": report.department,
        "period_start": report.period_start.isoformat() if report.period_start else None,
        "period_end": report.period_end.isoformat() if report.period_end else None,
        "persons": len({r.person_key for r in people}), "rows": len(report.rows),
        "capacity_values": len(report.capacity),
    }


def _relative(path: Path, raw_dir: Path) -> str:
    """Inside the raw folder a file is named as the pipeline names it (its folders may say
    who sent it); elsewhere, as given."""
    try:
        return recorded_name(path.resolve().relative_to(raw_dir.resolve()).as_posix())
    except ValueError:
        return recorded_name(path.as_posix())


def expand(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to check: each file given, and every file in each folder given (searched
    recursively, skipping what the pipeline skips); a path that does not exist is a problem."""
    files, missing = [], []
    for path in paths:
        if path.is_dir():
            files += submitted_files(path)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Problem(
                recorded_name(str(path)), None, None, None, None, None, "error", PATH_NOT_FOUND,
                f"找不到文件或文件夹“{path}”。请检查路径是否写对（含空格的路径请加引号）。"))
    return files, missing


def check(paths: list[Path], raw_dir: Path) -> tuple[list[CheckedFile], list[Problem]]:
    """Every file found under `paths` read and validated as a run would, without the
    judgments that need the rest of the corpus (overlaps with other files); and the paths
    that were not found."""
    files, missing = expand(paths)
    checked = [CheckedFile(path, recorded_name(str(path))) for path in files]
    # Keyed by position too: the same bytes given twice are still two files to report.
    keys = {}
    for position, file in enumerate(checked):
        file.sha256 = sha256_of(file.path)
        keys[f"{position:06d}:{file.sha256}"] = file
    # In worker processes, as in a run: a file that crashes the spreadsheet library costs
    # that file, not the check of the others. Meanwhile this process imports GX, the larger
    # part of a check's time.
    imported = import_gx_meanwhile() if checked else lambda: None
    forms = read_forms([(file.path, _relative(file.path, raw_dir)) for file in checked])
    imported()
    parsed = {}
    for (key, file), form in zip(keys.items(), forms, strict=True):
        file.parsed = form
        parsed[(key, file.name)] = form
    batch, _ = validate(FormBatch.from_parsed(parsed, READER_VERSION, dt.datetime.now()))
    found = problems(batch.issues, {key: file.name for key, file in keys.items()})
    for key, file in keys.items():
        file.problems = found.get(key, [])
    return checked, missing


def problems(issues: pl.DataFrame, names: dict[str, str]) -> dict[str, list[Problem]]:
    """The problems of each file of a batch's issues (by the batch's sha256 key, the file
    named as `names` says), in reading order: file-level first, then by row and column."""
    letters = pl.col("cell").str.extract(r"^([A-Z]+)")
    in_reading_order = issues.sort(
        pl.col("sha256"), pl.col("row_number"), letters.str.len_chars(), letters,
        nulls_last=False, maintain_order=True)
    found: dict[str, list[Problem]] = {}
    for row in in_reading_order.iter_rows(named=True):
        found.setdefault(row["sha256"], []).append(Problem(
            names[row["sha256"]], row["sheet"], row["cell"], row["row_number"],
            row["column_name"], row["value_found"], row["severity"], row["code"],
            row["message"]))
    return found


def summary_lines(checked: list[CheckedFile], missing: list[Problem],
                  annotated: list[tuple[str, Copy]] | None) -> list[str]:
    """What the check found, in a sentence or two, and what to do next."""
    errors = sum(f.errors for f in checked) + len(missing)
    warnings = sum(f.warnings for f in checked)
    passed = sum(1 for f in checked if f.passed)
    counted = f"共检查 {len(checked)} 个文件：{passed} 个通过，{len(checked) - passed} 个有错误"
    if missing:
        counted += f"，{len(missing)} 个路径找不到"
    lines = [f"{counted}；错误 {errors} 条，警告 {warnings} 条。"]
    if not checked and not missing:
        lines.append("没有找到可检查的文件（.xlsx、.xls 或 .csv）。请检查给出的文件夹。")
    elif errors:
        lines.append("下一步：按每条“错误”所指的工作表和单元格改正，再运行一次检查，"
                     "直到没有错误后提交整份文件；“警告”不影响接收，但请核对。")
    elif warnings:
        lines.append("下一步：没有错误，文件可以提交；请先核对每条“警告”，"
                     "并确认上面“通过”各行读到的医院、科室、统计周期和人数无误。")
    else:
        lines.append("下一步：请确认上面“通过”各行读到的医院、科室、统计周期和人数无误，然后提交。")
    if annotated:
        made = [copy.path for _, copy in annotated if copy.path]
        lines.append(f"已写出 {len(made)} 份标出问题的文件副本（红色为错误，黄色为警告，"
                     "第一张工作表“问题清单”可点击跳到单元格）：")
        lines += [f"  {path}" for path in made]
        lines += [f"  未能生成 {name} 的副本：{copy.note}"
                  for name, copy in annotated if copy.path is None]
    elif annotated is None and errors + warnings and checked:
        lines.append("提示：加上 --annotate 文件夹，可得到每个有问题的文件的副本，"
                     "问题单元格已标出。")
    return lines
