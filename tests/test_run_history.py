"""`bangfu run` records its runs in Dagster's SQLite history without syncing the disk for
each of their hundreds of events (pipelines.cli._keep_run_history_open)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# What Dagster's SQLite storage does for each event: a new engine, one write, close.
HISTORY = """
import json, os, sys
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
if sys.argv[2] == "kept":
    from pipelines.cli import _keep_run_history_open
    _keep_run_history_open()
url = "sqlite:///" + sys.argv[1]
seen = []
for event in range(5):
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        if event == 0:  # a run's database is made WAL by its first connection
            conn.execute(text("PRAGMA journal_mode=WAL"))
            conn.execute(text("create table event_logs (id integer primary key, body text)"))
        conn.execute(text("insert into event_logs (body) values ('event')"))
        synchronous = conn.execute(text("PRAGMA synchronous")).scalar()
        conn.commit()
    engine.dispose()
    seen.append([synchronous, os.path.exists(sys.argv[1] + "-wal")])
print(json.dumps(seen))
"""


# What `bangfu run` does: its instance (pipelines.cli._dagster_instance) records a run's events.
RUN = """
import json, os, sys
from dagster import DagsterInstance
from dagster._core.test_utils import create_run_for_test
if sys.argv[1] == "kept":
    from pipelines.cli import _dagster_instance
    instance = _dagster_instance()
else:
    instance = DagsterInstance.get()
run = create_run_for_test(instance, job_name="bangfu_pipeline")
for event in range(5):
    instance.report_engine_event(f"event {event}", run)
shard = os.path.join(os.environ["DAGSTER_HOME"], "history", "runs", run.run_id + ".db")
print(json.dumps([len(instance.all_logs(run.run_id)), os.path.exists(shard + "-wal")]))
"""


def run_events(home: Path, mode: str) -> list:
    home.mkdir()
    done = subprocess.run([sys.executable, "-c", RUN, mode], capture_output=True, text=True,
                          check=True, env={**os.environ, "DAGSTER_HOME": str(home)})
    return json.loads(done.stdout.splitlines()[-1])


def events(database: Path, mode: str) -> list[list]:
    done = subprocess.run([sys.executable, "-c", HISTORY, str(database), mode],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_run_history_is_not_synced_event_by_event(tmp_path: Path) -> None:
    # SQLite's defaults: each commit synced (FULL = 2), and the WAL checkpointed into the
    # database and deleted whenever the only connection closes.
    assert events(tmp_path / "plain.db", "plain") == [[2, False]] * 5
    # bangfu's: commits not synced (NORMAL = 1), and from the moment the database is in WAL
    # mode, the WAL kept open across connections.
    assert events(tmp_path / "kept.db", "kept") == [[1, False]] + [[1, True]] * 4


def test_bangfu_runs_keep_their_history_open(tmp_path: Path) -> None:
    # Dagster alone: the run's database is checkpointed and its WAL deleted as each event's
    # connection closes; through bangfu's instance, the WAL stays while the run goes on.
    assert run_events(tmp_path / "plain", "plain") == [5, False]
    assert run_events(tmp_path / "kept", "kept") == [5, True]
