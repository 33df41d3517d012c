"""bangfu's command line: `run` the whole pipeline through Dagster, `check` files without
touching the warehouse, write the blank `template` forms, write the `sample` corpus, write the
year-end `report` annexes, `export` the marts to Excel and Parquet.

Help, errors and what submitters read are in Chinese first, with English beside them."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import NoReturn

from pipelines.settings import REPO_ROOT, Settings

DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster"

# Exit codes: 0 done (clean), 1 errors found or the run failed, 2 the command was not right.
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

SETTINGS_ENV = """\
环境变量 / environment variables:
  BANGFU_RAW_DIR     报送文件所在文件夹 / folder of submitted files (默认 default: raw/)
  BANGFU_WAREHOUSE   数据仓库：DuckDB 文件或 postgresql://用户@主机:端口/数据库 / warehouse:
                     a DuckDB file or a PostgreSQL URL (默认 default: warehouse/bangfu.duckdb)
  BANGFU_FILES_DIR   仓库为 PostgreSQL 时，归档等本地文件的文件夹 / with a PostgreSQL
                     warehouse, the folder of the archive and logs (默认 default: warehouse/)
  BANGFU_SITE_DIR    看板网站文件夹 / dashboard site folder (默认 default: dashboards/site/)
  BANGFU_REGISTRY    登记表（医院、帮扶关系、科室）/ the registry workbook
                     (默认 default: registry/登记表.xlsx；
                     不存在时用内置登记表 / the built-in one when absent)"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout, with the usage line headed in Chinese too."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法 usage: " if prefix is None else prefix)


# argparse's own messages (Python 3.11–3.13), said again in Chinese and in plainer English.
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (.+)", "缺少必填参数 {0} / missing {0}"),
    (r"unrecognized arguments: (.+)", "无法识别的参数 {0} / unknown arguments {0}"),
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)",
     "{0} 的值 {1} 无效，可选 {2} / {0}: {1} is not one of {2}"),
    (r"argument (\S+): expected one argument", "{0} 后面需要一个值 / {0} needs a value"),
    (r"argument (\S+): not allowed with argument (\S+)",
     "{0} 与 {1} 只能给出一个 / {0} and {1} exclude each other"),
]


class ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose headings and errors are in Chinese and English."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数 arguments"
        self._optionals.title = "选项 options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="显示本帮助并退出 / show this help and exit")

    def error(self, message: str) -> NoReturn:
        for pattern, chinese in _ARGPARSE_MESSAGES:
            if match := re.fullmatch(pattern, message):
                message = chinese.format(*match.groups())
                break
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：错误：{message}\n"
                              f"用 {self.prog} --help 查看说明 / see {self.prog} --help\n")


def _dagster_instance():
    """The instance `make dagster` (dagster dev) shows, so runs made here appear there."""
    from dagster import DagsterInstance

    _keep_run_history_open()
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(DEFAULT_DAGSTER_HOME)))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return DagsterInstance.get()


