"""The in-process stage benchmarks. `python -m bench` runs each stage in a fresh interpreter
, so its imports are paid outside the timed calls and its peak RSS is its
own. A stage reads WORKDIR/corpus.json and writes WORKDIR/STAGE.json.
`prepare` (untimed) scans and reads the corpus once and pickles what the later stages start
from, so `batch`, `load` and `validate` never pay for reading.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.memory import children_peak_rss_kib, current_rss_kib, peak_rss_kib, reset_peak_rss
from pipelines.batch import FormBatch
from pipelines.digests import reader_key
from pipelines.forms.model import ParsedFile
from pipelines.forms.pool import read_forms
from pipelines.forms.reader import read_form
from pipelines.settings import Settings
from pipelines.warehouse import manifest as raw_manifest
from pipelines.warehouse import store

Result = TypeVar("Result")
Job = tuple[Path, str]  # (file to open, path relative to the raw folder), as read_forms takes

# Fixed, so that the batch (its parsed_at column) is the same input on every run.
PARSED_AT = dt.datetime(2023, 1, 20, 2, 0)
JOBS_FILE = "jobs.json"
PREPARED_FILE = "prepared.pickle"


def corpus_root(workdir: Path) -> Path:
    return Path(json.loads((workdir / "corpus.json").read_text(encoding="utf-8"))["root"])


def load_jobs(workdir: Path) -> tuple[list[Job], int]:
    """The jobs of the corpus's distinct contents and their total size in bytes."""
    entries = json.loads((workdir / JOBS_FILE).read_text(encoding="utf-8"))
    jobs = [(Path(entry["path"]), entry["relative_path"]) for entry in entries]
    return jobs, sum(entry["size_bytes"] for entry in entries)


def load_prepared(workdir: Path) -> tuple[raw_manifest.Scan, dict[tuple[str, str], ParsedFile]]:
    with (workdir / PREPARED_FILE).open("rb") as fh:
        prepared = pickle.load(fh)
    return prepared["scan"], prepared["parsed"]


def measure(run: Callable[[int], Result], repeats: int,
            summarise: Callable[[Result], dict[str, Any]]) -> dict[str, Any]:
    """Time `run(i)` for i in range(repeats), each result dropped before the next call;
    `summarise` describes the first result. Memory is from just before the first call."""
    baseline = current_rss_kib()
    peak_is_own = reset_peak_rss()
    seconds: list[float] = []
    summary: dict[str, Any] = {}
    for index in range(repeats):
        start = time.perf_counter()
        result = run(index)
        seconds.append(time.perf_counter() - start)
        if index == 0:
            summary = summarise(result)
        del result
    return {
        "seconds": seconds,
        "baseline_rss_kib": baseline,
        "peak_rss_kib": peak_rss_kib(),
        "peak_excludes_setup": peak_is_own,
        **summary,
    }


def prepare(workdir: Path, repeats: int) -> dict[str, Any]:
    """The manifest (as the pipeline scans it) and the distinct contents, read once."""
    root = corpus_root(workdir)
    scan = raw_manifest.scan(root, workdir / "scan-warehouse")
    manifest = scan.files
    # The same choice as the parsed_forms asset: each content once, from its first path.
    distinct = manifest.sort("file_path").unique("sha256", keep="first", maintain_order=True)
    jobs_file = [
        {"path": str(root / row["file_path"]), "relative_path": row["file_path"],
         "sha256": row["sha256"], "size_bytes": row["size_bytes"]}
        for row in distinct.iter_rows(named=True)
    ]
    (workdir / JOBS_FILE).write_text(json.dumps(jobs_file, ensure_ascii=False), encoding="utf-8")
    jobs, _ = load_jobs(workdir)
    parsed = dict(zip(zip(distinct["sha256"], distinct["file_path"], strict=True),
                      read_forms(jobs), strict=True))
    with (workdir / PREPARED_FILE).open("wb") as fh:
        pickle.dump({"scan": scan, "parsed": parsed}, fh, pickle.HIGHEST_PROTOCOL)
    return {"files_scanned": manifest.height, "distinct_contents": len(jobs)}


