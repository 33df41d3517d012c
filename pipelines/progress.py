"""What `bangfu run` shows its operator: a line (or, on a terminal, a progress bar) per stage
with its time and counts, then a summary of the published warehouse and what to look at
first. dbt's and Dagster's own output goes to a log file beside the warehouse instead,
unless --verbose.

Progress comes from Dagster's events, received by a Dagster logger of this run; the screen
is drawn with rich, which draws a live bar on a terminal, plain lines elsewhere, and leaves
out colour and cursor codes when the output is not a terminal (or NO_COLOR is set).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
from dataclasses import dataclass
from typing import IO, Any

import dagster as dg
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from pipelines.settings import Settings


@dataclass(frozen=True)
class Stage:
    step: str  # the Dagster step key
    name: str  # what the operator reads


STAGES = (
    Stage("ingest", "接收文件"),
    Stage("dbt_models", "dbt 构建与测试"),
    Stage("dbt_docs", "模型文档"),
    Stage("published_warehouse", "发布数据仓库"),
    Stage("dashboard_site", "生成看板"),
)
STAGE_NAMES = {stage.step: stage.name for stage in STAGES}
STAGE_WIDTH = max(cell_len(stage.name) for stage in STAGES)

STATUS_NAMES = {
    "accepted": "已接收", "partial": "部分接收", "rejected": "已退回",
    "superseded": "已被替代", "duplicate": "重复", "withdrawn": "已撤回",
}
SEVERITY_NAMES = {"error": "错误", "warning": "警告"}


def _counts(step: str, metadata: dict[str, Any]) -> str:
    """What a stage's metadata says, in a few words."""
    if step == "ingest" and metadata:
        found = (f"找到 {metadata.get('found', metadata['files'])} 个文件"
                 f"（{metadata['distinct_contents']} 份不同内容）")
        if metadata.get("waiting"):
            found += f"，其中 {metadata['waiting']} 个等待稳定"
        if not metadata.get("changed", True):
            return f"{found}，与已发布的数据仓库一致：没有新的、改动的或移走的文件"
        if not metadata.get("files_read"):
            return f"{found}，没有需要读取的新内容"
        return (f"{found}；新内容 {metadata['files_read']} 份已读取：报表 "
                f"{metadata['reports']} 张，数据行 {metadata['rows']} 行，问题 "
                f"{metadata['issues']} 条")
    if step == "dbt_docs" and metadata:
        return "已重新生成" if metadata.get("generated") else "dbt 项目未改动，沿用上次的文档"
    return ""


def _local_time(utc_iso: str) -> str:
    """A UTC time recorded by the scan, as the operator's clock shows it."""
    when = dt.datetime.fromisoformat(utc_iso).replace(tzinfo=dt.UTC).astimezone()
    today = dt.datetime.now().astimezone().date()
    return f"{when:%H:%M:%S}" if when.date() == today else f"{when:%Y-%m-%d %H:%M:%S}"


def waiting_line(scanned: dict[str, Any], settle_seconds: float) -> str | None:
    """The files still settling, when a run reads them, and how to read them now."""
    waiting = scanned.get("waiting", 0)
    if not waiting:
        return None
    return (f"{waiting} 个文件刚复制或修改不到 {settle_seconds:g} 秒，等待稳定后读取："
            f"{_local_time(scanned['settled_at'])} 之后再运行 bangfu run 即可读取；"
            "如确认已复制完成，可运行 bangfu run --settle 0 立即读取。")


@dataclass(frozen=True)
class Published:
    """What a run published, as its steps reported it."""

    warehouse: bool  # the run's warehouse replaced the published one
    site: bool  # the site was built anew from it

    def line(self, failed: bool) -> str:
        if failed and self.warehouse and not self.site:
            return ("数据仓库已更新为本次运行的结果；看板没有生成，仍是上一次的看板"
                    "（下次运行时重新生成）。")
        if failed and not self.warehouse:
            return "已发布的数据仓库和看板没有改变。"
        return (f"发布：数据仓库{'已更新' if self.warehouse else '未改变（沿用上次）'}，"
                f"看板{'已更新' if self.site else '未改变（沿用上次）'}。")


