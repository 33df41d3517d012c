"""`python -m bench.hostile [WORKDIR]`: the peak memory of a whole `bangfu run` on the sample
corpus with hostile files beside it (bench/hostile_files.py: a 1M-row CSV, a zip bomb of a
600 MB sheet in a file of well under 1 MB, XXE, billion laughs, a cell at XFD1048576, …).
Each must be rejected or reported with its code while the sample is loaded, and
the largest RSS of any process of the run (bangfu, its reading workers, dbt; wait4 on the
child) must stay under 1 GiB. Prints one JSON line."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import duckdb

from bench.hostile_files import write_hostile_files
from bench.whole_run import bangfu_run, environment
from pipelines.authoring.sample import write_sample_corpus

GIB_KIB = 1 << 20


def measure(workdir: Path) -> dict:
    raw = workdir / "raw"
    files = write_sample_corpus(raw / "sample")
    # An activity form (the hostile workbooks are made from one: their period line among it).
    template = next(p for p in files if p.suffix == ".xlsx" and p.name.endswith("统计表.xlsx"))
    hostile = raw / "hostile"
    hostile.mkdir()
    write_hostile_files(hostile, template)
    env = environment(workdir)
    result = bangfu_run(env, workdir / "run.log")
    with duckdb.connect(env["BANGFU_WAREHOUSE"], read_only=True) as con:
        codes = dict(con.execute(
            "select file_path, code from ingest_issues where file_path like 'hostile/%'"
        ).fetchall())
        statuses = dict(con.execute(
            "select status, count(*) from ingest_files group by all").fetchall())
    return {
        "exit_code": result["exit_code"],
        "seconds": round(result["seconds"], 1),
        "peak_rss_mib": round(result["peak_rss_kib"] / 1024),
        "under_1_gib": result["peak_rss_kib"] < GIB_KIB,
        "hostile_codes": codes,
        "statuses": statuses,
        "sizes_mb": {p.name: round(p.stat().st_size / 1e6, 1) for p in hostile.iterdir()},
    }


def main(argv: list[str]) -> None:
    if argv:
        workdir = Path(argv[0])
        workdir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(measure(workdir), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory(prefix="bangfu-hostile-") as folder:
        print(json.dumps(measure(Path(folder)), ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
