"""Running the Great Expectations suites in `expectations/suites/` over a batch, and turning
every unexpected row into an issue that points at its file, sheet, row and cell.

A suite is GX's own JSON plus, in its meta, the frame it validates and the raw table that
frame comes from; each expectation's meta names the issue code it raises and may carry
`detail_zh`, a Chinese template filled from the failing row and the expectation's arguments
(`{max_value}`, `{value_per_day}` …), so that a warning says what the usual range is.
Values that come from the seeds (the registered departments) reach the suites as GX
expectation parameters.

GX is imported here only, lazily: it costs seconds, and reading files must not wait for it.
GX validates pandas frames: each suite gets one frame of every file's rows, holding only the
columns its expectations name; the other columns an issue needs are taken from the polars
frame for the few rows that failed.
"""

from __future__ import annotations

import json
import math
import os
import string
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines.batch import FormBatch
from pipelines.issues import Issue, catalogue
from pipelines.settings import EXPECTATIONS_DIR
from pipelines.validation.frames import Inputs, frame_for, registered_departments

if TYPE_CHECKING:  # pandas is imported with GX, off the path of reading files
    import pandas as pd

SUITES_DIR = EXPECTATIONS_DIR / "suites"
TOP_FAILURES = 10


@dataclass
class SuiteResult:
    """What one suite found over every batch it judged: counts, and the first failures."""

    suite: str
    expectations: int
    frame_rows: int = 0
    failed: set[int] = field(default_factory=set)  # positions of the expectations that failed
    error_count: int = 0
    warning_count: int = 0
    first_issues: list[Issue] = field(default_factory=list)

    @property
    def failed_expectations(self) -> int:
        return len(self.failed)

    def count(self, issue: Issue) -> None:
        if issue.severity == "error":
            self.error_count += 1
        elif issue.severity == "warning":
            self.warning_count += 1
        if len(self.first_issues) < TOP_FAILURES:
            self.first_issues.append(issue)

    def top_failures(self) -> list[dict[str, Any]]:
        return [{"code": i.code, "sheet": i.sheet, "cell": i.cell, "value": i.value_found}
                for i in self.first_issues]


def suite_files(suites_dir: Path = SUITES_DIR) -> list[Path]:
    return sorted(suites_dir.glob("*.json"))


def suite_names(suites_dir: Path = SUITES_DIR) -> list[str]:
    return [path.stem for path in suite_files(suites_dir)]


def suite_tables(suites_dir: Path = SUITES_DIR) -> dict[str, str]:
    """Each suite and the raw table its rows come from (the suite's `meta.table`): where
    Dagster shows the suite's check."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))["meta"]["table"]
            for path in suite_files(suites_dir)}


# The keys of an expectation's arguments that name columns of the frame; a row condition names
# its column as {"name": …} under "column".
_COLUMN_KEYS = {"column", "column_A", "column_B", "column_list"}


def _columns_named(value: Any, key: str | None = None) -> Iterator[str]:
    if isinstance(value, dict):
        if key == "column" and isinstance(value.get("name"), str):
            yield value["name"]
        for inner_key, inner in value.items():
            yield from _columns_named(inner, inner_key)
    elif isinstance(value, list):
        for inner in value:
            yield from _columns_named(inner, key)
    elif isinstance(value, str) and key in _COLUMN_KEYS:
        yield value


def validated_columns(spec: dict[str, Any], frame: pl.DataFrame) -> list[str]:
    """The frame's columns the suite's expectations read, in the frame's order. A column an
    expectation names that the frame lacks is left for GX to report."""
    named = {c for e in spec["expectations"] for c in _columns_named(e["kwargs"])}
    return [column for column in frame.columns if column in named]


def _suite_spec(path: Path) -> dict[str, Any]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    unknown = {e["meta"]["code"] for e in spec["expectations"]} - set(catalogue())
    if unknown:
        raise ValueError(f"{path.name}: expectations name unknown issue codes {sorted(unknown)}")
    return spec


def _import_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations  # noqa: F401


def import_gx_meanwhile() -> Callable[[], None]:
    """Start importing GX (seconds of CPU) in a thread, for a caller that has other work to
    wait for meanwhile — files being read in worker processes; call what it returns to wait
    for the import before validating. A failed import is raised again by `validate`."""
    thread = threading.Thread(target=_import_gx, name="import great_expectations")
    thread.start()
    return thread.join


def gx_context(results_root: Path | None) -> Any:
    """An in-memory GX context, or one that records every validation (and builds Data Docs)
    under `results_root` — outside the repository, beside the warehouse."""
    _import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        FilesystemStoreBackendDefaults,
        InMemoryStoreBackendDefaults,
    )

    stores = (FilesystemStoreBackendDefaults(root_directory=str(results_root)) if results_root
              else InMemoryStoreBackendDefaults())
    config = DataContextConfig(store_backend_defaults=stores, analytics_enabled=False,
                               progress_bars={"globally": False})
    return gx.get_context(project_config=config, mode="ephemeral")


def data_docs_index(results_root: Path) -> Path:
    return results_root / "uncommitted" / "data_docs" / "local_site" / "index.html"


class _Display(string.Formatter):
    """Numbers in messages as people write them: 12, 3.5, not 12.0 or 3.4999999."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, float):
            if math.isnan(value):
                return ""
            if not format_spec:
                return f"{value:.2f}".rstrip("0").rstrip(".")
        return super().format_field(value, format_spec)


