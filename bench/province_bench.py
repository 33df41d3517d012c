"""`python -m bench --province [province|two-pairs]`: issue 22's measurements on a province
corpus (bench/province.py), side by side in one run: pandas.read_excel merely reading the
files; `bangfu run` cold, with nothing changed and after 1% of the forms changed, each with
its peak memory and Dagster steps; the published site's size, its largest file, its largest
pair folder; and the time Chromium (Debian's, headless, offline) needs to draw the leadership
overview, a pair's explorer (its first department loaded) and the pair's quality page.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import corpus as corpora
from bench import province
from bench.readers import write_jobs
from bench.whole_run import dagster_runs, environment

SHAPES = {shape.name: shape for shape in (province.PROVINCE, province.TWO_PAIRS)}
CHROMIUM = Path("/usr/bin/chromium")
MB = 1_000_000
# Issue 22's targets at province scale.
LARGEST_FILE_MB = 5
PER_PAIR_MB = 5
DRAW_SECONDS = 1.5


def change_one_percent(raw: Path, shape: province.Shape, corpus: corpora.Corpus) -> list[Path]:
    """1% of the forms, spread over the corpus, edited in place (one person's 带教查房 one
    higher, the form's planted fault kept), their mtimes put back."""
    forms = list(province.forms(shape))
    count = max(2, round(corpus.files / 100))
    step = len(forms) / count
    shape_seeds = province.seeds(shape)
    edited = []
    for number in range(count):
        form = forms[int(number * step)]
        (name, values), *others = form.people
        changed = dataclasses.replace(form, people=(
            (name, {**values, "teaching_rounds": values["teaching_rounds"] + 1}), *others))
        path = raw / form.folder / form.file_name()
        before = path.stat()
        province_write = province.sample.write_form(raw, changed, shape_seeds,
                                                    province._fault(form, shape))
        os.utime(province_write[0], ns=(before.st_atime_ns, before.st_mtime_ns))
        edited.append(path)
    return edited


def site_sizes(site: Path) -> dict[str, Any]:
    files = {p.relative_to(site).as_posix(): p.stat().st_size
             for p in site.rglob("*") if p.is_file()}
    if not files:
        return {"bytes": 0, "files": 0}
    largest = max(files, key=files.get)
    pairs: dict[str, int] = {}
    for path, size in files.items():
        parts = path.split("/")
        if parts[0] == "pairs" and len(parts) > 2:
            pairs[parts[1]] = pairs.get(parts[1], 0) + size
    largest_pair = max(pairs, key=pairs.get) if pairs else None
    return {
        "bytes": sum(files.values()),
        "files": len(files),
        "largest_file": largest,
        "largest_file_bytes": files[largest],
        "pairs": len(pairs),
        "largest_pair": largest_pair,
        "largest_pair_bytes": pairs.get(largest_pair, 0),
        "mean_pair_bytes": round(sum(pairs.values()) / len(pairs)) if pairs else 0,
    }


def draw_times(site: Path) -> dict[str, Any]:
    """Milliseconds from navigation until the page's tables are set up and its first screen's
    figures drawn (site.js marks both), in a fresh offline browser per page, for the overview,
    the largest pair's explorer (its first department) and quality page."""
    from playwright.sync_api import sync_playwright

    listed = json.loads((site / "pairs.json").read_text(encoding="utf-8"))["pairs"]
    if not listed:
        return {}
    folder = max(listed, key=lambda pair: sum(
        p.stat().st_size for p in (site / pair["folder"]).rglob("*") if p.is_file()))["folder"]
    pages = {"overview": site / "leadership.html",
             "explorer": site / folder / "explorer.html",
             "quality": site / folder / "quality.html"}
    times = {"pair": folder}
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        for name, page_path in pages.items():
            if not page_path.is_file():
                continue
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(("file:", "blob:", "data:"))
                          else route.abort())
            page = context.new_page()
            page.goto(page_path.as_uri(), wait_until="load")
            page.wait_for_function(
                "performance.getEntriesByName('bangfu:tables-ready').length > 0 && "
                "(document.querySelector('[data-figure-spec]') === null || "
                "performance.getEntriesByName('bangfu:figures-drawn').length > 0)",
                timeout=120_000)
            times[name] = round(page.evaluate(
                "Math.max(...['bangfu:tables-ready', 'bangfu:figures-drawn']"
                ".flatMap(n => performance.getEntriesByName(n)).map(e => e.startTime))"))
            context.close()
        browser.close()
    times["pages"] = {name: quote(str(path.relative_to(site))) for name, path in pages.items()}
    return times


