"""bangfu's command line: `run` the whole pipeline through Dagster, `check` files without
touching the warehouse, write the blank `template` forms, write the `sample` corpus, `export`
the marts to Excel and Parquet."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipelines.settings import REPO_ROOT, Settings

DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster"


def _dagster_instance():
    """The instance `make dagster` (dagster dev) shows, so runs made here appear there."""
    from dagster import DagsterInstance

    home = Path(os.environ.setdefault("DAGSTER_HOME", str(DEFAULT_DAGSTER_HOME)))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return DagsterInstance.get()


def run_pipeline(instance=None):
    """One complete run of every asset, in this process, through Dagster; the run's result."""
    from pipelines.defs import defs

    job = defs.resolve_job_def("bangfu_pipeline")
    return job.execute_in_process(
        instance=instance or _dagster_instance(),
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        raise_on_error=False,
    )


def _summary(settings: Settings) -> str:
    import duckdb

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        statuses = con.execute(
            "select status, count(*) from ingest_files group by status order by status"
        ).fetchall()
        errors, warnings = con.execute(
            "select count(*) filter (where severity = 'error'), "
            "count(*) filter (where severity = 'warning') from ingest_issues"
        ).fetchone()
    files = ", ".join(f"{n} {status}" for status, n in statuses) or "no files"
    return f"files: {files}; issues: {errors} errors, {warnings} warnings"


def cmd_run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    print(f"bangfu: raw folder {settings.raw_dir}", flush=True)
    if not run_pipeline().success:
        print("bangfu: the run failed; the published warehouse and site are unchanged",
              file=sys.stderr)
        return 1
    print(f"bangfu: {_summary(settings)}")
    print(f"bangfu: warehouse {settings.warehouse}")
    print(f"bangfu: dashboards {settings.site_dir / 'index.html'}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from pipelines.checking import check_files

    problems = check_files([Path(f) for f in args.files], Settings.from_env().raw_dir)
    for problem in problems:
        print(problem.line())
    errors = sum(1 for p in problems if p.severity == "error")
    print(f"{len(args.files)} file(s) checked: {errors} error(s), "
          f"{len(problems) - errors} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def cmd_sample(args: argparse.Namespace) -> int:
    from pipelines.authoring.sample import write_sample_corpus

    dest = Path(args.dest) if args.dest else Settings.from_env().raw_dir / "sample"
    written = write_sample_corpus(dest)
    print(f"bangfu: wrote {len(written)} sample files to {dest}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from pipelines.authoring.template import write_templates

    for path in write_templates(Path(args.dest)):
        print(f"bangfu: wrote {path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipelines.authoring.export import export_marts

    settings = Settings.from_env()
    if not settings.warehouse.exists():
        print(f"bangfu: no warehouse at {settings.warehouse}; run `bangfu run` first",
              file=sys.stderr)
        return 1
    export = export_marts(settings.warehouse, Path(args.out))
    print(f"bangfu: wrote {export.workbook} ({len(export.rows)} marts, "
          f"{sum(export.rows.values())} rows) and {len(export.parquet)} Parquet files")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bangfu", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the whole pipeline once, through Dagster").set_defaults(
        handler=cmd_run)
    check = commands.add_parser("check", help="read and validate files; touch nothing")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(handler=cmd_check)
    template = commands.add_parser("template", help="write the blank forms, with data validation")
    template.add_argument("dest", nargs="?", default="templates", help="folder (default templates)")
    template.set_defaults(handler=cmd_template)
    sample = commands.add_parser("sample", help="write the sample corpus (default raw/sample)")
    sample.add_argument("dest", nargs="?", help="folder to write into")
    sample.set_defaults(handler=cmd_sample)
    export = commands.add_parser("export", help="write every mart to Excel and Parquet")
    export.add_argument("--out", default="exports", help="folder (default exports)")
    export.set_defaults(handler=cmd_export)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