def _detail(template: str | None, row: pd.Series, kwargs: dict[str, Any]) -> str:
    if not template:
        return ""
    return _Display().vformat(template, (), {**row.to_dict(), **kwargs})


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _run_suite(result: SuiteResult, spec: dict[str, Any], frame: pl.DataFrame, context: Any,
               run_name: str) -> Iterator[tuple[str, Issue]]:
    """The suite over one frame: each failing row's issue, by its file's sha256."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    suite = context.suites.add_or_update(gx.ExpectationSuite(**spec))
    if len(suite.expectations) != len(spec["expectations"]):
        # GX drops an expectation whose type it does not know, with a log line only.
        unknown = [e["type"] for e in spec["expectations"]
                   if e["type"] not in {x.expectation_type for x in suite.expectations}]
        raise ValueError(f"suite {result.suite}: GX does not know the expectations {unknown}")
    asset = context.data_sources.add_or_update_pandas("bangfu").add_dataframe_asset(result.suite)
    definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(
        name=result.suite, data=asset.add_batch_definition_whole_dataframe("batch"), suite=suite))
    validation = definition.run(
        batch_parameters={"dataframe": frame.select(validated_columns(spec, frame)).to_pandas()},
        expectation_parameters={"registered_departments": registered_departments()},
        result_format={"result_format": "COMPLETE"},
        run_id=RunIdentifier(run_name=run_name),
    )
    result.frame_rows += frame.height
    for position, outcome in enumerate(validation.results):
        if outcome.success:
            continue
        config = outcome.expectation_config
        if outcome.exception_info.get("raised_exception"):
            raise RuntimeError(f"suite {result.suite}: {config.type} could not run: "
                               f"{outcome.exception_info.get('exception_message')}")
        result.failed.add(position)
        unexpected = outcome.result.get("unexpected_index_list") or []
        failing = frame[unexpected, :].to_pandas().iterrows() if unexpected else ()
        for _, row in failing:
            number = _text(row.get("row_number"))
            issue = Issue(
                config.meta["code"],
                sheet=_text(row.get("sheet")),
                row_number=int(float(number)) if number else None,
                column_name=_text(row.get("column_name")),
                cell=_text(row.get("cell")),
                value_found=_text(row.get("value_found")),
                detail=_detail(config.meta.get("detail_zh"), row, config.kwargs),
                source=result.suite,
            )
            result.count(issue)
            yield row["sha256"], issue


class Validation:
    """The suites judging one batch after another (a run reads its new files in parts, so
    that memory is bounded by a part, not by the corpus): one GX context, each suite's result
    summed over the parts, Data Docs built once at the end."""

    def __init__(self, *, results_root: Path | None = None, run_name: str = "bangfu check",
                 suites_dir: Path = SUITES_DIR) -> None:
        self.results_root = results_root
        self.run_name = run_name
        self.specs = {path.stem: _suite_spec(path) for path in suite_files(suites_dir)}
        self.results = {name: SuiteResult(name, len(spec["expectations"]))
                        for name, spec in self.specs.items()}
        self._context: Any = None

    def judge(self, batch: FormBatch) -> FormBatch:
        """The batch with every suite's issues added: what each file's own rows say (the
        judgments across files are dbt's). One cell that breaks two rules of the same code
        is reported once, by the first."""
        inputs = Inputs(batch)
        found = []
        for name, spec in self.specs.items():
            frame = frame_for(spec["meta"]["frame"], inputs)
            if frame.is_empty():  # an empty part needs no GX (seconds to import)
                continue
            if self._context is None:
                self._context = gx_context(self.results_root)
            found += [{"sha256": sha256, **issue.as_record()} for sha256, issue in _run_suite(
                self.results[name], spec, frame, self._context, self.run_name)]
        issues = pl.DataFrame(found, schema=batch.issues.schema, orient="row").unique(
            ["sha256", "sheet", "cell", "code"], keep="first", maintain_order=True)
        return batch.with_issues(issues)

    def finish(self) -> list[SuiteResult]:
        """Each suite's result over every part; Data Docs rebuilt when results are kept."""
        if self._context is not None and self.results_root is not None:
            self._context.build_data_docs()
        return list(self.results.values())


def validate(batch: FormBatch, *, results_root: Path | None = None,
             run_name: str = "bangfu check",
             suites_dir: Path = SUITES_DIR) -> tuple[FormBatch, list[SuiteResult]]:
    """One batch judged by every suite (Validation, for a single part)."""
    validation = Validation(results_root=results_root, run_name=run_name, suites_dir=suites_dir)
    judged = validation.judge(batch)
    return judged, validation.finish()