def measure_province(shape: province.Shape, workdir: Path, read: Callable, run: Callable,
                     log: Callable[[str], None]) -> dict[str, Any]:
    corpus = province.cached_province(shape, log)
    raw = corpora.copy_corpus(corpus, workdir / "raw")
    paths = sorted(path for path in raw.rglob("*") if path.is_file())
    for path in paths:
        path.read_bytes()
    jobs = write_jobs(raw, paths, workdir / "jobs.json")
    result: dict[str, Any] = {"shape": dataclasses.asdict(shape), "corpus": corpus.describe(),
                              "readers": {"pandas": read("pandas", jobs, workdir)}, "runs": {}}
    env = environment(workdir, raw)
    registry = province.registry_of(corpus.root)
    if registry.is_file():
        env["BANGFU_REGISTRY"] = str(registry)
    result["runs"]["cold"] = run("cold", env, workdir)
    site = Path(env["BANGFU_SITE_DIR"])
    result["site"] = site_sizes(site)
    result["draw_ms"] = draw_times(site) if CHROMIUM.exists() else {}
    result["runs"]["no_change"] = run("no_change", env, workdir)
    result["change"] = {"edited": len(change_one_percent(raw, shape, corpus))}
    result["runs"]["one_percent"] = run("one_percent", env, workdir)
    for measured, dagster_run in zip(result["runs"].values(), dagster_runs(workdir / "dagster"),
                                     strict=False):
        measured.update(dagster_run)
    result["persons"] = len({name for form in province.forms(shape) for name, _ in form.people})
    # What the drawn faults came to, as the warehouse judged them.
    result["files_with"] = _files_with_issues(Path(env["BANGFU_WAREHOUSE"]))
    return result


def _files_with_issues(warehouse: Path) -> dict[str, int]:
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return dict(con.execute(
                "select severity, count(distinct file_path) from ingest_issues "
                "group by all").fetchall())
    except duckdb.Error:
        return {}


def _verdict(holds: bool) -> str:
    return "met" if holds else "**not met**"


def markdown(measured: dict[str, Any]) -> list[str]:
    shape, corpus, runs = measured["shape"], measured["corpus"], measured["runs"]
    pandas = measured["readers"]["pandas"]["seconds"]
    site, draw = measured.get("site", {}), measured.get("draw_ms", {})
    cold = runs["cold"]
    steps = cold.get("steps", {})
    site_step = steps.get("dashboard_site")

    def run_row(kind: str, label: str) -> list[str]:
        run = runs[kind]
        return [label, f"{run['seconds']:.1f} s", f"{run['seconds'] / pandas:.2f}×",
                f"{run['peak_rss_kib'] / 1024:,.0f} MiB", str(run.get("exit_code"))]

    rows = [["pandas.read_excel, every file", f"{pandas:.1f} s", "1.00×",
             f"{measured['readers']['pandas']['peak_rss_kib'] / 1024:,.0f} MiB", "0"],
            run_row("cold", "`bangfu run`, cold"),
            run_row("no_change", "`bangfu run`, nothing changed"),
            run_row("one_percent", f"`bangfu run`, +1% ({measured['change']['edited']} edited)")]
    lines = [
        f"### {shape['name']}: {shape['pairs'] or 2} pairs, {corpus['files']:,} files "
        f"({corpus['forms']:,} forms), {measured['persons']:,} persons",
        "",
        f"Mix: {', '.join(f'{k} {v:,}' for k, v in corpus['mix'].items())}; files with "
        f"warnings {measured['files_with'].get('warning', 0):,}, with errors "
        f"{measured['files_with'].get('error', 0):,}.",
        "",
        "| measurement | time | ÷ pandas | peak memory | exit |",
        "|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        "| the site | value | target |",
        "|---|---|---|",
        f"| size | {site.get('bytes', 0) / MB:.1f} MB in {site.get('files', 0):,} files, "
        f"{site.get('pairs', 0)} pair folders (mean {site.get('mean_pair_bytes', 0) / MB:.2f} MB)"
        f" | < {PER_PAIR_MB} MB per pair: "
        f"{_verdict(site.get('largest_pair_bytes', 0) <= PER_PAIR_MB * MB)} |",
        f"| largest file | {site.get('largest_file')} {site.get('largest_file_bytes', 0) / MB:.2f}"
        f" MB | ≤ {LARGEST_FILE_MB} MB: "
        f"{_verdict(site.get('largest_file_bytes', 0) <= LARGEST_FILE_MB * MB)} |",
        "| site step of the cold run | "
        + (f"{site_step:.1f} s ({site_step / cold['seconds']:.0%} of the run)"
           if site_step else "—") + " | |",
    ]
    for name in ("overview", "explorer", "quality"):
        if name in draw:
            lines.append(f"| Chromium draws the {name} | {draw[name]:,} ms | "
                         f"< {DRAW_SECONDS} s: {_verdict(draw[name] < DRAW_SECONDS * 1000)} |")
    return lines

