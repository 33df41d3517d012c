"""The suites are data: their bounds live in expectations/suites/*.json, not in code."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from formfiles import activity_sheet, write_xlsx

from pipelines.batch import FormBatch
from pipelines.forms.reader import READER_VERSION, read_form
from pipelines.validation.suites import SUITES_DIR, validate


def batch_of(path: Path) -> FormBatch:
    parsed = {("sha", path.name): read_form(path.read_bytes(), path.name)}
    return FormBatch.from_parsed(parsed, READER_VERSION, dt.datetime(2023, 1, 1))


def codes(batch: FormBatch) -> list[tuple[str, str]]:
    return sorted(zip(batch.issues["code"], batch.issues["cell"], strict=True))


def test_changing_a_bound_in_the_suite_file_changes_the_verdict(tmp_path: Path) -> None:
    # 2,480 visits in a 31-day month: 80 a day, under the shipped bound of 120 a day.
    form = write_xlsx(tmp_path / "f.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=[["张三", 2480, 0, 0, 0, 0, 0, 0, 0, 0]]))
    shipped, _ = validate(batch_of(form))
    assert codes(shipped) == []

    suites = tmp_path / "suites"
    shutil.copytree(SUITES_DIR, suites)
    spec = json.loads((suites / "activity_cells.json").read_text(encoding="utf-8"))
    (bound,) = [e for e in spec["expectations"]
                if e["kwargs"].get("row_condition", {}).get("parameter") == "total_visits"]
    bound["kwargs"]["max_value"] = 60
    (suites / "activity_cells.json").write_text(json.dumps(spec, ensure_ascii=False),
                                                encoding="utf-8")

    stricter, results = validate(batch_of(form), suites_dir=suites)
    assert codes(stricter) == [("implausible_value", "B5")]
    (message,) = stricter.issues["message"]
    assert "平均每天 80，而每人每天通常不超过 60" in message
    assert next(r for r in results if r.suite == "activity_cells").warning_count == 1


def test_a_suite_naming_an_unknown_code_is_refused(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "bad.json").write_text(json.dumps({
        "name": "bad", "meta": {"frame": "activity_rows"},
        "expectations": [{"type": "expect_column_values_to_not_be_null",
                          "kwargs": {"column": "person_key"}, "meta": {"code": "made_up"}}],
    }), encoding="utf-8")
    with pytest.raises(ValueError, match="made_up"):
        validate(FormBatch.empty(), suites_dir=suites)
