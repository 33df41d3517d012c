"""`python -m bench [--quick] [--only NAME] [--repeats N]`: write the corpora, run each
benchmark in its own process, print a table and write bench/results/latest.json."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import whole_run
from bench.corpus import VARIANTS_FULL, VARIANTS_QUICK, write_corpus

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "latest.json"
# Benchmark name → the stage processes it runs (whole_run runs outside this table).
BENCHMARK_STAGES = {
    "read": ["read_pool", "read_single"],
    "batch": ["batch"],
    "load": ["load"],
    "validate": ["validate"],
    "run": [],
}
STAGE_CODE = "import sys; from bench.stages import main; main(sys.argv[1:])"
MIB = 1024 * 1024


def _stage_command(stage: str, workdir: Path, repeats: int) -> list[str]:
    # `-c`, not `-m bench.stages`: spawned pool workers re-import a main module that has a
    # name, and that one would load DuckDB into every worker. bangfu's own main module (the
    # console script) is light, so reading here costs what it costs in a run.
    return [sys.executable, "-c", STAGE_CODE, stage, str(workdir), str(repeats)]


def _run_stage(stage: str, workdir: Path, repeats: int) -> dict[str, Any]:
    print(f"bench: {stage} …", file=sys.stderr, flush=True)
    log = workdir / f"{stage}.log"
    with log.open("wb") as out:
        done = subprocess.run(_stage_command(stage, workdir, repeats), cwd=REPO_ROOT,
                              env={**os.environ, "GX_ANALYTICS_ENABLED": "False"},
                              stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        sys.exit(f"bench: stage {stage} failed:\n{log.read_text(errors='replace')[-4000:]}")
    result = json.loads((workdir / f"{stage}.json").read_text(encoding="utf-8"))
    # Other work shares the machine: keep the load each stage finished under.
    return {**result, "load_average_after": os.getloadavg()}


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip()


def _meta(argv: Sequence[str], repeats: int) -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *argv]),
        "commit": _git("rev-parse", "--short", "HEAD"),
        # Others edit the measured code at the same time: say whether it had local changes.
        "measured_code_changed": bool(_git("status", "--porcelain", "--", "pipelines",
                                           "dbt_project", "expectations", "dashboards")),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "repeats": repeats,
    }


# ----------------------------------------------------------------------------------------
# The table.


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _timing(seconds: list[float]) -> tuple[str, str]:
    return _seconds(statistics.median(seconds)), _seconds(min(seconds))


def _rate(amount: float, seconds: list[float], unit: str) -> str:
    return f"{_count(amount / statistics.median(seconds))} {unit}/s"


def _memory(result: dict[str, Any]) -> str:
    grew = result["peak_rss_kib"] - result["baseline_rss_kib"]
    # Without a reset of the high-water mark, the peak may be the setup's, not the stage's.
    unsure = "" if result["peak_excludes_setup"] else " (peak may be setup's)"
    return f"{_mib(result['peak_rss_kib'])} (+{_mib(grew)}){unsure}"


def _read_row(label: str, result: dict[str, Any], memory: str) -> list[str]:
    megabytes = result["bytes"] / MIB
    return [label, f"{result['files']:,} files · {megabytes:.1f} MiB", *_timing(result["seconds"]),
            _rate(result["files"], result["seconds"], "files") + " · "
            + f"{megabytes / statistics.median(result['seconds']):.2f} MiB/s", memory]


def _stage_rows(stages: dict[str, dict[str, Any]]) -> list[list[str]]:
    rows = []
    if pool := stages.get("read_pool"):
        rows.append(_read_row(f"read: read_forms, {pool['workers']} workers", pool,
                              f"{_memory(pool)}; worker {_mib(pool['worker_peak_rss_kib'])}"))
        rows.append(["read: pool start-up (1 file)", "1 file",
                     *_timing(pool["pool_startup_seconds"]), "", ""])
    if single := stages.get("read_single"):
        rows.append(_read_row("read: read_form, 1 process", single, _memory(single)))
    if batch := stages.get("batch"):
        rows_made = sum(batch["rows"].values())
        rows.append(["batch: FormBatch.from_parsed", f"{batch['files']:,} files → "
                     f"{rows_made:,} rows", *_timing(batch["seconds"]),
                     _rate(rows_made, batch["seconds"], "rows"),
                     f"{_memory(batch)}; frames {batch['frames_bytes'] / MIB:.0f} MiB"])
    if load := stages.get("load"):
        rows_loaded = sum(load["rows"].values())
        rows.append(["load: store.load, fresh DuckDB", f"{rows_loaded:,} rows",
                     *_timing(load["seconds"]), _rate(rows_loaded, load["seconds"], "rows"),
                     f"{_memory(load)}; file {load['database_bytes'] / MIB:.0f} MiB"])
    if validate := stages.get("validate"):
        rows_judged = sum(validate["rows"].values())
        first, warm = validate["seconds"][0], validate["seconds"][1:]
        judged = f"{rows_judged:,} rows, {len(validate['rows'])} suites"
        rows.append(["validate: import great_expectations", "", _seconds(
            validate["gx_import_seconds"]), "", "", ""])
        rows.append(["validate: first call (GX context)", judged, _seconds(first), "",
                     "", ""])
        rows.append(["validate: suites.validate", judged, *_timing(warm),
                     _rate(rows_judged, warm, "rows"), _memory(validate)])
    return rows


def _run_rows(run: dict[str, Any]) -> tuple[list[list[str]], list[list[str]]]:
    rows, steps = [], []
    size = f"{run['files']} files · {run['bytes'] / MIB:.1f} MiB"
    for kind in ("cold", "warm"):
        results = run[kind]
        failed = [r["exit_code"] for r in results if r["exit_code"] != 0]
        rows.append([f"run: bangfu run, {kind}", size, *_timing([r["seconds"] for r in results]),
                     f"FAILED (exit {failed[0]}; log in json)" if failed else "",
                     f"{_mib(max(r['peak_rss_kib'] for r in results))} (largest process)"])
        dagster_spans = [r["run_seconds"] for r in results if r.get("run_seconds")]
        if dagster_spans:
            rows.append([f"run: {kind}, inside the Dagster run", "", *_timing(dagster_spans),
                         "", ""])
    names = list(dict.fromkeys(s for r in run["cold"] + run["warm"] for s in r.get("steps", {})))
    for name in names:
        medians = []
        for kind in ("cold", "warm"):
            times = [r["steps"][name] for r in run[kind] if name in r.get("steps", {})]
            medians.append(_seconds(statistics.median(times)) if times else "—")
        steps.append([name, *medians])
    return rows, steps


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     .rstrip() for line in lines)


def report(results: dict[str, Any]) -> str:
    meta, corpus = results["meta"], results.get("corpus")
    before, after = meta["load_average_before"], meta["load_average_after"]
    lines = [
        f"bangfu bench {meta['date']}  commit {meta['commit']}"
        + (" (measured code had local changes)" if meta["measured_code_changed"] else "")
        + f"  {meta['cpus']} CPUs  load average {before[0]:.2f} → {after[0]:.2f}"
        + f"  repeats {meta['repeats']}",
    ]
    if corpus:
        lines.append(f"corpus: {corpus['files']:,} files, {corpus['bytes'] / MIB:.1f} MiB, "
                     f"{len(corpus['seeds'])} sample seed(s), sha256 {corpus['fingerprint'][:12]}")
    rows = _stage_rows(results["stages"])
    steps: list[list[str]] = []
    if "run" in results:
        run_rows, steps = _run_rows(results["run"])
        rows += run_rows
    lines += ["", _table(["benchmark", "input", "median", "min", "throughput",
                          "peak RSS (+growth)"], rows)]
    if steps:
        lines += ["", _table(["Dagster step (median)", "cold", "warm"], steps)]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help=f"{VARIANTS_QUICK} sample corpus instead of {VARIANTS_FULL}; "
                             "no whole run unless --only run")
    parser.add_argument("--only", choices=list(BENCHMARK_STAGES), help="one benchmark")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls each (default 3)")
    args = parser.parse_args(argv)
    if args.only:
        names = [args.only]
    else:
        names = [name for name in BENCHMARK_STAGES if not (args.quick and name == "run")]
    stages = [stage for name in names for stage in BENCHMARK_STAGES[name]]

    results: dict[str, Any] = {"meta": _meta(argv, args.repeats), "stages": {}}
    with tempfile.TemporaryDirectory(prefix="bangfu-bench-") as tmp:
        workdir = Path(tmp)
        if stages:
            print("bench: writing the corpus …", file=sys.stderr, flush=True)
            corpus = write_corpus(workdir / "corpus",
                                  VARIANTS_QUICK if args.quick else VARIANTS_FULL)
            results["corpus"] = corpus.describe()
            (workdir / "corpus.json").write_text(json.dumps(results["corpus"]), encoding="utf-8")
            _run_stage("prepare", workdir, args.repeats)
        for stage in stages:
            results["stages"][stage] = _run_stage(stage, workdir, args.repeats)
        if "run" in names:
            print("bench: bangfu run (cold, warm) …", file=sys.stderr, flush=True)
            results["run"] = whole_run.measure(workdir, args.repeats)
    results["meta"]["load_average_after"] = os.getloadavg()

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(report(results))
    print(f"\n(written to {RESULTS.relative_to(REPO_ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
