"""Reading many files in worker processes, each file with a memory cap and a time limit.

Spreadsheet parsing runs native code on untrusted bytes; in a worker, a file that crashes
the parser, exhausts its memory cap or runs past its time limit costs that file (reported
with its own code), not the run. Pebble's process pool replaces a worker that was killed or
died, and times each task out.

A task is a chunk of files, not one: reading a form takes milliseconds, so one task (and one
pickled result) per file cost the pool more than the reading. Within a chunk each file has
its own timer (SIGALRM, whose default action ends the worker even inside native code), so
the time limit holds per file. A chunk that ended its worker — a crash, the memory cap, a
file past its time limit — is read again one file per task, so that only the bad file is
lost, with its own code.
"""

from __future__ import annotations

import math
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
from pipelines.registry import load as registry_load
from pipelines.registry.load import Registry
from pipelines.settings import ReadLimits, read_limits

_MB = 1 << 20
Job = tuple[Path, str]  # (file to open, path relative to the raw folder)

# Files per task: enough that a task's cost (scheduling, one pickled result) is small beside
# its reading, few enough that every worker gets several chunks (an even finish) and that a
# chunk read again after a crash is cheap.
CHUNK_FILES = 50
CHUNKS_PER_WORKER = 4
# A worker costs about a second of CPU to start (an interpreter importing polars and the
# spreadsheet libraries), what reading some 200 forms costs: a further worker is started only
# for that many files more.
FILES_PER_WORKER = 200
# A chunk's own time limit in the parent, beyond its files' limits: only a backstop for a
# worker that the per-file timer could not end.
CHUNK_GRACE_SECONDS = 5.0


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


def _timed_out(limits: ReadLimits) -> ParsedFile:
    return _rejected("read_time_limit", f"{limits.seconds_per_file:g}")


def _start_worker(megabytes: int, registry: Registry) -> None:
    """Runs in each worker before it reads: its address space is capped, so a file that
    needs more fails there with MemoryError (or the worker dies) instead of the machine
    swapping; SIGALRM, the per-file timer, ends it; and it reads with its parent's registry."""
    registry_load.use(registry)
    limit = megabytes * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)


def _read_chunk(jobs: list[Job], seconds_per_file: float) -> list[ParsedFile]:
    """In a worker: each file read under its own timer."""
    parsed = []
    for job in jobs:
        signal.setitimer(signal.ITIMER_REAL, seconds_per_file)
        try:
            parsed.append(read_form_file(*job))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return parsed


def chunk_size(files: int, workers: int) -> int:
    return max(1, min(CHUNK_FILES, math.ceil(files / (CHUNKS_PER_WORKER * workers))))


def read_forms(jobs: list[Job], workers: int | None = None,
               registry: Registry | None = None) -> list[ParsedFile]:
    """Read (file to open, path relative to the raw folder) jobs; results in job order. At
    most `workers` worker processes (default: one per CPU), fewer for few files. The workers
    read with `registry` (default: the one in force here, so that a registry with errors
    stops the reading here, not in every file)."""
    if not jobs:
        return []
    registry = registry or registry_load.in_force()
    limits = read_limits()
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) // FILES_PER_WORKER))
    size = chunk_size(len(jobs), workers)
    chunks = [jobs[start:start + size] for start in range(0, len(jobs), size)]
    # One thread per worker for polars (inherited through the environment at spawn): the
    # workers are the parallelism, and each thread reserves address space under the cap.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    # spawn, not fork: the parent may hold Dagster's threads and open DuckDB handles.
    with ProcessPool(max_workers=workers, initializer=_start_worker,
                     initargs=(limits.worker_memory_mb, registry),
                     context=multiprocessing.get_context("spawn")) as pool:

        def schedule(chunk: list[Job]):
            return pool.schedule(_read_chunk, args=(chunk, limits.seconds_per_file),
                                 timeout=limits.seconds_per_file * len(chunk)
                                 + CHUNK_GRACE_SECONDS)

        futures = [schedule(chunk) for chunk in chunks]
        parsed: list[ParsedFile] = []
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                parsed += future.result()
            except (ReadTimeout, MemoryError, ProcessExpired, BrokenProcessPool) as failed:
                if len(chunk) == 1:
                    parsed.append(_failure(failed, limits))
                    continue
                alone = [schedule([job]) for job in chunk]
                parsed += [_outcome(single, limits) for single in alone]
        return parsed


def _outcome(future, limits: ReadLimits) -> ParsedFile:
    """The one file of a task of one."""
    try:
        (parsed,) = future.result()
        return parsed
    except (ReadTimeout, MemoryError, ProcessExpired, BrokenProcessPool) as failed:
        return _failure(failed, limits)


def _failure(failed: BaseException, limits: ReadLimits) -> ParsedFile:
    """What a task of one file that did not return says of that file."""
    if isinstance(failed, ReadTimeout):
        return _timed_out(limits)
    if isinstance(failed, MemoryError):
        return _memory_exceeded(limits)
    if isinstance(failed, ProcessExpired):
        if failed.exitcode == -signal.SIGALRM:
            return _timed_out(limits)
        if failed.exitcode == -signal.SIGABRT:
            # Native code (calamine, polars) that cannot allocate under the cap aborts.
            return _memory_exceeded(limits)
        return _rejected("unreadable_file", f"读取时程序崩溃（退出码 {failed.exitcode}）")
    # BrokenProcessPool: every worker died at once; which file did it cannot be told, and
    # this one is reported.
    return _rejected("unreadable_file", "读取时程序崩溃")
