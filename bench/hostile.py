"""`python -m bench.hostile [WORKDIR]`: the peak memory of a whole `bangfu run` on the sample
corpus with hostile files beside it: a 1M-row CSV and a zip bomb (a 600 MB sheet in a file
of well under 1 MB). Both must be rejected with their codes while the sample is loaded, and
the largest RSS of any process of the run (bangfu, its reading workers, dbt; wait4 on the
child) must stay under 1 GiB. Prints one JSON line."""

from __future__ import annotations

import json
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb

from bench.whole_run import bangfu_run, environment
from pipelines.authoring.sample import write_sample_corpus

GIB_KIB = 1 << 20


def write_million_row_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("临夏州人民医院对口支援和政县人民医院工作统计表\n统计周期：2021年3月\n")
        out.write("姓名,诊疗人次,开展手术例数\n")
        out.writelines(f"人员{i},{i % 97},{i % 5}\n" for i in range(1_000_000))
    return path


def write_zip_bomb(path: Path, template: Path, inflated_mb: int = 600) -> Path:
    """A real workbook whose first sheet's XML is padded to `inflated_mb` of blanks."""
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, src.read(item))
                continue
            with out.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                block = b" " * (1 << 20)
                for _ in range(inflated_mb):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return path


def measure(workdir: Path) -> dict:
    raw = workdir / "raw"
    files = write_sample_corpus(raw / "sample")
    template = next(p for p in files if p.suffix == ".xlsx")
    hostile = raw / "hostile"
    hostile.mkdir()
    write_million_row_csv(hostile / "一百万行.csv")
    write_zip_bomb(hostile / "解压炸弹.xlsx", template)
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
