"""The new-file sensor, tick by tick: a file appears, is still growing, is stable; the same
content appears under a new name; an edit that keeps size and mtime; a run fails and is
requested again rather than skipped for its used run key."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs


def tick(instance: dg.DagsterInstance, cursor: str | None):
    sensor = defs.resolve_sensor_def("new_files_sensor")
    return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor))


def test_sensor_follows_the_folder_by_content(bangfu_env) -> None:
    raw = bangfu_env["raw"]
    instance = dg.DagsterInstance.ephemeral()

    form = raw / "儿科_2021年3月.csv"
    form.write_bytes(b"name,visits\nzs,1\n")
    appeared = tick(instance, None)  # just appeared: it may still be copying
    assert appeared.run_requests == [] and "1 still changing" in appeared.skip_message

    with form.open("ab") as fh:
        fh.write(b"ls,2\n")
    growing = tick(instance, appeared.cursor)
    assert growing.run_requests == [] and "1 still changing" in growing.skip_message

    stable = tick(instance, growing.cursor)  # held its size and mtime since the last tick
    (first,) = stable.run_requests
    assert first.tags["bangfu/changed_files"] == "1"

    quiet = tick(instance, stable.cursor)
    assert quiet.run_requests == [] and "0 still changing" in quiet.skip_message

    # The same content under a new name: hashed once it held, then a run for the new path.
    shutil.copy2(form, raw / "儿科_2021年3月_副本.csv")
    seen = tick(instance, quiet.cursor)
    assert seen.run_requests == []
    (copy,) = tick(instance, seen.cursor).run_requests
    assert copy.run_key != first.run_key and copy.tags["bangfu/changed_files"] == "1"
    after_copy = tick(instance, tick(instance, seen.cursor).cursor)

    # An edit that keeps size and mtime (cp -p, rsync -t): its ctime moved; hashed again.
    before = form.stat()
    form.write_bytes(b"name,visits\nzs,9\nls,2\n")
    os.utime(form, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert form.stat().st_size == before.st_size
    edited = tick(instance, tick(instance, after_copy.cursor).cursor)
    (edit,) = edited.run_requests
    assert edit.tags["bangfu/changed_files"] == "1"

    # That run fails: the same folder is requested again, under a new key.
    instance.add_run(dg.DagsterRun(job_name="bangfu_pipeline", run_id="f" * 32,
                                   status=dg.DagsterRunStatus.FAILURE,
                                   tags={"dagster/run_key": edit.run_key}))
    (retry,) = tick(instance, edited.cursor).run_requests
    assert retry.run_key != edit.run_key and retry.run_key.endswith("#2")
    assert tick(instance, tick(instance, edited.cursor).cursor).run_requests == []


def one_file_settled(raw: Path, instance: dg.DagsterInstance):
    """The tick that requests a run for a folder of one file, once it held."""
    (raw / "a.csv").write_bytes(b"x")
    settled = tick(instance, tick(instance, None).cursor)
    assert len(settled.run_requests) == 1
    return settled


def test_removed_files_are_a_change_at_once(bangfu_env) -> None:
    raw: Path = bangfu_env["raw"]
    instance = dg.DagsterInstance.ephemeral()
    settled = one_file_settled(raw, instance)
    (raw / "a.csv").unlink()
    assert len(tick(instance, settled.cursor).run_requests) == 1


def test_a_registry_edit_is_a_change_and_a_broken_registry_waits(bangfu_env) -> None:
    import openpyxl

    from pipelines.cli import main

    instance = dg.DagsterInstance.ephemeral()
    settled = one_file_settled(bangfu_env["raw"], instance)
    assert main(["registry", "init"]) == 0  # the same registry, now a workbook: no change
    quiet = tick(instance, settled.cursor)
    assert quiet.run_requests == []

    book = openpyxl.load_workbook(bangfu_env["registry"])
    book["医院"].append(["杭州市第一人民医院", "三级", "浙江省"])
    book.save(bangfu_env["registry"])
    (edited,) = tick(instance, quiet.cursor).run_requests
    assert edited.tags["bangfu/changed_files"] == "0"

    book["帮扶关系"].append(["未登记的医院", "杭州市第一人民医院"])
    book.save(bangfu_env["registry"])
    broken = tick(instance, quiet.cursor)
    assert broken.run_requests == [] and "1 error(s)" in broken.skip_message