@cache
def _keep_run_history_open() -> None:
    """Dagster's SQLite run history opens, commits and closes a connection for every event
    of a run (hundreds). Closing the last connection to a WAL database checkpoints it, and
    each commit is synced: seconds of fsyncs per run. For this process, each database file
    stays open on one more connection once it is in WAL mode, so that SQLite checkpoints as
    it usually does, and commits are not synced one by one (synchronous=NORMAL: in WAL mode
    the file is never corrupted; a power cut may lose the last events of the history, never
    the warehouse)."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    kept: dict[str, sqlite3.Connection] = {}
    in_wal: set[str] = set()

    @event.listens_for(Engine, "connect")
    def keep_open(connection, _record) -> None:
        if not isinstance(connection, sqlite3.Connection):
            return
        connection.execute("PRAGMA synchronous=NORMAL")
        for _, schema, file in connection.execute("PRAGMA database_list").fetchall():
            if schema != "main" or not file or file in in_wal:
                continue
            # A new database (a run's own) is made WAL after its first connection: the kept
            # one takes part once it has read the file in that mode.
            keeper = kept.setdefault(file, sqlite3.connect(file, check_same_thread=False))
            keeper.execute("select count(*) from sqlite_master").fetchall()
            if keeper.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                in_wal.add(file)


def run_pipeline(instance=None, progress=None, accept_withdrawals: bool = False,
                 look_first: bool = True):
    """One complete run of every asset, in this process, through Dagster; the run's result.
    With a `progress` (pipelines.progress.RunProgress), Dagster's events go to it instead of
    to the console. `accept_withdrawals` is the operator's word that the run may withdraw
    more than half of the present files. When a look at the folder (`look_first`) finds
    nothing new, the run is the scan job alone, which starts without loading dbt."""
    from pipelines.defs.ingest import SCAN_JOB, folder_unchanged

    if look_first and folder_unchanged(Settings.from_env()):
        from pipelines.defs.scan import scan_defs

        job = scan_defs.resolve_job_def(SCAN_JOB)
    else:
        from pipelines.definitions import defs

        job = defs.resolve_job_def("bangfu_pipeline")
    if progress is None:
        loggers = {"console": {"config": {"log_level": "INFO"}}}
    else:
        job = job.with_logger_defs({**job.loggers, **progress.logger_defs()})
        loggers = progress.logger_config()
    return job.execute_in_process(
        instance=instance or _dagster_instance(),
        run_config={
            "loggers": loggers,
            "ops": {"ingest": {"config": {"accept_withdrawals": accept_withdrawals}}},
        },
        raise_on_error=False,
    )


def operator_lines(result) -> list[str]:
    """The one-line messages of the OperatorErrors that stopped a run (pipelines/errors.py),
    found in the error chains of its failure events."""
    lines = []
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        while error is not None:
            if error.cls_name == "OperatorError":
                lines.append(error.message.split(": ", 1)[-1].strip())
                break
            error = error.cause or error.context
    return list(dict.fromkeys(lines))


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.defs.ingest import check_registry_still_there
    from pipelines.errors import OperatorError
    from pipelines.progress import RunProgress
    from pipelines.registry.load import in_force
    from pipelines.warehouse.manifest import check_raw_folder

    if args.settle is not None:
        # The operator's word for this run: the copy is finished. Read where every step
        # reads its settings (pipelines/settings.py).
        os.environ["BANGFU_SETTLE_SECONDS"] = f"{args.settle:g}"
    settings = Settings.from_env()
    try:
        # Before Dagster starts: the same checks the run makes, answered in a moment.
        check_raw_folder(settings.raw_dir)
        check_registry_still_there(settings, in_force())
    except OperatorError as refusal:
        print(f"bangfu: {refusal.line}", file=sys.stderr)
        return EXIT_USAGE
    with RunProgress(settings, verbose=args.verbose) as progress:
        result = run_pipeline(progress=progress, accept_withdrawals=args.accept_withdrawals)
        refusals = [] if result.success else operator_lines(result)
        if not refusals:
            progress.finish(result.success)
    for line in refusals:
        print(f"bangfu: {line}", file=sys.stderr)
    if refusals:
        return EXIT_USAGE
    return EXIT_OK if result.success else EXIT_ERRORS


def cmd_check(args: argparse.Namespace) -> int:
    from pipelines.checking import check, summary_lines

    checked, missing = check([Path(f) for f in args.paths], Settings.from_env().raw_dir)
    annotated = None
    if args.annotate:
        from pipelines.authoring.annotate import annotate_checked

        annotated = annotate_checked(checked, Path(args.annotate))
    failed = bool(missing) or any(f.errors for f in checked)
    if args.json:
        json.dump({
            "files": [f.as_json() for f in checked],
            "not_found": [p.file for p in missing],
            "annotated": [str(copy.path) for _, copy in annotated or [] if copy.path],
            "not_annotated": [{"file": name, "reason": copy.note}
                              for name, copy in annotated or [] if copy.path is None],
            "errors": sum(f.errors for f in checked) + len(missing),
            "warnings": sum(f.warnings for f in checked),
        }, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_ERRORS if failed else EXIT_OK
    for problem in missing:
        print(problem.line())
    for file in checked:
        for problem in file.problems:
            print(problem.line())
        if file.passed:
            for understood in file.understood():
                print(f"通过 · {file.name} · {understood}")
    print()
    for line in summary_lines(checked, missing, annotated):
        print(line)
    return EXIT_ERRORS if failed else EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from pipelines.authoring.sample import write_sample_corpus

    dest = Path(args.dest) if args.dest else Settings.from_env().raw_dir / "sample"
    written = write_sample_corpus(dest)
    print(f"bangfu：已写出 {len(written)} 个示例文件到 {dest}（wrote the sample corpus）")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from pipelines.authoring.template import parse_pair, write_templates

    pair = None
    if args.pair:
        try:
            pair = parse_pair(args.pair)
        except ValueError as exc:
            print(f"bangfu template：错误：{exc}", file=sys.stderr)
            return EXIT_USAGE
    for path in write_templates(Path(args.dest), pair=pair):
        print(f"bangfu：已写出 {path}（wrote）")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from dashboards.marts import Pair
    from dashboards.report_documents import ReportError, write_reports
    from pipelines.authoring.template import parse_pair

    pair = None
    if args.pair:
        try:
            pair = Pair(*parse_pair(args.pair))
        except ValueError as exc:
            print(f"bangfu report：错误：{exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        written = write_reports(Settings.from_env().location, Path(args.out), args.year,
                                pair)
    except ReportError as error:
        print(f"bangfu report：错误：{error}", file=sys.stderr)
        return EXIT_ERRORS
    for report in written:
        for path in report.paths:
            print(f"bangfu：已写出 {path}（wrote）")
        if report.warning:
            print(f"bangfu report：警告：{report.pair.label}：{report.warning}", file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from pipelines.authoring.export import export_marts
    from pipelines.warehouse.reading import published_exists

    location = Settings.from_env().location
    if not published_exists(location):
        print(f"bangfu export：错误：没有数据仓库 {location.describe()}，请先运行 bangfu run / "
              "no warehouse yet: run `bangfu run` first", file=sys.stderr)
        return EXIT_ERRORS
    export = export_marts(location, Path(args.out))
    print(f"bangfu：已写出 {export.workbook}（{len(export.rows)} 张表，"
          f"{sum(export.rows.values())} 行）和 {len(export.parquet)} 个 Parquet 文件（wrote）")
    return EXIT_OK


def cmd_registry_init(args: argparse.Namespace) -> int:
    from pipelines.errors import OperatorError
    from pipelines.registry.load import in_force
    from pipelines.registry.write import write_registry

    path = Path(args.path) if args.path else Settings.from_env().registry
    if path.exists():
        print(f"bangfu registry init：错误：{path} 已存在，未改动；要重新生成请先移走它 / "
              "the file exists, left as it is", file=sys.stderr)
        return EXIT_USAGE
    try:
        registry = in_force()
    except OperatorError as refusal:
        print(f"bangfu registry init：错误：{refusal.line}", file=sys.stderr)
        return EXIT_ERRORS
    write_registry(registry, path)
    print(f"bangfu：已写出登记表 {path}（来自{registry.source}：{len(registry.hospitals)} 家医院，"
          f"{len(registry.pairs)} 对帮扶关系，{len(registry.departments)} 个科室）（wrote）")
    return EXIT_OK


def cmd_registry_check(args: argparse.Namespace) -> int:
    from pipelines.registry.load import load

    path = Path(args.path) if args.path else Settings.from_env().registry
    if not path.is_file():
        print(f"bangfu registry check：错误：没有登记表 {path}（当前使用内置登记表）；"
              "可用 bangfu registry init 写出 / no registry workbook there", file=sys.stderr)
        return EXIT_USAGE
    loaded = load(path)
    for problem in loaded.problems:
        print(problem.line())
    errors, warnings = len(loaded.errors), len(loaded.problems) - len(loaded.errors)
    registry = loaded.registry
    if errors:
        print(f"\n{path}：{errors} 处错误，{warnings} 处警告；有错误的登记表不会被使用"
              "（bangfu run 拒绝运行）")
        return EXIT_ERRORS
    print(f"{'' if not warnings else chr(10)}{path}：没有错误（{warnings} 处警告）："
          f"{len(registry.hospitals)} 家医院，{len(registry.pairs)} 对帮扶关系，"
          f"{len(registry.departments)} 个科室")
    return EXIT_OK


def _add_registry(commands) -> None:
    registry = commands.add_parser(
        "registry", help="登记表：医院、帮扶关系、科室 / the registry workbook",
        description="登记表是运维人员维护的 Excel 工作簿（BANGFU_REGISTRY，默认 "
                    "registry/登记表.xlsx）：医院、医院别名、帮扶关系、科室、科室别名、应报科室、"
                    "目标、工作计划。每次 bangfu run 都载入它；改动后下一次运行即对全部已报送"
                    "文件生效，无需重新报送。没有登记表文件时使用内置登记表（两对帮扶关系）。\n"
                    "The registry workbook the operator keeps; every run loads it.",
        epilog="示例 example:\n  bangfu registry init\n  bangfu registry check\n"
               "  bangfu registry check /data/登记表.xlsx\n\n"
               "环境变量 environment variables:\n"
               "  BANGFU_REGISTRY    登记表路径 / the registry workbook "
               "(默认 default: registry/登记表.xlsx)")
    actions = registry.add_subparsers(dest="action", required=True, metavar="ACTION",
                                      title="操作 actions")
    init = actions.add_parser(
        "init", help="按当前生效的登记表写出工作簿 / write the workbook from the registry in force",
        description="按当前生效的登记表（没有登记表文件时为内置登记表）写出登记表工作簿，"
                    "每张工作表第 1 行是表头。文件已存在时不覆盖。\n"
                    "Write the registry workbook from the registry in force; never overwrites.",
        epilog="退出码 exit status: 0 已写出 written; 1 当前登记表有错误 the registry in force "
               "has errors; 2 文件已存在或命令有误 the file exists, or usage error")
    init.add_argument("path", nargs="?", metavar="PATH",
                      help="写入的工作簿（默认 $BANGFU_REGISTRY） / the workbook to write")
    init.set_defaults(handler=cmd_registry_init)
    check = actions.add_parser(
        "check", help="检查登记表 / check a registry workbook",
        description="检查登记表工作簿：每个问题一行，写明 错误/警告、工作表、单元格和改法。"
                    "有错误的登记表不会被使用（bangfu run 拒绝运行，已发布的数据不变）。\n"
                    "Check a registry workbook: one line per problem (错误/警告, sheet, cell, "
                    "message).",
        epilog="退出码 exit status: 0 没有错误 clean (警告 warnings allowed); 1 有错误 errors; "
               "2 文件不存在或命令有误 no such file, or usage error")
    check.add_argument("path", nargs="?", metavar="PATH",
                       help="要检查的工作簿（默认 $BANGFU_REGISTRY） / the workbook to check")
    check.set_defaults(handler=cmd_registry_check)


def cmd_serve(args: argparse.Namespace) -> int:
    from portal.server import serve

    try:
        serve(args.host, args.port)
    except OSError as error:  # the port is taken, or the address is not this machine's
        print(f"bangfu serve：错误：无法在 {args.host}:{args.port} 上启动（{error}）/ "
              "cannot listen there", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_user_add(args: argparse.Namespace) -> int:
    from portal.server import migrate, read_password, setup_django

    setup_django()
    from portal.accounts import AccountError, add_user

    migrate()
    try:
        added = add_user(args.username, args.role, read_password(), hospital=args.hospital,
                         province=args.province, department=args.department)
    except (AccountError, ValueError) as error:
        print(f"bangfu user add：错误：{error}", file=sys.stderr)
        return EXIT_USAGE
    where = added.hospital or added.province or "全部帮扶关系"
    print(f"bangfu：已{'创建' if added.created else '更新'}账号 {added.user.username}"
          f"（{args.role}，{where}）/ account {'created' if added.created else 'updated'}")
    return EXIT_OK


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"“{text}”不是秒数（0 或正数） / not a number of seconds")
    return seconds


def _add_run(commands) -> None:
    run = commands.add_parser(
        "run", help="运行整条流水线一次 / run the whole pipeline once",
        description="通过 Dagster 运行整条流水线一次：查找并归档报送文件、读取、校验、入库、"
                    "dbt 构建与测试、发布数据仓库、生成看板。屏幕上只显示进度和总结；dbt 和 "
                    "Dagster 的详细输出写入数据仓库旁的日志文件，路径在结束时显示。\n"
                    "Run the whole pipeline once through Dagster (find and archive files, read, "
                    "validate, load, dbt build and test, publish, dashboards). The screen shows "
                    "progress and a summary; dbt's and Dagster's detail go to a log file beside "
                    "the warehouse, whose path is printed.",
        epilog="示例 example:\n  bangfu run\n  BANGFU_RAW_DIR=/data/forms bangfu run --verbose\n"
               "  bangfu run --settle 0      文件已复制完成，立即读取 / the copy is finished\n\n"
               f"{SETTINGS_ENV}\n"
               "  DAGSTER_HOME       Dagster 运行记录 / Dagster's run history "
               "(默认 default: .dagster/)\n"
               "  NO_COLOR           设置后不使用颜色 / no colours when set\n\n"
               "退出码 exit status: 0 运行成功 run succeeded; 1 运行失败，总结中写明已发布的"
               "数据是否改变（在发布之后失败时，数据仓库已更新、看板仍是上一次的） "
               "run failed, the summary says "
               "what was published (after a failure past publishing: the warehouse is new, the "
               "site the previous one); 2 命令有误或拒绝运行（报送文件夹"
               "不存在、不可读，登记表有错误或不见了，或将撤回一半以上的文件），已发布的数据不变 "
               "usage error, or the run refused (raw folder missing or unreadable, the "
               "registry has errors or its workbook is gone, or most files would be "
               "withdrawn), nothing published touched")
    run.add_argument("--accept-withdrawals", action="store_true",
                     help="允许本次运行撤回一半以上的现有文件（例如报送文件夹整体搬迁后） / "
                          "let this run withdraw more than half of the present files")
    run.add_argument("--settle", type=_seconds, metavar="SECONDS",
                     help="本次运行中，文件改动后须稳定多少秒才读取（默认 60，即 "
                          "BANGFU_SETTLE_SECONDS）；确认文件已复制完成时用 --settle 0 立即读取 / "
                          "how long a file must be unchanged before this run reads it "
                          "(default 60, BANGFU_SETTLE_SECONDS); --settle 0 when the copy is "
                          "known to be finished")
    run.add_argument("-v", "--verbose", action="store_true",
                     help="在屏幕上显示 dbt 和 Dagster 的全部输出 / "
                          "show dbt's and Dagster's full output on screen")
    run.set_defaults(handler=cmd_run)


def _add_check(commands) -> None:
    check = commands.add_parser(
        "check", help="检查报送文件，不改动数据仓库 / check files, touch nothing",
        description="按流水线的规则读取并校验文件（文件夹会逐层查找其中所有文件），不写入数据"
                    "仓库。每个问题一行，以“错误”或“警告”开头，写明文件、工作表、单元格和改法；"
                    "没有错误的文件列出读到的表格类型、医院、科室、统计周期、人数和行数，请核对。"
                    "需要对照其他文件的判断（统计周期与其他报表重叠、数值超出本科室以往范围）"
                    "在运行 bangfu run 之后才出现在退回清单中。\n"
                    "Read and validate files as the pipeline would (folders are searched "
                    "recursively), writing nothing to the warehouse. One line per problem, "
                    "starting with 错误 (error) or 警告 (warning); for each file that passed, "
                    "what was understood of it. Judgments that need the other files (overlapping "
                    "periods, a department's usual range) appear after `bangfu run`.",
        epilog="示例 example:\n"
               "  bangfu check 心内科_2022年3月.xlsx\n"
               "  bangfu check 报送/2022年/ --annotate 退回/\n"
               "  bangfu check 统计表.xls --json > 结果.json\n\n"
               "环境变量 environment variables:\n"
               "  BANGFU_RAW_DIR     文件在此文件夹内时，按其中的路径（医院、科室文件夹）识别 / "
               "files inside it are named by their path there (default: raw/)\n\n"
               "退出码 exit status: 0 没有错误 no errors (警告 warnings allowed); "
               "1 有错误或路径不存在 errors or a path not found; 2 命令有误 usage error")
    check.add_argument("paths", nargs="+", metavar="PATH",
                       help="要检查的文件（.xlsx .xls .csv）或文件夹 / files or folders to check")
    check.add_argument("--annotate", metavar="DIR",
                       help="把每个有问题的文件的副本写到此文件夹：问题单元格标色并加批注，"
                            "第一张工作表“问题清单”可点击跳转 / write to DIR a copy of each "
                            "file with problems, faulty cells marked and commented")
    check.add_argument("--json", action="store_true",
                       help="以 JSON 输出结果，供程序读取 / print the result as JSON")
    check.set_defaults(handler=cmd_check)


def _add_template(commands) -> None:
    template = commands.add_parser(
        "template", help="写出空白模板（带下拉选项和保护） / write the blank forms",
        description="写出空白的工作统计表和能力指标表（Excel）：下拉选择医院和科室（受援单位"
                    "随支援单位变化），只能填写有效的数字和日期，除填写栏外工作表受保护。\n"
                    "Write the blank statistics and capacity forms (Excel) with dependent "
                    "dropdowns, validated cells and sheet protection outside the input cells.",
        epilog="示例 example:\n  bangfu template\n"
               "  bangfu template 模板/ --pair 临夏州人民医院/和政县人民医院\n\n"
               "不读取环境变量 / reads no environment variables.")
    template.add_argument("dest", nargs="?", default="templates",
                          help="写入的文件夹（默认 templates） / folder (default templates)")
    template.add_argument("--pair", metavar="SUPPORTING/RECIPIENT",
                          help="预先填好支援单位和受援单位（名册中的名称或简称） / "
                               "pre-fill the supporting and recipient hospitals")
    template.set_defaults(handler=cmd_template)


def _add_sample(commands) -> None:
    sample = commands.add_parser(
        "sample", help="写出示例报送文件 / write the sample corpus",
        description="写出示例报送文件（两对帮扶关系，2018–2022 年），用于试运行。\n"
                    "Write the sample corpus (two supporting → recipient pairs, 2018–2022).",
        epilog="示例 example:\n  bangfu sample\n  bangfu sample /tmp/示例\n\n"
               "环境变量 environment variables:\n"
               "  BANGFU_RAW_DIR     未给出文件夹时写入其下的 sample/ / "
               "without DEST, writes into its sample/ (default: raw/)")
    sample.add_argument("dest", nargs="?",
                        help="写入的文件夹（默认 $BANGFU_RAW_DIR/sample） / folder to write into")
    sample.set_defaults(handler=cmd_sample)


def _add_report(commands) -> None:
    report = commands.add_parser(
        "report", help="写出年终书面汇报附件 / write the year-end report annexes",
        description="从已发布的数据仓库写出每对帮扶关系某一年的年终书面汇报附件：A4 版式的 PDF "
                    "和 Word 文档（封面含编制、审核栏，目录，页码，趋势图）以及 Excel 工作簿；"
                    "文件名含受援医院和年份。内容：帮扶工作量、受援医院能力指标、目标达成、"
                    "工作计划执行、数据质量说明。图表由 /usr/bin/chromium 绘制。\n"
                    "Write each pair's year-end report annex for YEAR from the published "
                    "warehouse: a PDF and a Word document laid out for A4 (cover with sign-off "
                    "lines, contents, page numbers, trend charts drawn by /usr/bin/chromium) and "
                    "an Excel workbook, named with the recipient hospital and the year.",
        epilog="示例 example:\n  bangfu report --year 2022\n"
               "  bangfu report --year 2022 --pair 临夏州人民医院/和政县人民医院 --out 汇报/\n\n"
               "环境变量 environment variables:\n"
               "  BANGFU_WAREHOUSE   读取的数据仓库 / the warehouse read "
               "(默认 default: warehouse/bangfu.duckdb)\n\n"
               "退出码 exit status: 0 已写出 written; 1 无法写出（如数据仓库不存在、该年没有数据）"
               "could not write (e.g. no warehouse, no data for the year); 2 命令有误（如 --pair "
               "不是已登记的帮扶关系） usage error (e.g. --pair not a registered pair)")
    report.add_argument("--year", type=int, required=True,
                        help="汇报的年份，如 2022 / the year reported on")
    report.add_argument("--pair", metavar="SUPPORTING/RECIPIENT",
                        help="只写这一对帮扶关系（名册中的名称或简称） / one pair only")
    report.add_argument("--out", default="reports",
                        help="写入的文件夹（默认 reports） / folder (default reports)")
    report.set_defaults(handler=cmd_report)


def _add_export(commands) -> None:
    export = commands.add_parser(
        "export", help="把全部分析表导出为 Excel 和 Parquet / export every mart",
        description="把已发布数据仓库的每张分析表（mart）写入一个 Excel 工作簿（每表一张工作表，"
                    "中文表头，另有“说明”工作表解释每一列），并各写一个 Parquet 文件。\n"
                    "Write every mart of the published warehouse to one Excel workbook (a sheet "
                    "per mart, Chinese headers, a 说明 sheet describing each column) and to a "
                    "Parquet file per mart.",
        epilog="示例 example:\n  bangfu export\n  bangfu export --out 导出/\n\n"
               "环境变量 environment variables:\n"
               "  BANGFU_WAREHOUSE   读取的数据仓库 / the warehouse read "
               "(默认 default: warehouse/bangfu.duckdb)\n\n"
               "退出码 exit status: 0 已写出 written; 1 没有数据仓库 no warehouse; "
               "2 命令有误 usage error")
    export.add_argument("--out", default="exports",
                        help="写入的文件夹（默认 exports） / folder (default exports)")
    export.set_defaults(handler=cmd_export)


def _add_serve(commands) -> None:
    serve = commands.add_parser(
        "serve", help="启动门户网站 / serve the portal",
        description="启动门户：各医院账号登录后只能看到本院的帮扶关系，上传统计表并立即看到检查"
                    "结果，审核报表。先更新门户自己的数据表，再由 waitress 提供服务。\n"
                    "Serve the portal (accounts, per-hospital scopes, uploads with instant "
                    "checking, approvals) with waitress, after migrating its tables.",
        epilog="示例 example:\n  bangfu serve\n  bangfu serve --host 0.0.0.0 --port 8080\n\n"
               f"{SETTINGS_ENV}\n"
               "  BANGFU_PORTAL_DIR  门户数据（账号库、上传记录）/ the portal's folder "
               "(默认 default: 数据仓库旁的 portal/)\n"
               "  BANGFU_PORTAL_HTTPS=1, BANGFU_TRUSTED_PROXY, BANGFU_ALLOWED_HOSTS  "
               "反向代理之后运行，见 docs/deploy.md / behind a reverse proxy\n\n"
               "退出码 exit status: 0 正常停止 stopped; 1 无法启动 could not start; "
               "2 命令有误 usage error")
    serve.add_argument("--host", default="127.0.0.1",
                       help="监听地址（默认 127.0.0.1，仅本机） / address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000） / port")
    serve.set_defaults(handler=cmd_serve)


def _add_user(commands) -> None:
    user = commands.add_parser(
        "user", help="管理门户账号 / portal accounts",
        description="管理门户账号 / manage portal accounts.")
    actions = user.add_subparsers(dest="action", required=True, metavar="ACTION",
                                  title="操作 actions")
    add = actions.add_parser(
        "add", help="创建或更新账号 / create or update an account",
        description="创建或更新门户账号，密码从标准输入读取。角色：admin 管理员（全部帮扶关系）、"
                    "viewer 查看、submitter 报送、reviewer 审核（支援医院医务科）；除 admin 外"
                    "需给出所属医院（名称或简称），viewer 也可给出省份（看到受援医院在该省的全部"
                    "帮扶关系）。\nCreate or update a portal account; the password is read from "
                    "standard input.",
        epilog="示例 example:\n"
               "  echo '一个足够长的密码' | bangfu user add hezheng --role submitter "
               "--hospital 和政县人民医院 --department 医务科\n"
               "  bangfu user add gansu --role viewer --province 甘肃省\n\n"
               "退出码 exit status: 0 已保存 saved; 2 参数有误 usage error")
    add.add_argument("username", metavar="USERNAME", help="用户名 / user name")
    add.add_argument("--role", required=True, choices=["admin", "viewer", "submitter", "reviewer"],
                     help="角色 / role")
    where = add.add_mutually_exclusive_group()
    where.add_argument("--hospital", metavar="NAME", help="所属医院（名称或简称） / hospital")
    where.add_argument("--province", metavar="NAME", help="省份（仅 viewer） / province")
    add.add_argument("--department", metavar="NAME", help="科室 / department")
    add.set_defaults(handler=cmd_user_add)


def cmd_warehouse_grant(args: argparse.Namespace) -> int:
    from pipelines.warehouse import access, postgres

    location = Settings.from_env().location
    if not location.is_server:
        print("bangfu warehouse grant：错误：只有 PostgreSQL 数据仓库（BANGFU_WAREHOUSE="
              "postgresql://…）有数据库角色；DuckDB 文件由文件权限控制 / roles exist on a "
              "PostgreSQL warehouse only", file=sys.stderr)
        return EXIT_USAGE
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    with postgres.connect(location) as con:
        access.grant_reader(con, args.role, args.hospital, password)
    scope = f"医院 {args.hospital} 的帮扶关系" if args.hospital else "全部数据"
    print(f"bangfu：角色 {args.role} 可只读 {location.describe()} 的 main 模式（{scope}）"
          "（granted）")
    return EXIT_OK


def _add_warehouse(commands) -> None:
    warehouse = commands.add_parser(
        "warehouse", help="PostgreSQL 数据仓库的只读角色 / read-only roles on a PostgreSQL "
        "warehouse",
        description="管理 PostgreSQL 数据仓库的访问。\nAccess to a PostgreSQL warehouse.")
    actions = warehouse.add_subparsers(dest="action", required=True, metavar="ACTION",
                                       title="操作 actions")
    grant = actions.add_parser(
        "grant", help="创建或更新只读角色 / create or update a read-only role",
        description="创建（或更新）一个可登录的只读角色，供分析人员和 BI 工具（FineBI、Superset、"
                    "Excel ODBC）连接：只能读 main 模式，不能写；给出 --hospital 时，行级安全"
                    "只让它读到该医院（作为支援方或受援方）的帮扶关系的行，没有医院列的表不可读。"
                    "每次发布后自动重新授权。\n"
                    "Create (or update) a login role that reads schema main only; with "
                    "--hospital, row-level security limits it to the pairs of that hospital.",
        epilog="示例 example:\n  bangfu warehouse grant fenxi\n"
               "  echo 口令 | bangfu warehouse grant hezheng_bi --hospital 和政县人民医院 "
               "--password-stdin\n\n"
               "环境变量 environment variables:\n"
               "  BANGFU_WAREHOUSE   postgresql://用户@主机:端口/数据库（需有建角色的权限）")
    grant.add_argument("role", help="角色名 / role name")
    grant.add_argument("--hospital", help="只读该医院的帮扶关系 / scope to this hospital's pairs")
    grant.add_argument("--password-stdin", action="store_true",
                       help="从标准输入读口令 / read the role's password from standard input")
    grant.set_defaults(handler=cmd_warehouse_grant)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="bangfu",
        description="帮扶统计：把各科室报送的统计表读入数据仓库，生成五年趋势看板。\n"
                    "bangfu: reads the counterpart-support statistics forms into a warehouse "
                    "and builds five-year trend dashboards.",
        epilog="示例 example:\n  bangfu check 心内科_2022年3月.xlsx\n  bangfu run\n"
               "  bangfu COMMAND --help    查看某个命令的说明 / help on one command\n\n"
               f"{SETTINGS_ENV}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     title="命令 commands",
                                     help="要运行的命令 / the command to run")
    for add in (_add_run, _add_check, _add_template, _add_sample, _add_report, _add_export,
                _add_warehouse, _add_registry, _add_serve, _add_user):
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error already explained
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    from pipelines.errors import OperatorError

    try:
        return args.handler(args)
    except OperatorError as refusal:  # a wrong setting, a server, a registry with errors
        print(f"bangfu: {refusal.line}", file=sys.stderr)
        return EXIT_USAGE


def run_command() -> NoReturn:
    """The `bangfu` command: main(), then an exit without the interpreter's teardown. By then
    every file is closed and every line written; collecting the modules of Dagster, dbt and
    Great Expectations one by one would only add seconds to every run."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    run_command()