class RunProgress:
    """The run's screen and log file. Use as a context manager around the run, hand
    `logger_defs()`/`logger_config()` to the job, then call `finish`."""

    def __init__(self, settings: Settings, verbose: bool = False, out: IO[str] | None = None):
        self.settings = settings
        self.verbose = verbose
        started = dt.datetime.now()
        self.log_path = (settings.warehouse_dir / "logs"
                         / f"run-{started:%Y%m%d-%H%M%S}.log")
        self._out = out or sys.stdout
        self._saved_fds: list[int] = []
        self._log_file: IO[bytes] | None = None
        self._started = time.monotonic()
        self._stage_started: dict[str, float] = {}
        self._metadata: dict[str, dict[str, Any]] = {}
        self._dbt_done = 0
        self._dbt_tests = 0
        self._failure: str | None = None
        self._succeeded: set[str] = set()
        self.console: Console
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    # The screen and the log file -------------------------------------------------------

    def __enter__(self) -> RunProgress:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if not self.verbose:
            self._out = self._redirect_to_log()
        self.console = Console(file=self._out, highlight=False, soft_wrap=True)
        self.console.print(f"bangfu run：报送文件夹 {self.settings.raw_dir}")
        where = "屏幕" if self.verbose else str(self.log_path)
        self.console.print(f"详细输出（dbt、Dagster）：{where}")
        # With --verbose, Dagster's and dbt's lines scroll by on the screen: no bar among them.
        if self.console.is_terminal and not self.verbose:
            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                "{task.total} 步"), TimeElapsedColumn(), console=self.console, transient=True,
                # What dbt and Dagster write stays in the log, not on the bar's screen.
                redirect_stdout=False, redirect_stderr=False)
            self._bar.start()
            self._task = self._bar.add_task("开始", total=len(STAGES))
        return self

    def _redirect_to_log(self) -> IO[str]:
        """Point this process's stdout and stderr, and so those of dbt and the reader's
        worker processes started from it, at the log file; return the screen."""
        sys.stdout.flush()
        sys.stderr.flush()
        self._log_file = self.log_path.open("ab")
        self._saved_fds = [os.dup(1), os.dup(2)]
        os.dup2(self._log_file.fileno(), 1)
        os.dup2(self._log_file.fileno(), 2)
        # dbt's messages are written as they come; in a file, without colour codes.
        os.environ.setdefault("DBT_USE_COLORS", "false")
        return open(self._saved_fds[0], "w", encoding="utf-8", closefd=False)

    def _restore(self) -> None:
        if not self._saved_fds:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in zip((1, 2), self._saved_fds, strict=True):
            os.dup2(saved, fd)
            os.close(saved)
        self._saved_fds = []
        if self._log_file:
            self._log_file.close()

    def __exit__(self, *exc_info) -> None:
        if self._bar:
            self._bar.stop()
            self._bar = None
        self._out.flush()
        self._restore()

    # Dagster's events -------------------------------------------------------------------

    def logger_defs(self) -> dict[str, dg.LoggerDefinition]:
        progress = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                event = getattr(record, "dagster_meta", {}).get("dagster_event")
                if event is None:
                    return
                try:
                    progress.on_event(event)
                except Exception:  # the progress lines must never fail the run itself
                    self.handleError(record)

        @dg.logger(description="bangfu run's progress on the operator's screen")
        def bangfu_progress(_init_context) -> logging.Logger:
            log = logging.getLogger("bangfu.run.progress")
            log.setLevel(logging.DEBUG)  # Dagster logs its structured events at DEBUG
            log.propagate = False
            log.handlers = [Handler()]
            return log

        return {"bangfu_progress": bangfu_progress}

    def logger_config(self) -> dict[str, Any]:
        """Dagster's own lines go to the console logger: the screen with --verbose, else
        (stderr pointing at it) the log file, where DEBUG detail costs nothing."""
        level = "INFO" if self.verbose else "DEBUG"
        return {"bangfu_progress": {}, "console": {"config": {"log_level": level}}}

    def on_event(self, event: dg.DagsterEvent) -> None:
        step = event.step_key
        kind = event.event_type_value
        if kind == "STEP_START" and step in STAGE_NAMES:
            self._stage_started[step] = time.monotonic()
            self._describe(STAGE_NAMES[step])
        elif kind in ("ASSET_MATERIALIZATION", "ASSET_OBSERVATION"):
            recorded = (event.step_materialization_data.materialization
                        if kind == "ASSET_MATERIALIZATION"
                        else event.asset_observation_data.asset_observation)
            metadata = {k: v.value for k, v in recorded.metadata.items()}
            if step == "dbt_models":
                self._dbt_done += 1
                self._describe(f"{STAGE_NAMES[step]}（已完成 {self._dbt_done} 个模型和种子）")
            elif "changed" in metadata or step != "ingest":  # ingest: the ledger's summary
                self._metadata[step] = metadata
        elif kind == "ASSET_CHECK_EVALUATION" and step == "dbt_models":
            self._dbt_tests += 1
        elif kind == "STEP_OUTPUT" and step in STAGE_NAMES:
            metadata = event.event_specific_data.metadata or {}
            self._metadata.setdefault(step, {}).update({k: v.value for k, v in metadata.items()})
        elif kind == "STEP_SUCCESS" and step in STAGE_NAMES:
            self._succeeded.add(step)
            self._stage_line("✓", step)
        elif kind == "STEP_SKIPPED" and step in STAGE_NAMES:
            self._stage_line("–", step, "跳过：没有新的输入")
        elif kind == "STEP_FAILURE" and step in STAGE_NAMES:
            error = event.step_failure_data.error
            self._failure = error.message.strip().splitlines()[0] if error else "未知错误"
            self._stage_line("✗", step, self._failure)

    def _describe(self, text: str) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=text)

    def _stage_line(self, mark: str, step: str, note: str | None = None) -> None:
        seconds = time.monotonic() - self._stage_started.get(step, self._started)
        if step == "dbt_models" and note is None:
            note = f"构建模型和种子 {self._dbt_done} 个，测试 {self._dbt_tests} 项全部通过"
        note = note if note is not None else _counts(step, self._metadata.get(step, {}))
        name = STAGE_NAMES[step]
        name += " " * (STAGE_WIDTH - cell_len(name))  # a Chinese character is two columns wide
        took = f"{seconds:6.1f} 秒" if step in self._stage_started else " " * 8
        self.console.print(f"  {mark} {name} {took}  {note}".rstrip())
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)

    # The end -----------------------------------------------------------------------------

    def finish(self, success: bool) -> None:
        if self._bar:
            self._bar.stop()
            self._bar = None
        total = time.monotonic() - self._started
        say = self.console.print
        published = self.published()
        if not success:
            say(f"运行失败（{total:.0f} 秒）：{self._failure or '见日志'}")
            say(published.line(failed=True))
            say(f"先看：日志 {self.log_path}（搜索 STEP_FAILURE）")
            return
        for line in summary_lines(self.settings, total, self._metadata.get("ingest", {}),
                                  published):
            say(line)
        say(f"日志：{self.log_path}")

    def published(self) -> Published:
        """What this run's publishing steps did, as they reported it."""
        return Published(
            warehouse=bool(self._metadata.get("published_warehouse", {}).get("published")),
            site="dashboard_site" in self._succeeded)


