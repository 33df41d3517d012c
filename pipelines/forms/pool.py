"""Reading many files in worker processes.

Spreadsheet parsing runs native code on untrusted bytes; in a worker, a file that crashes
the parser costs that file (reported `unreadable_file`), not the run.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipelines.forms.model import ParsedFile
from pipelines.forms.reader import read_form
from pipelines.issues import Issue


def read_form_file(path: Path, relative_path: str) -> ParsedFile:
    return read_form(path.read_bytes(), relative_path)


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the parent may hold Dagster's threads and open DuckDB handles.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def read_forms(jobs: list[tuple[Path, str]], workers: int | None = None) -> list[ParsedFile]:
    """Read (file to open, path relative to the raw folder) jobs; results in job order."""
    if not jobs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    results: list[ParsedFile | None] = [None] * len(jobs)
    with _pool(workers) as pool:
        futures: list[Future[ParsedFile]] = [pool.submit(read_form_file, *job) for job in jobs]
        for i, future in enumerate(futures):
            try:
                results[i] = future.result()
            except BrokenProcessPool:
                break
    # A worker died: the pool is gone. Read what is left one file per process, so the file
    # that kills its worker is the only one lost.
    for i, job in enumerate(jobs):
        if results[i] is None:
            results[i] = _read_alone(job)
    return [r for r in results if r is not None]


def _read_alone(job: tuple[Path, str]) -> ParsedFile:
    try:
        with _pool(1) as pool:
            return pool.submit(read_form_file, *job).result()
    except BrokenProcessPool:
        return ParsedFile("unknown", 0, issues=[Issue("unreadable_file", detail="读取时程序崩溃")])
