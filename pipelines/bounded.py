"""Work on submitted files in worker processes, each file with a memory cap and a time limit.

A submitted file's bytes are untrusted: parsing them runs native code (calamine, polars) and
XML parsers (openpyxl) that a crafted file can crash, exhaust or keep busy. Whatever opens
one does it here: in a worker, a file that crashes the parser, exhausts its memory cap or
runs past its time limit costs that file (reported as a `Failure`), not the run. Pebble's
process pool replaces a worker that was killed or died, and times each task out. The limits
are the reader's (`pipelines.settings.read_limits`): reading a file (pipelines/forms/pool.py)
and writing its annotated copy (pipelines/authoring/returns.py) are held to the same ones.

A task is a chunk of files, not one: reading a form takes milliseconds, so one task (and one
pickled result) per file cost the pool more than the work. Within a chunk each file has its
own timer (SIGALRM, whose default action ends the worker even inside native code), so the
time limit holds per file. A chunk that ended its worker — a crash, the memory cap, a file
past its time limit — is done again one file per task, so that only the bad file is lost,
with its own code. A worker that dies holding no task breaks pebble's pool (every task is
aborted): a new pool then does what the broken one had not finished.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as TaskTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from pebble import ProcessExpired, ProcessPool

from pipelines.settings import ReadLimits, read_limits

MB = 1 << 20
Job = TypeVar("Job")
Result = TypeVar("Result")

# Files per task: enough that a task's cost (scheduling, one pickled result) is small beside
# its work, few enough that every worker gets several chunks (an even finish) and that a
# chunk done again after a crash is cheap.
CHUNK_FILES = 50
CHUNKS_PER_WORKER = 4
# A worker costs about a second of CPU to start (an interpreter importing polars and the
# spreadsheet libraries), what reading some 200 forms costs: a further worker is started only
# for that many files more.
FILES_PER_WORKER = 200
# A chunk's own time limit in the parent, beyond its files' limits: only a backstop for a
# worker that the per-file timer could not end.
CHUNK_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class Failure:
    """Why the work on one file did not return: an issue code of the reader's
    (`read_memory_limit`, `read_time_limit`, `unreadable_file`) and its detail."""

    code: str
    detail: str


def memory_exceeded(limits: ReadLimits) -> Failure:
    return Failure("read_memory_limit", f"{limits.worker_memory_mb} MB")


def timed_out(limits: ReadLimits) -> Failure:
    return Failure("read_time_limit", f"{limits.seconds_per_file:g}")


def _start_worker(megabytes: int, setup: Callable[..., None] | None,
                  setup_args: tuple) -> None:
    """Runs in each worker before its first file: its address space is capped, so a file
    that needs more fails there with MemoryError (or the worker dies) instead of the machine
    swapping; SIGALRM, the per-file timer, ends it; and the caller's `setup` runs (the
    reader's: the registry its run loaded)."""
    limit = megabytes * MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    if setup is not None:
        setup(*setup_args)


def _run_chunk(work: Callable[[Job], Result], failed: Callable[[Job, Failure], Result],
               jobs: list[Job], limits: ReadLimits) -> list[Result]:
    """In a worker: each file under its own timer."""
    done = []
    for job in jobs:
        signal.setitimer(signal.ITIMER_REAL, limits.seconds_per_file)
        try:
            done.append(work(job))
        except MemoryError:
            done.append(failed(job, memory_exceeded(limits)))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return done


def chunk_size(files: int, workers: int) -> int:
    return max(1, min(CHUNK_FILES, math.ceil(files / (CHUNKS_PER_WORKER * workers))))


