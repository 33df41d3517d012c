"""`bangfu check`: the reader and the suites on a few files, with nothing written anywhere."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipelines.batch import FormBatch
from pipelines.forms.reader import READER_VERSION, read_form
from pipelines.issues import Issue
from pipelines.validation.suites import validate


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
        return path.resolve().relative_to(raw_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def check_files(paths: list[Path], raw_dir: Path) -> list[Problem]:
    parsed = {}
    names = {}
    missing = []
    for position, path in enumerate(paths):
        if not path.is_file():
            missing.append(Problem(str(path), None, None, "error", "unreadable_file",
                                   Issue("unreadable_file", detail="文件不存在").message))
            continue
        content = path.read_bytes()
        # Keyed by position too: the same bytes given twice are still two files to report.
        key = f"{position:06d}:{hashlib.sha256(content).hexdigest()}"
        names[key] = str(path)
        parsed[(key, _relative(path, raw_dir))] = read_form(content, _relative(path, raw_dir))
    batch, _ = validate(FormBatch.from_parsed(parsed, READER_VERSION, dt.datetime.now()))
    return missing + [
        Problem(names[row["sha256"]], row["sheet"], row["cell"], row["severity"], row["code"],
                row["message"])
        for row in batch.issues.sort(["sha256", "row_number"], nulls_last=False).iter_rows(
            named=True
        )
    ]
