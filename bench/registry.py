"""A province's registry, generated, and what it costs: `python -m bench.registry [--pairs 100]
[--forms 200] [--keep DIR]`.

`write_province_registry` writes a registry workbook (the contract's sheets and headers, as
`bangfu registry init` writes them) holding the built-in registry and as many generated pairs
again as make `pairs`: each hospital with two aliases, every pair 40 departments reporting
monthly, 2,000 further departments (40 specialties × 50 wards) each with an alias. The run
measures the loader on it (read and check) and the reader on the first `forms` files of the
sample corpus, in one process, with the built-in registry and with the generated one,
alternately, three times each (the sample's pairs are in both, so the same forms resolve the
same way).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import tempfile
import time
from pathlib import Path

from pipelines.registry import load as registry_load
from pipelines.registry import sheets as spec
from pipelines.registry.load import Registry
from pipelines.registry.write import write_registry

CITIES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "金华", "衢州", "舟山", "台州", "丽水",
          "兰州", "天水", "白银", "武威", "张掖", "酒泉", "定西", "陇南", "平凉", "庆阳",
          "贵阳", "遵义", "六盘水", "安顺", "毕节")
NUMERALS = "一二三四五"
# Two of these make a county's name: 安平县, 宁和县 …
COUNTY_CHARACTERS = "安平宁阳德昌兴华永长清和新东西南北山江河湖泉云龙凤林"
WARDS = 50
DEPARTMENTS_PER_PAIR = 40


def _generated_pairs(count: int) -> list[tuple[tuple[str, str, tuple[str, ...]], ...]]:
    """`count` pairs of (name, province, aliases) hospitals, names unique and no alias equal
    to another hospital's name."""
    supporters = ((f"{city}市第{numeral}人民医院", f"{city}市{numeral}院", f"{city}第{numeral}医院")
                  for numeral in NUMERALS for city in CITIES)
    counties = (a + b for a, b in itertools.permutations(COUNTY_CHARACTERS, 2))
    pairs = []
    for index, (supporter, county) in enumerate(zip(supporters, counties, strict=False)):
        if index == count:
            break
        province = ("浙江省", "甘肃省", "贵州省")[index % 3]
        pairs.append(((supporter[0], province, supporter[1:]),
                      (f"{county}县人民医院", province, (f"{county}县医院", f"{county}县人医"))))
    if len(pairs) < count:
        raise ValueError(f"at most {len(pairs)} generated pairs")
    return pairs


def province_registry(pairs: int) -> Registry:
    """The built-in registry and generated pairs up to `pairs` in all."""
    builtin = registry_load.load(None).registry
    rows = {table: list(table_rows) for table, table_rows in builtin.rows.items()}
    clinical = [name for name, category in builtin.departments.items() if category == "临床"]
    wards = [(f"{base}第{ward}病区", f"{base}{ward}病区")
             for base in clinical for ward in range(1, WARDS + 1)]
    rows[spec.DEPARTMENTS.table] += [{"department": name, "category": "临床"} for name, _ in wards]
    rows[spec.DEPARTMENT_ALIASES.table] += [{"alias": alias, "department": name}
                                            for name, alias in wards]
    start, end = dt.date(2018, 1, 1), dt.date(2022, 12, 31)
    for index, ((supporting, s_province, s_aliases), (recipient, r_province, r_aliases)) in \
            enumerate(_generated_pairs(pairs - len(builtin.pairs))):
        for name, province, level, aliases in ((supporting, s_province, "三级", s_aliases),
                                               (recipient, r_province, "二级", r_aliases)):
            rows[spec.HOSPITALS.table].append(
                {"hospital_name": name, "level": level, "province": province})
            rows[spec.HOSPITAL_ALIASES.table] += [{"alias": alias, "hospital_name": name}
                                                  for alias in aliases]
        rows[spec.PAIRS.table].append({
            "supporting_hospital": supporting, "recipient_hospital": recipient,
            "programme_start": start, "programme_end": end,
            "programme_name_zh": f"{supporting}对口帮扶{recipient}"})
        first = (index * DEPARTMENTS_PER_PAIR) % len(wards)
        for name, _ in (wards + wards)[first:first + DEPARTMENTS_PER_PAIR]:
            rows[spec.EXPECTED_REPORTERS.table].append({
                "supporting_hospital": supporting, "recipient_hospital": recipient,
                "department": name, "first_year": 2018, "last_year": 2022,
                "cadence": "month", "months": None})
    return Registry("province", {table: tuple(table_rows) for table, table_rows in rows.items()})