def map_bounded(work: Callable[[Job], Result], failed: Callable[[Job, Failure], Result],
                jobs: Sequence[Job], workers: int | None = None, *,
                setup: Callable[..., None] | None = None, setup_args: tuple = ()) -> list[Result]:
    """`work(job)` for every job, in worker processes within the reader's limits; results in
    job order. A job whose work did not return (a crash, the memory cap, the time limit)
    gets `failed(job, failure)`. `work` and `failed` are module-level functions (they are
    sent to the workers), and so is `setup`, run with `setup_args` once in each worker before
    its first job. At most `workers` worker processes (default: one per CPU), fewer for few
    files."""
    if not jobs:
        return []
    limits = read_limits()
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) // FILES_PER_WORKER))
    size = chunk_size(len(jobs), workers)
    chunks = [list(jobs[start:start + size]) for start in range(0, len(jobs), size)]
    # One thread per worker for polars (inherited through the environment at spawn): the
    # workers are the parallelism, and each thread reserves address space under the cap.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    done: dict[tuple, list[Result]] = {}
    queue = [((number,), chunk) for number, chunk in enumerate(chunks)]
    blame = False
    while queue:
        # A pool whose worker died holding no task (pebble then calls it broken and aborts
        # every task) is replaced, and what it had not finished goes to the next one. Only
        # when a pool breaks twice in a row with nothing finished is the chunk waited on
        # blamed, so the loop ends: it is done one file per task, and a file alone is failed.
        finished, queue, progressed = _through_one_pool(
            work, failed, queue, workers, limits, setup, setup_args, blame)
        done |= finished
        blame = bool(queue) and not progressed
    return [result for index in sorted(done) for result in done[index]]


def _through_one_pool(work, failed, queue: list[tuple[tuple, list]], workers: int,
                      limits: ReadLimits, setup, setup_args: tuple, blame: bool):
    """The queued chunks through one process pool: what finished, what is left when the
    pool broke (empty if it did not), and whether anything finished."""
    finished: dict[tuple, list] = {}
    # spawn, not fork: the parent may hold Dagster's threads and open DuckDB handles.
    with ProcessPool(max_workers=workers, initializer=_start_worker,
                     initargs=(limits.worker_memory_mb, setup, setup_args),
                     context=multiprocessing.get_context("spawn")) as pool:

        def schedule(chunk: list):
            return pool.schedule(_run_chunk, args=(work, failed, chunk, limits),
                                 timeout=limits.seconds_per_file * len(chunk)
                                 + CHUNK_GRACE_SECONDS)

        # Waited on in order; a chunk that failed is followed by its files, one per task.
        pending = [(index, chunk, schedule(chunk)) for index, chunk in queue]
        position = 0
        while position < len(pending):
            index, chunk, future = pending[position]
            try:
                finished[index] = future.result()
            except BrokenProcessPool as error:
                rest = [(i, c) for i, c, _ in pending[position:]]
                if not blame:
                    return finished, rest, bool(finished)
                if len(chunk) > 1:
                    return finished, _one_by_one(index, chunk) + rest[1:], True
                finished[index] = [failed(chunk[0], _failure(error, limits))]
                return finished, rest[1:], True
            except (TaskTimeout, MemoryError, ProcessExpired) as error:
                if len(chunk) == 1:
                    finished[index] = [failed(chunk[0], _failure(error, limits))]
                else:
                    try:
                        singles = [(i, c, schedule(c)) for i, c in _one_by_one(index, chunk)]
                    except RuntimeError:  # the pool broke meanwhile: the next pool does them
                        rest = [(i, c) for i, c, _ in pending[position + 1:]]
                        return finished, _one_by_one(index, chunk) + rest, bool(finished)
                    pending[position + 1:position + 1] = singles
            position += 1
    return finished, [], True


def _one_by_one(index: tuple, chunk: list) -> list[tuple[tuple, list]]:
    """A chunk's files queued one per task, keeping their place in the order of results."""
    return [((*index, number), [job]) for number, job in enumerate(chunk)]


def _failure(error: BaseException, limits: ReadLimits) -> Failure:
    """What a task of one file that did not return says of that file."""
    if isinstance(error, TaskTimeout):
        return timed_out(limits)
    if isinstance(error, MemoryError):
        return memory_exceeded(limits)
    if isinstance(error, ProcessExpired):
        if error.exitcode == -signal.SIGALRM:
            return timed_out(limits)
        if error.exitcode == -signal.SIGABRT:
            # Native code (calamine, polars) that cannot allocate under the cap aborts.
            return memory_exceeded(limits)
        return Failure("unreadable_file", f"读取时程序崩溃（退出码 {error.exitcode}）")
    # BrokenProcessPool: every worker died at once; which file did it cannot be told, and
    # this one is reported.
    return Failure("unreadable_file", "读取时程序崩溃")
