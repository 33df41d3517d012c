"""Reading every file of a corpus three ways, each in its own interpreter so that its imports
stay outside the clock and its peak memory is its own (`python -m bench` runs them with
`READER_CODE`, never `-m`: spawned pool workers re-import a named main module).

- calamine: bare python-calamine, every sheet of every workbook to Python lists;
- pandas: `pandas.read_excel(sheet_name=None)` (openpyxl for .xlsx, xlrd for .xls);
- read_forms: bangfu's read stage, `pipelines.forms.pool.read_forms` over every file.

The two baselines read workbooks only (.xlsx, .xls); read_forms also reads the CSVs.
Each writes {"seconds", "files", "sheets", "cells" or "reports"} as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

READER_CODE = "import sys; from bench.readers import main; main(sys.argv[1:])"
WORKBOOK_SUFFIXES = (".xlsx", ".xls")


def _workbooks(jobs: list[tuple[Path, str]]) -> list[Path]:
    return [path for path, _ in jobs if path.suffix.lower() in WORKBOOK_SUFFIXES]


def calamine(jobs: list[tuple[Path, str]]) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    paths = _workbooks(jobs)
    started = time.perf_counter()
    sheets = cells = 0
    for path in paths:
        workbook = CalamineWorkbook.from_path(str(path))
        for index in range(len(workbook.sheet_names)):
            rows = workbook.get_sheet_by_index(index).to_python()
            sheets += 1
            cells += sum(len(row) for row in rows)
        workbook.close()
    return {"seconds": time.perf_counter() - started, "files": len(paths), "sheets": sheets,
            "cells": cells}


def pandas(jobs: list[tuple[Path, str]]) -> dict[str, Any]:
    import pandas as pd

    paths = _workbooks(jobs)
    started = time.perf_counter()
    sheets = cells = 0
    for path in paths:
        frames = pd.read_excel(path, sheet_name=None, header=None)
        sheets += len(frames)
        cells += sum(frame.size for frame in frames.values())
    return {"seconds": time.perf_counter() - started, "files": len(paths), "sheets": sheets,
            "cells": cells}


def read_forms(jobs: list[tuple[Path, str]]) -> dict[str, Any]:
    from pipelines.forms.pool import read_forms as read_stage

    started = time.perf_counter()
    parsed = read_stage(jobs)
    return {"seconds": time.perf_counter() - started, "files": len(jobs),
            "sheets": sum(form.sheet_count for form in parsed),
            "reports": sum(len(form.reports) for form in parsed),
            "files_with_issues": sum(1 for form in parsed if form.issues)}


READERS: dict[str, Callable[[list[tuple[Path, str]]], dict[str, Any]]] = {
    "calamine": calamine,
    "pandas": pandas,
    "read_forms": read_forms,
}


def write_jobs(raw: Path, paths: list[Path], dest: Path) -> Path:
    """The jobs file the readers take: (file, path relative to the raw folder), sorted."""
    jobs = [[str(path), path.relative_to(raw).as_posix()] for path in sorted(paths)]
    dest.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    return dest


def main(argv: list[str]) -> None:
    reader, jobs_file, result_file = argv
    jobs = [(Path(path), relative)
            for path, relative in json.loads(Path(jobs_file).read_text(encoding="utf-8"))]
    result = READERS[reader](jobs)
    Path(result_file).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