def read_pool(workdir: Path, repeats: int) -> dict[str, Any]:
    jobs, size = load_jobs(workdir)
    # A pool of one worker reading one file: the price of starting worker processes.
    startup = measure(lambda _: read_forms(jobs[:1]), repeats, lambda _: {})
    result = measure(lambda _: read_forms(jobs), repeats,
                     lambda forms: {"reports": sum(len(f.reports) for f in forms)})
    return {
        **result,
        "files": len(jobs),
        "bytes": size,
        "workers": min(os.cpu_count() or 1, len(jobs)),
        "worker_peak_rss_kib": children_peak_rss_kib(),
        "pool_startup_seconds": startup["seconds"],
    }


def read_single(workdir: Path, repeats: int) -> dict[str, Any]:
    jobs, size = load_jobs(workdir)
    result = measure(
        lambda _: [read_form(path.read_bytes(), relative) for path, relative in jobs],
        repeats,
        lambda forms: {"reports": sum(len(f.reports) for f in forms)},
    )
    return {**result, "files": len(jobs), "bytes": size}


def _rows(batch: FormBatch) -> dict[str, int]:
    return {table: getattr(batch, table).height for table in FormBatch.table_names()}


def batch(workdir: Path, repeats: int) -> dict[str, Any]:
    _, parsed = load_prepared(workdir)
    return measure(
        lambda _: FormBatch.from_parsed(parsed, reader_key(), PARSED_AT),
        repeats,
        lambda made: {
            "files": len(parsed),
            "rows": _rows(made),
            "frames_bytes": sum(
                getattr(made, table).estimated_size() for table in FormBatch.table_names()
            ),
        },
    )


def load(workdir: Path, repeats: int) -> dict[str, Any]:
    scan, parsed = load_prepared(workdir)
    form_batch = FormBatch.from_parsed(parsed, reader_key(), PARSED_AT)
    del parsed
    # One fresh working copy per repetition, made before the clock starts.
    databases = [
        store.start_working_copy(Settings(
            raw_dir=corpus_root(workdir),
            warehouse=workdir / f"load-{index}" / "bangfu.duckdb",
            site_dir=workdir / "site",
        ))
        for index in range(repeats)
    ]
    result = measure(
        lambda index: store.add_read(databases[index], form_batch.tables()),
        repeats,
        lambda counts: {"rows": {**counts, "file_versions": scan.files.height}},
    )
    return {**result, "database_bytes": databases[0].stat().st_size}


def validate(workdir: Path, repeats: int) -> dict[str, Any]:
    """The first call pays for Great Expectations' context and data sources; the import
    itself is timed on its own first."""
    from pipelines.validation import suites

    _, parsed = load_prepared(workdir)
    form_batch = FormBatch.from_parsed(parsed, reader_key(), PARSED_AT)
    del parsed
    start = time.perf_counter()
    import great_expectations  # noqa: F401  (timed: the pipeline imports it lazily)

    import_seconds = time.perf_counter() - start
    result = measure(
        lambda _: suites.validate(form_batch),
        repeats + 1,
        lambda outcome: {
            "rows": {r.suite: r.frame_rows for r in outcome[1]},
            "issues_added": outcome[0].issues.height - form_batch.issues.height,
        },
    )
    return {**result, "gx_import_seconds": import_seconds}


STAGES: dict[str, Callable[[Path, int], dict[str, Any]]] = {
    "prepare": prepare,
    "read_pool": read_pool,
    "read_single": read_single,
    "batch": batch,
    "load": load,
    "validate": validate,
}


def main(argv: list[str]) -> None:
    stage, workdir, repeats = argv
    result = STAGES[stage](Path(workdir), int(repeats))
    (Path(workdir) / f"{stage}.json").write_text(json.dumps(result), encoding="utf-8")
