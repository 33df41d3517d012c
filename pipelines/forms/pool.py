"""Reading many files in worker processes, each file with a memory cap and a time limit
(pipelines/bounded.py): a file that crashes the parser, exhausts its memory or runs past its
time limit is rejected with its own code, and the other files are read."""

from __future__ import annotations

from pathlib import Path

from pipelines.bounded import MB, Failure, map_bounded
from pipelines.forms.model import ParsedFile
from pipelines.forms.reader import read_form
from pipelines.issues import Issue
from pipelines.registry import load as registry_load
from pipelines.registry.load import Registry
from pipelines.settings import read_limits

Job = tuple[Path, str]  # (file to open, path relative to the raw folder)


def _rejected(code: str, detail: str) -> ParsedFile:
    return ParsedFile("unknown", 0, issues=[Issue(code, detail=detail)])


def read_form_file(job: Job) -> ParsedFile:
    """One file, read within the limits (in a worker, whose memory is capped)."""
    path, relative_path = job
    limits = read_limits()
    size = path.stat().st_size
    if size > limits.file_mb * MB:
        return _rejected("file_too_large", f"{size / MB:.1f} MB，超过上限 {limits.file_mb:g} MB")
    return read_form(path.read_bytes(), relative_path)


def _not_read(_job: Job, failure: Failure) -> ParsedFile:
    return _rejected(failure.code, failure.detail)


def read_forms(jobs: list[Job], workers: int | None = None,
               registry: Registry | None = None) -> list[ParsedFile]:
    """Read (file to open, path relative to the raw folder) jobs; results in job order. At
    most `workers` worker processes (default: one per CPU), fewer for few files. The workers
    read with `registry` (default: the one in force here, so that a registry with errors
    stops the reading here, not in every file)."""
    if not jobs:
        return []
    registry = registry or registry_load.in_force()
    return map_bounded(read_form_file, _not_read, jobs, workers,
                       setup=registry_load.use, setup_args=(registry,))
