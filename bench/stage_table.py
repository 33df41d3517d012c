"""`python -m bench.stage_table [--size N] [--quick] [--only NAME] [--repeats N]`: bangfu's
stages one by one (read, batch, load, validate) on a bench corpus (bench/corpus.py), each in
its own process; prints a table and writes bench/results/stages.json. The whole runs are
`python -m bench`'s."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.context import run_context
from bench.corpus import cached_corpus

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "stages.json"
DEFAULT_SIZE, QUICK_SIZE = 2_500, 400
# Benchmark name → the stage processes it runs.
BENCHMARK_STAGES = {
    "read": ["read_pool", "read_single"],
    "batch": ["batch"],
    "load": ["load"],
    "validate": ["validate"],
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


def _meta(argv: Sequence[str], repeats: int) -> dict[str, Any]:
    return {**run_context(" ".join(["python -m bench.stage_table", *argv])), "repeats": repeats}


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
        rows.append(["load: store.add_read, fresh DuckDB", f"{rows_loaded:,} rows",
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
                     f"sha256 {corpus['fingerprint'][:12]} (bench/corpus.py)")
    rows = _stage_rows(results["stages"])
    lines += ["", _table(["benchmark", "input", "median", "min", "throughput",
                          "peak RSS (+growth)"], rows)]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench.stage_table", description=__doc__)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE,
                        help=f"corpus size in files (default {DEFAULT_SIZE:,})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE} files")
    parser.add_argument("--only", choices=list(BENCHMARK_STAGES), help="one benchmark")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls each (default 3)")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(BENCHMARK_STAGES)
    stages = [stage for name in names for stage in BENCHMARK_STAGES[name]]

    results: dict[str, Any] = {"meta": _meta(argv, args.repeats), "stages": {}}
    with tempfile.TemporaryDirectory(prefix="bangfu-bench-") as tmp:
        workdir = Path(tmp)
        corpus = cached_corpus(QUICK_SIZE if args.quick else args.size,
                               lambda line: print(line, file=sys.stderr, flush=True))
        results["corpus"] = corpus.describe()
        (workdir / "corpus.json").write_text(json.dumps(results["corpus"]), encoding="utf-8")
        _run_stage("prepare", workdir, args.repeats)
        for stage in stages:
            results["stages"][stage] = _run_stage(stage, workdir, args.repeats)
    results["meta"]["load_average_after"] = os.getloadavg()

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(report(results))
    print(f"\n(written to {RESULTS.relative_to(REPO_ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
