"""Build a throw-away warehouse for the dbt tests: the raw schema the loader writes, rows
written by hand through `RawLayer`, then one `dbt build` into it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import duckdb
import pytest

from pipelines.forms.text import column_letter, fold
from pipelines.forms.values import parse_number
from pipelines.forms.vocabulary import vocabulary
from pipelines.registry.load import Registry, load
from pipelines.settings import DBT_DATABASE_NAME
from pipelines.warehouse.raw_schema import raw_ddl

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")

class RawLayer:
    """Writes raw.* rows the way the Python loader does, with the defaults a test does not
    care about filled in."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def registry(self, registry: Registry) -> None:
        """The registry's tables, as a run loads them (replacing what they held)."""
        for table, frame in registry.frames(dt.datetime(2023, 6, 1, 2)).items():
            self.con.execute(f"delete from raw.{table}")
            self.con.register("incoming", frame)
            self.con.execute(f"insert into raw.{table} select * from incoming")
            self.con.unregister("incoming")

    def file(
        self,
        path: str,
        sha256: str,
        *,
        modified: str,
        first_seen: str = "2023-06-01 02:00:00",
        present: bool = True,
        form_type: str | None = "activity",
        sheets: int = 1,
    ) -> None:
        """A file version in the ledger; form_type None means the reader never parsed it."""
        self.con.execute(
            "insert into raw.file_versions values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                path,
                sha256,
                4096,
                modified,
                first_seen,
                "2023-06-01 02:00:00",
                present,
                f"archive/{sha256[:2]}/{sha256}.xlsx",
            ],
        )
        parsed = self.con.execute(
            "select count(*) from raw.parsed_files where sha256 = ?", [sha256]
        ).fetchone()[0]
        if form_type and not parsed:
            self.con.execute(
                "insert into raw.parsed_files (sha256, parsed_path, form_type, sheet_count, "
                "parsed_at, reader_version) values (?, ?, ?, ?, ?, ?)",
                [sha256, path, form_type, sheets, first_seen, "test"],
            )

    def _report(
        self,
        sha256: str,
        sheet: str | None,
        sheet_index: int,
        form_type: str,
        pair: tuple[str, str],
        department: str | None,
        period: tuple[str | None, str | None],
    ) -> str:
        report_id = f"{sha256}:{sheet_index}"
        self.con.execute(
            "insert into raw.reports values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [report_id, sha256, sheet, sheet_index, form_type, *pair, department, *period, 4],
        )
        return report_id

    def activity(
        self,
        sha256: str,
        *,
        pair: tuple[str, str],
        department: str | None,
        period: tuple[str | None, str | None],
        columns: Mapping[str, str],
        people: Iterable[tuple[str, Mapping[str, str]]],
        sheet: str | None = "Sheet1",
        sheet_index: int = 0,
        first_row: int = 5,
    ) -> None:
        """An activity report: `columns` maps metric_code → header (column B onwards, in order),
        `people` holds (name as written, {metric_code: cell text}) from `first_row` down."""
        report_id = self._report(sha256, sheet, sheet_index, "activity", pair, department, period)
        letters = {metric: column_letter(i + 1) for i, metric in enumerate(columns)}
        for metric, header in columns.items():
            self.con.execute(
                "insert into raw.report_columns values (?, ?, ?, ?, ?)",
                [report_id, sha256, metric, header, letters[metric]],
            )
        for row_number, (name, cells) in enumerate(people, start=first_row):
            self.con.execute(
                "insert into raw.activity_rows (report_id, sha256, sheet, row_number, row_kind, "
                "person_name, person_key, name_cell) values (?, ?, ?, ?, 'person', ?, ?, ?)",
                [
                    report_id,
                    sha256,
                    sheet,
                    row_number,
                    name,
                    fold(name),
                    f"A{row_number}",
                ],
            )
            for metric in columns:
                text = cells.get(metric, "")
                self.con.execute(
                    "insert into raw.activity_values values (?, ?, ?, ?, ?, ?, ?)",
                    [
                        report_id,
                        sha256,
                        row_number,
                        metric,
                        f"{letters[metric]}{row_number}",
                        text,
                        parse_number(text, vocabulary()),
                    ],
                )

    def capacity(
        self,
        sha256: str,
        *,
        pair: tuple[str, str],
        years: tuple[int, int],
        indicators: Iterable[tuple[str, str, Mapping[int, str]]],
        sheet: str = "能力指标",
        first_row: int = 4,
    ) -> None:
        """A capacity report: one row per (metric_code, indicator as written, {year: cell text})
        from `first_row` down, years in columns B onwards."""
        first, last = years
        report_id = self._report(
            sha256, sheet, 0, "capacity", pair, None, (f"{first}-01-01", f"{last}-12-31")
        )
        for row_number, (metric, name, cells) in enumerate(indicators, start=first_row):
            for year, text in cells.items():
                if not text.strip():
                    continue  # as the reader does: a blank capacity cell is not reported
                cell = f"{column_letter(1 + year - first)}{row_number}"
                self.con.execute(
                    "insert into raw.capacity_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        report_id,
                        sha256,
                        sheet,
                        row_number,
                        cell,
                        metric,
                        name,
                        year,
                        text,
                        parse_number(text, vocabulary()),
                    ],
                )

    def issue(
        self,
        sha256: str,
        code: str,
        message: str,
        *,
        severity: str = "error",
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        cell: str | None = None,
        value: str | None = None,
    ) -> None:
        self.con.execute(
            "insert into raw.issues values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'reader')",
            [sha256, sheet, row, column, cell, severity, code, message, value],
        )