def write_province_registry(path: Path, pairs: int = 100) -> Registry:
    registry = province_registry(pairs)
    write_registry(registry, path)
    return registry


def _read_seconds(jobs: list[Path], root: Path, registry: Registry) -> tuple[float, list]:
    from pipelines.forms.reader import read_form

    registry_load.use(registry)
    read_form(jobs[0].read_bytes(), jobs[0].relative_to(root).as_posix())  # vocabulary made
    started = time.perf_counter()
    parsed = [read_form(path.read_bytes(), path.relative_to(root).as_posix()) for path in jobs]
    return time.perf_counter() - started, parsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.registry")
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--forms", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="write the workbook and corpus here")
    args = parser.parse_args(argv)
    from pipelines.authoring.sample import write_sample_corpus

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bangfu-registry-"))
    workbook = folder / "登记表.xlsx"
    workbook.unlink(missing_ok=True)
    write_province_registry(workbook, args.pairs)
    started = time.perf_counter()
    loaded = registry_load.load(workbook)
    load_seconds = time.perf_counter() - started
    if loaded.errors:
        sys.exit("\n".join(p.line() for p in loaded.errors[:10]))
    province = loaded.registry
    corpus = folder / "sample"
    if not corpus.exists():
        write_sample_corpus(corpus)
    jobs = sorted(p for p in corpus.rglob("*") if p.suffix in {".xlsx", ".xls", ".csv"})
    jobs = jobs[:args.forms]
    # Alternately, three times each, the least of each kept: the reader's caches of texts
    # seen are warm for both, and the machine's noise falls on both.
    builtin = registry_load.load(None).registry
    timings: dict[str, list[float]] = {"builtin": [], "province": []}
    for _ in range(3):
        seconds, builtin_parsed = _read_seconds(jobs, corpus, builtin)
        timings["builtin"].append(seconds)
        seconds, province_parsed = _read_seconds(jobs, corpus, province)
        timings["province"].append(seconds)
    builtin_seconds, province_seconds = min(timings["builtin"]), min(timings["province"])
    same = [a.reports == b.reports and a.issues == b.issues
            for a, b in zip(builtin_parsed, province_parsed, strict=True)]
    sizes = {table: len(rows) for table, rows in province.rows.items()}
    print(f"registry workbook: {workbook} ({workbook.stat().st_size / 1024:.0f} KiB): "
          f"{sizes[spec.HOSPITALS.table]} hospitals, {sizes[spec.HOSPITAL_ALIASES.table]} "
          f"aliases, {sizes[spec.PAIRS.table]} pairs, {sizes[spec.DEPARTMENTS.table]} "
          f"departments, {sizes[spec.DEPARTMENT_ALIASES.table]} department aliases, "
          f"{sizes[spec.EXPECTED_REPORTERS.table]} 应报科室 rows")
    print(f"load and check: {load_seconds:.2f} s")
    print(f"reading {len(jobs)} sample forms: built-in registry {builtin_seconds:.2f} s, "
          f"{args.pairs}-pair registry {province_seconds:.2f} s "
          f"({province_seconds / builtin_seconds:.2f}×); same result for "
          f"{sum(same)}/{len(same)} forms")


if __name__ == "__main__":
    main()
