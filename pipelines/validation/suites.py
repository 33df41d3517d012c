"""Running the Great Expectations suites in `expectations/suites/` over a batch, and turning
every unexpected row into an issue that points at its file, sheet, row and cell.

GX is imported here only, lazily: it costs seconds, and reading files must not wait for it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.batch import FormBatch
from pipelines.issues import Issue, catalogue
from pipelines.settings import EXPECTATIONS_DIR
from pipelines.validation.frames import frame_for

SUITES_DIR = EXPECTATIONS_DIR / "suites"
TOP_FAILURES = 10


@dataclass
class SuiteResult:
    suite: str
    frame_rows: int
    expectations: int
    failed_expectations: int
    issues: list[tuple[str, Issue]] = field(default_factory=list)  # (sha256, issue)

    @property
    def error_count(self) -> int:
        return sum(1 for _, issue in self.issues if issue.severity == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for _, issue in self.issues if issue.severity == "warning")

    def top_failures(self) -> list[dict[str, Any]]:
        return [
            {"code": i.code, "sheet": i.sheet, "cell": i.cell, "value": i.value_found}
            for _, i in self.issues[:TOP_FAILURES]
        ]


def suite_files() -> list[Path]:
    return sorted(SUITES_DIR.glob("*.json"))


def suite_names() -> list[str]:
    return [path.stem for path in suite_files()]


@cache
def _gx_context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return context


def _batch_definition(suite: str) -> Any:
    context = _gx_context()
    source = context.data_sources.add_or_update_pandas(name="bangfu")
    try:
        asset = source.get_asset(suite)
    except LookupError:
        asset = source.add_dataframe_asset(name=suite)
    try:
        return asset.get_batch_definition("whole_frame")
    except KeyError:
        return asset.add_batch_definition_whole_dataframe("whole_frame")


def _suite_spec(path: Path) -> dict[str, Any]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    unknown = {e["meta"]["code"] for e in spec["expectations"]} - set(catalogue())
    if unknown:
        raise ValueError(f"{path.name}: expectations name unknown issue codes {sorted(unknown)}")
    return spec


def run_suite(path: Path, batch: FormBatch) -> SuiteResult:
    spec = _suite_spec(path)
    frame = frame_for(spec["meta"]["frame"], batch)
    result = SuiteResult(path.stem, len(frame), len(spec["expectations"]), 0)
    if frame.empty:
        return result  # nothing to judge: do not pay for importing GX
    import great_expectations as gx

    suite = gx.ExpectationSuite(**spec)
    validation = (
        _batch_definition(path.stem)
        .get_batch(batch_parameters={"dataframe": frame})
        .validate(suite, result_format={"result_format": "COMPLETE"})
    )
    for outcome in validation.results:
        if outcome.success:
            continue
        if outcome.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"suite {path.stem}: {outcome.expectation_config.type} could not run: "
                f"{outcome.exception_info.get('exception_message')}"
            )
        result.failed_expectations += 1
        code = outcome.expectation_config.meta["code"]
        for index in outcome.result.get("unexpected_index_list") or []:
            row = frame.iloc[index]
            result.issues.append((row["sha256"], Issue(
                code,
                sheet=_text(row.get("sheet")),
                row_number=int(row["row_number"]),
                column_name=_text(row.get("column_name")),
                cell=_text(row.get("cell")),
                value_found=_text(row.get("value_found")),
                source=path.stem,
            )))
    return result


def _text(value: Any) -> str | None:
    return None if value is None or value != value else str(value)  # NaN is not text


def validate(batch: FormBatch) -> tuple[FormBatch, list[SuiteResult]]:
    """The batch with every suite's issues added, and each suite's result."""
    results = [run_suite(path, batch) for path in suite_files()]
    found = [
        {"sha256": sha256, **issue.as_record()} for r in results for sha256, issue in r.issues
    ]
    issues = pl.DataFrame(found, schema=batch.issues.schema, orient="row")
    return batch.with_issues(issues), results