def summary_lines(settings: Settings, seconds: float, scanned: dict[str, Any],
                  published: Published) -> list[str]:
    """The run in a few lines: what it published; the published warehouse's files by status,
    issues by severity and the commonest problems; the files still settling, and when they
    will be read; where the dashboards are and what to look at first. A run that read
    nothing because every file it found is still settling says so first."""
    from pipelines.issues import catalogue
    from pipelines.warehouse.reading import open_published

    with open_published(settings.location) as reader:
        statuses = dict(reader.rows(
            "select status, count(*) from main.ingest_files group by status"))
        severities = dict(reader.rows(
            "select severity, count(*) from main.ingest_issues group by severity"))
        commonest = reader.rows(
            "select code, count(*) as n from main.ingest_issues where severity = 'error' "
            "group by code order by n desc, code limit 3")
    files = "，".join(f"{STATUS_NAMES.get(s, s)} {statuses[s]}" for s in STATUS_NAMES
                     if statuses.get(s)) or "没有文件"
    issues = "，".join(f"{SEVERITY_NAMES[s]} {severities.get(s, 0)}" for s in SEVERITY_NAMES)
    site = settings.site_dir / "index.html"
    waiting = waiting_line(scanned, settings.settle_seconds)
    lines = [
        f"完成（{seconds:.0f} 秒）。文件 {sum(statuses.values())} 个：{files}。",
        published.line(failed=False),
        f"问题：{issues}（条）。",
        f"看板：{site}",
    ]
    if waiting and scanned.get("waiting") == scanned.get("found"):
        # Nothing was read: every file found is still settling.
        lines[0] = (f"完成（{seconds:.0f} 秒），但还没有读取任何文件：找到的 "
                    f"{scanned['waiting']} 个文件都在等待稳定。")
        return [*lines, f"先看：{waiting}"]
    if waiting:
        lines.append(waiting)
    to_fix = statuses.get("rejected", 0) + statuses.get("partial", 0)
    if to_fix:
        titles = "、".join(f"{catalogue()[code]['title_zh']} {n} 条" for code, n in commonest)
        lines.append(f"先看：{to_fix} 个文件需要科室改正（最常见：{titles}），退回清单 "
                     f"{settings.site_dir / 'feedback' / 'index.html'}，"
                     "每个文件附标出问题的副本（无法标注的写明原因）。")
    elif severities.get("warning"):
        lines.append(f"先看：数据质量页 {settings.site_dir / 'quality.html'} 的警告。")
    else:
        lines.append("先看：所有文件均已接收，没有问题；可直接查看看板。")
    return lines