def run_dbt(database: Path, work_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run dbt on the project against `database`, with its target and logs in `work_dir` so
    that parallel runs do not share files. The profile opens `target/bangfu.duckdb` from
    where dbt runs: here a link to `database`, beside a copy of the project's partial parse
    (the profile is the same, so dbt parses only what changed since `make setup`)."""
    target = work_dir / "target"
    target.mkdir(parents=True, exist_ok=True)
    staged = target / ".bangfu.duckdb.link"
    staged.unlink(missing_ok=True)
    staged.symlink_to(database)
    staged.replace(target / "bangfu.duckdb")
    parsed = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if parsed.is_file() and not (target / parsed.name).exists():
        shutil.copyfile(parsed, target / parsed.name)
    return subprocess.run(
        [
            str(DBT),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        cwd=work_dir,
        # The profile opens target/bangfu.duckdb from where dbt runs: the link made above.
        env={**os.environ, "DBT_USE_COLORS": "false", "BANGFU_DBT_TARGET": "target"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def dbt() -> Callable[..., subprocess.CompletedProcess[str]]:
    """run_dbt(database, work_dir, *args) for tests that run more dbt commands on a warehouse."""
    return run_dbt


@pytest.fixture(scope="session")
def build_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Returns build(name, write): a DuckDB file with the raw schema, filled by write(RawLayer),
    after a successful `dbt build`. The raw layer holds the built-in registry unless write
    loads another. The dbt output is in the assertion message on failure."""

    def build(name: str, write: Callable[[RawLayer], None]) -> Path:
        work_dir = tmp_path_factory.mktemp(name)
        database = work_dir / f"{DBT_DATABASE_NAME}.duckdb"  # dbt's database name
        with duckdb.connect(str(database)) as con:
            con.execute(raw_ddl())
            layer = RawLayer(con)
            layer.registry(load(None).registry)
            write(layer)
        result = run_dbt(database, work_dir, "build")
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
        return database

    return build


@pytest.fixture(scope="session")
def warehouse(build_warehouse) -> Path:
    """The warehouse of test_marts' hand-written corpus, built once for every module here."""
    from test_marts import write_corpus

    return build_warehouse("marts", write_corpus)
