"""`python -m bench [--sizes 2500,5000,10000,20000] [--quick] [--province NAME,…] [--keep DIR]`:
bangfu at provincial scale, side by side in one run (issue 14's targets are ratios within one
run, so the shared machine's noise cancels).

Then each province shape (bench/province.py; default `province`: 100 pairs in a generated
registry, 100,000 forms; `two-pairs`: issue 22's 10,000 forms by 23,000 persons; `none`: no
shape) is measured as bench/province_bench.py says: pandas reading it, the three runs, the
site's size and largest file, the time Chromium draws the overview, a pair's explorer and its
quality page.

For each corpus size N (bench/corpus.py, cached in bench/corpora/): bare python-calamine,
pandas.read_excel and bangfu's read stage reading every file (bench/readers.py), then
`bangfu run` in a fresh raw folder, warehouse, site and DAGSTER_HOME three times: cold, with
nothing changed, and after 1% of the forms arrived or changed. Every measurement is its own
process; its peak memory is the largest process of its tree (wait4). Writes bench/results.md
and bench/results/latest.json (every figure, git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import corpus as corpora
from bench import province_bench, report
from bench.context import run_context
from bench.readers import READER_CODE, READERS, write_jobs
from bench.whole_run import REPO_ROOT, bangfu_run, dagster_runs, environment, run_measured

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_MD = BENCH_DIR / "results.md"
RESULTS_JSON = BENCH_DIR / "results" / "latest.json"
SIZES = (2_500, 5_000, 10_000, 20_000)
QUICK_SIZES = (400,)
RUNS = ("cold", "no_change", "one_percent")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _warm_page_cache(paths: list[Path]) -> None:
    """Every reader then starts from files in memory, as the copy left most of them."""
    for path in paths:
        path.read_bytes()


def _read(reader: str, jobs: Path, workdir: Path) -> dict[str, Any]:
    _log(f"bench:   {reader} …")
    out = workdir / f"{reader}.json"
    measured = run_measured([sys.executable, "-c", READER_CODE, reader, str(jobs), str(out)],
                            environment(workdir), workdir / f"{reader}.log")
    if measured["exit_code"] != 0:
        sys.exit(f"bench: {reader} failed:\n" + "\n".join(measured["log_tail"]))
    # The reading loop's own time, not the interpreter's start-up and imports.
    inner = json.loads(out.read_text(encoding="utf-8"))
    return {**inner, "process_seconds": measured["seconds"],
            "peak_rss_kib": measured["peak_rss_kib"], "load_average_after": os.getloadavg()}


def _warehouse_files(warehouse: Path) -> dict[str, Any]:
    """What the published warehouse says it saw: file versions per status."""
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            statuses = dict(con.execute(
                "select status, count(*) from ingest_files group by all order by all").fetchall())
    except duckdb.Error as exc:  # a failed run may have published nothing
        return {"error": str(exc).splitlines()[0]}
    return {"file_versions": sum(statuses.values()), "statuses": statuses}


def _run(kind: str, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    _log(f"bench:   bangfu run ({kind}) …")
    result = bangfu_run(env, workdir / f"run-{kind}.log")
    return {**result, "load_average_after": os.getloadavg(),
            "warehouse": _warehouse_files(Path(env["BANGFU_WAREHOUSE"]))}


def measure_size(corpus: corpora.Corpus, workdir: Path) -> dict[str, Any]:
    raw = corpora.copy_corpus(corpus, workdir / "raw")
    paths = sorted(path for path in raw.rglob("*") if path.is_file())
    _warm_page_cache(paths)
    jobs = write_jobs(raw, paths, workdir / "jobs.json")
    result: dict[str, Any] = {"corpus": corpus.describe(), "readers": {}, "runs": {}}
    for reader in READERS:
        result["readers"][reader] = _read(reader, jobs, workdir)
    env = environment(workdir, raw)
    result["runs"]["cold"] = _run("cold", env, workdir)
    result["runs"]["no_change"] = _run("no_change", env, workdir)
    change = corpora.change_one_percent(raw, corpus)
    result["change"] = {"added": len(change.added), "edited": len(change.edited)}
    result["runs"]["one_percent"] = _run("one_percent", env, workdir)
    for run, dagster_run in zip(result["runs"].values(), dagster_runs(workdir / "dagster"),
                                strict=False):
        run.update(dagster_run)
    return result


def _meta(argv: Sequence[str]) -> dict[str, Any]:
    return {**run_context(" ".join(["python -m bench", *argv])),
            "generator": corpora.generator_version()}


def _write(results: dict[str, Any]) -> str:
    """Both result files; called after each size, so a long run that fails keeps the sizes
    it measured."""
    results["meta"]["load_average_after"] = os.getloadavg()
    RESULTS_JSON.parent.mkdir(exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    text = report.markdown(results)
    RESULTS_MD.write_text(text, encoding="utf-8")
    return text


def _sizes(text: str) -> tuple[int, ...]:
    if text.strip() == "none":
        return ()
    sizes = tuple(sorted({int(part.replace("_", "").replace(",", ""))
                          for part in text.split(",") if part.strip()}))
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError("sizes are numbers of files, at least 10 each")
    return sizes


def _shapes(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if names == ("none",):
        return ()
    unknown = set(names) - set(province_bench.SHAPES)
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"shapes are none or {', '.join(province_bench.SHAPES)}; not {sorted(unknown)}")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=SIZES, metavar="N,N,…",
                        help="corpus sizes in files (default 2500,5000,10000,20000; none: no size)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run on {QUICK_SIZES[0]} files (overrides --sizes)")
    parser.add_argument("--province", type=_shapes, default=("province",), metavar="NAME,…",
                        help="province shapes to measure after the sizes (default province; "
                             "none: no shape)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep its raw folders, warehouses and logs")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else args.sizes

    results: dict[str, Any] = {"meta": _meta(argv), "sizes": {}, "province": {}}
    for size in sizes:
        corpus = corpora.cached_corpus(size, _log)
        _log(f"bench: N = {size:,}")
        if args.keep:
            workdir = args.keep / f"n{size:06d}"
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            results["sizes"][str(size)] = measure_size(corpus, workdir)
        else:
            with tempfile.TemporaryDirectory(prefix=f"bangfu-bench-{size}-") as tmp:
                results["sizes"][str(size)] = measure_size(corpus, Path(tmp))
        text = _write(results)
    for name in args.province:
        _log(f"bench: the {name} corpus")
        shape = province_bench.SHAPES[name]
        if args.keep:
            workdir = args.keep / name
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            measured = province_bench.measure_province(shape, workdir, _read, _run, _log)
        else:
            with tempfile.TemporaryDirectory(prefix=f"bangfu-bench-{name}-") as tmp:
                measured = province_bench.measure_province(shape, Path(tmp), _read, _run, _log)
        results["province"][name] = measured
        text = _write(results)
    print(text)
    print(f"(written to {RESULTS_MD.relative_to(REPO_ROOT)} and "
          f"{RESULTS_JSON.relative_to(REPO_ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
