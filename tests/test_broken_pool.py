"""A worker that dies holding no task (here: while it starts) breaks pebble's pool, which then
aborts every task; map_bounded does the files in a new pool instead of failing the step
(what once failed a run's ingest with "Unexpected error within the Pool")."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.bounded import Failure, map_bounded


def echo(job: str) -> tuple[str, str]:
    return ("read", job)


def not_read(job: str, failure: Failure) -> tuple[str, str]:
    return (failure.code, job)


def die_the_first_time(marker: str) -> None:
    """A worker's start-up that ends the first worker (before it takes any task)."""
    if not Path(marker).exists():
        Path(marker).touch()
        os._exit(3)


def test_a_pool_broken_by_a_worker_holding_no_task_costs_no_file(tmp_path: Path) -> None:
    jobs = [f"file{number}" for number in range(6)]
    done = map_bounded(echo, not_read, jobs, workers=1, setup=die_the_first_time,
                       setup_args=(str(tmp_path / "died"),))
    assert (tmp_path / "died").exists()  # the first pool did break
    assert done == [("read", job) for job in jobs]
