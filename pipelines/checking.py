"""`bangfu check`: the reader and the suites on a few files, with nothing written anywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.batch import FormBatch
from pipelines.forms.pool import read_forms
from pipelines.forms.reader import READER_VERSION
from pipelines.issues import Issue
from pipelines.validation.suites import validate
from pipelines.warehouse.manifest import recorded_name, sha256_of


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    cell: str | None
    severity: str
    code: str
    message: str

    def line(self) -> str:
        return " · ".join([self.file, self.sheet or "-", self.cell or "-", self.code, self.message])


def _relative(path: Path, raw_dir: Path) -> str:
    """Inside the raw folder a file is named as the pipeline names it (its folders may say
    who sent it); elsewhere, as given."""
    try:
        return recorded_name(path.resolve().relative_to(raw_dir.resolve()).as_posix())
    except ValueError:
        return recorded_name(path.as_posix())


def check_files(paths: list[Path], raw_dir: Path) -> list[Problem]:
    names = {}
    jobs = {}
    missing = []
    for position, path in enumerate(paths):
        if not path.is_file():
            missing.append(Problem(recorded_name(str(path)), None, None, "error", "unreadable_file",
                                   Issue("unreadable_file", detail="文件不存在").message))
            continue
        # Keyed by position too: the same bytes given twice are still two files to report.
        key = f"{position:06d}:{sha256_of(path)}"
        names[key] = recorded_name(str(path))
        jobs[(key, _relative(path, raw_dir))] = path
    # In worker processes, as in a run: a file that crashes the spreadsheet library costs
    # that file, not the check of the others.
    forms = read_forms([(path, relative) for (_, relative), path in jobs.items()])
    parsed = dict(zip(jobs, forms, strict=True))
    batch, _ = validate(FormBatch.from_parsed(parsed, READER_VERSION, dt.datetime.now()))
    letters = pl.col("cell").str.extract(r"^([A-Z]+)")
    in_reading_order = batch.issues.sort(
        pl.col("sha256"), pl.col("row_number"), letters.str.len_chars(), letters,
        nulls_last=False, maintain_order=True)
    return missing + [
        Problem(names[row["sha256"]], row["sheet"], row["cell"], row["severity"], row["code"],
                row["message"])
        for row in in_reading_order.iter_rows(named=True)
    ]
