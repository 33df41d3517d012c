"""Reading many files in worker processes, each file with a memory cap and a time limit.

Spreadsheet parsing runs native code on untrusted bytes; in a worker, a file that crashes
the parser, exhausts its memory cap or runs past its time limit costs that file (reported
with its own code), not the run. Pebble's process pool gives each file its own timeout and
replaces a worker that was killed or died.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from concurrent.futures import TimeoutError as ReadTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from pipelines.forms.model import ParsedFile
from pipelines.forms.reader import read_form
from pipelines.issues import Issue
from pipelines.settings import ReadLimits, read_limits

_MB = 1 << 20


def _rejected(code: str, detail: str) -> ParsedFile:
    return ParsedFile("unknown", 0, issues=[Issue(code, detail=detail)])


def read_form_file(path: Path, relative_path: str) -> ParsedFile:
    """One file, read within the limits (in a worker, whose memory is capped)."""
    limits = read_limits()
    size = path.stat().st_size
    if size > limits.file_mb * _MB:
        return _rejected("file_too_large", f"{size / _MB:.1f} MB，超过上限 {limits.file_mb:g} MB")
    try:
        return read_form(path.read_bytes(), relative_path)
    except MemoryError:
        return _memory_exceeded(limits)


def _memory_exceeded(limits: ReadLimits) -> ParsedFile:
    return _rejected("read_memory_limit", f"{limits.worker_memory_mb} MB")


def _cap_memory(megabytes: int) -> None:
    """Runs in each worker before it reads: its address space is capped, so a file that
    needs more fails there with MemoryError (or the worker dies) instead of the machine
    swapping."""
    limit = megabytes * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def read_forms(jobs: list[tuple[Path, str]], workers: int | None = None) -> list[ParsedFile]:
    """Read (file to open, path relative to the raw folder) jobs; results in job order."""
    if not jobs:
        return []
    limits = read_limits()
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    # One thread per worker for polars (inherited through the environment at spawn): the
    # workers are the parallelism, and each thread reserves address space under the cap.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    # spawn, not fork: the parent may hold Dagster's threads and open DuckDB handles.
    with ProcessPool(max_workers=workers, initializer=_cap_memory,
                     initargs=(limits.worker_memory_mb,),
                     context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.schedule(read_form_file, args=job, timeout=limits.seconds_per_file)
                   for job in jobs]
        return [_outcome(future, limits) for future in futures]


def _outcome(future, limits: ReadLimits) -> ParsedFile:
    try:
        return future.result()
    except ReadTimeout:
        return _rejected("read_time_limit", f"{limits.seconds_per_file:g}")
    except MemoryError:
        return _memory_exceeded(limits)
    except ProcessExpired as died:
        if died.exitcode == -signal.SIGABRT:
            # Native code (calamine, polars) that cannot allocate under the cap aborts.
            return _memory_exceeded(limits)
        return _rejected("unreadable_file", f"读取时程序崩溃（退出码 {died.exitcode}）")
    except BrokenProcessPool:
        # Every worker died at once: which file did it cannot be told; this one is reported.
        return _rejected("unreadable_file", "读取时程序崩溃")
