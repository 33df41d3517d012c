"""The benchmark corpora: N forms shaped like the sample's, written by the sample's own writers.

A corpus of N files is, in this order: the two capacity workbooks, the sample corpus (its
monthly and quarterly forms, WPS .xls saves, two CSVs and every planted fault), then more
departments of the same two programme pairs — every department of departments.csv that the
sample leaves out — each reporting every week (Monday to Sunday) or, one slot in
`MONTHLY_EVERY`, every month, over the programme's five years. Each (pair, department, period)
is sent once, so the reports do not contest one another; the sample's templates, layouts,
spellings and .xls years apply to them as to the sample. The two pairs and five years hold
20,268 files, room for the largest corpus plus its 1% of new forms; that is why weekly forms
dominate at large N (20,000 files: 96% weekly).

The order is fixed and every draw is seeded (the sample's string-seeded generators), so a
corpus of N files is the first N of one list: corpora are the same on every machine, the
smaller ones prefixes of the larger, and the forms that "arrive" in a +1% run are the next
ones in that list (later weeks of the last department). Written corpora are cached in
bench/corpora/<generator version>/nNNNNNN/ (git-ignored; described in nNNNNNN.json beside
it); the version is GENERATOR_VERSION and a digest of the sample's writers, the catalogue,
the seeds and the built-in registry, so a change to any of them writes anew.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.authoring import sample
from pipelines.registry.load import in_force
from pipelines.settings import programme_window

BENCH_DIR = Path(__file__).resolve().parent
CACHE = BENCH_DIR / "corpora"
GENERATOR_VERSION = 1  # one higher whenever this file writes other files than before
MONTHLY_EVERY = 12  # one added department in twelve reports monthly, the rest weekly
# What else the files depend on: the sample's writers, the catalogue and window they read.
_GENERATOR_SOURCES = (
    Path(sample.__file__),
    BENCH_DIR.parent / "pipelines" / "catalogue.py",
    BENCH_DIR.parent / "dbt_project" / "dbt_project.yml",
    *sorted((BENCH_DIR.parent / "dbt_project" / "seeds").glob("*.csv")),
    *sorted((BENCH_DIR.parent / "pipelines" / "registry" / "builtin").glob("*.csv")),
)


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: int
    forms: int  # activity forms of the corpus list written (a form may come with a copy)
    bytes: int
    mix: dict[str, int]  # files per cadence (week, month, quarter) or capacity, and per suffix
    fingerprint: str  # sha256 over every file's path and content: equal means equal input
    generated_seconds: float  # how long writing it took (when it was written, not reused)

    def describe(self) -> dict[str, object]:
        return {**dataclasses.asdict(self), "root": str(self.root)}

    @classmethod
    def load(cls, root: Path) -> Corpus:
        described = json.loads(description_of(root).read_text(encoding="utf-8"))
        return cls(**{**described, "root": root})

    def paths(self) -> list[Path]:
        """Every file, sorted by path (what a scan of the raw folder finds)."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())


def description_of(root: Path) -> Path:
    """Beside the corpus, not in it (a scan would find it); written last, so a folder without
    one is an interrupted write."""
    return root.with_name(f"{root.name}.json")


def generator_version() -> str:
    digest = hashlib.sha256()
    for source in _GENERATOR_SOURCES:
        digest.update(source.read_bytes())
    return f"g{GENERATOR_VERSION}-{digest.hexdigest()[:10]}"


def _added_plans() -> Iterator[sample.PairPlan]:
    """One plan per department the sample leaves out, alternating between the pairs."""
    departments = list(in_force().departments)
    first_year = programme_window()[0].year
    extra = {plan.supporting: [d for d in departments if d not in plan.departments]
             for plan in sample.PAIRS}
    slot = 0
    for index in range(max(len(names) for names in extra.values())):
        for plan in sample.PAIRS:
            if index >= len(extra[plan.supporting]):
                continue
            department = extra[plan.supporting][index]
            monthly = slot % MONTHLY_EVERY == 1  # the second, the 14th, …
            slot += 1
            yield dataclasses.replace(
                plan, departments=(department,), stint_months=(),
                monthly_departments=(department,) if monthly else (), monthly_from=first_year,
                weekly_departments=() if monthly else (department,))


def forms() -> Iterator[sample.Form]:
    """Every form of the corpora, in corpus order, the sample's first (drawn with one set of
    taken names, so the sample's people are the sample's and the others are new)."""
    taken: set[str] = set()
    for plan in (*sample.PAIRS, *_added_plans()):
        yield from sample.pair_forms(plan, taken)


def _fingerprint(root: Path, paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def write_corpus(root: Path, files: int) -> Corpus:
    """The first `files` files of the corpus list, written into `root` (replaced)."""
    started = time.perf_counter()
    description_of(root).unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    written = [sample.write_capacity(root, plan) for plan in sample.PAIRS][:files]
    kinds = ["capacity"] * len(written)
    form_count = 0
    for form in forms():
        if len(written) >= files:
            break
        paths = sample.write_form(root, form)
        written += paths
        kinds += [form.period.cadence] * len(paths)
        form_count += 1
    # The sample's planted revision or copy may come with the last form: keep exactly `files`.
    for extra in written[files:]:
        extra.unlink()
    written, kinds = written[:files], kinds[:files]
    if len(written) < files:
        raise ValueError(f"the generator holds {len(written):,} files, fewer than {files:,}")
    mix = Counter(kinds) + Counter(path.suffix for path in written)
    corpus = Corpus(root=root, files=len(written), forms=form_count,
                    bytes=sum(path.stat().st_size for path in written),
                    mix=dict(sorted(mix.items())), fingerprint=_fingerprint(root, written),
                    generated_seconds=round(time.perf_counter() - started, 1))
    described = json.dumps(corpus.describe(), ensure_ascii=False, indent=1)
    description_of(root).write_text(described, encoding="utf-8")
    return corpus


def cached_corpus(files: int, log=print) -> Corpus:
    """The corpus of `files` files from bench/corpora/, written first if it is not there."""
    version = generator_version()
    root = CACHE / version / f"n{files:06d}"
    if description_of(root).exists():
        return Corpus.load(root)
    for stale in CACHE.glob("g*"):  # another generator's corpora will not be read again
        if stale.name != version:
            shutil.rmtree(stale)
    log(f"bench: writing the corpus of {files:,} files into {root.relative_to(BENCH_DIR.parent)}")
    corpus = write_corpus(root, files)
    log(f"bench: {files:,} files written in {corpus.generated_seconds:.0f} s")
    return corpus


def copy_corpus(corpus: Corpus, dest: Path) -> Path:
    """A working copy a run may change, with the files' mtimes (copy2)."""
    shutil.copytree(corpus.root, dest, copy_function=shutil.copy2)
    return dest


@dataclass(frozen=True)
class Change:
    added: list[Path]
    edited: list[Path]


def change_one_percent(raw: Path, corpus: Corpus) -> Change:
    """1% of the forms of `corpus`, copied into `raw`, arrive or change: half are the next
    forms of the corpus list (new files), half are forms spread over the corpus, edited in
    place (one person's 带教查房 one higher) with their mtime put back, so that only their
    content says they changed."""
    changes = max(2, round(corpus.files / 100))
    added_count, edited_count = changes // 2, changes - changes // 2
    listed = list(itertools.islice(forms(), corpus.forms + added_count))
    present, added_forms = listed[:corpus.forms], listed[corpus.forms:]
    # Any form that is one file (not the sample's planted revision or copy) may be edited.
    editable = [form for form in present if form.key not in (sample.REVISED, sample.DUPLICATED)]
    if len(editable) < edited_count or len(added_forms) < added_count:
        raise ValueError(f"a corpus of {corpus.files} files is too small for a +1% change")
    step = len(editable) / edited_count
    edited = [_edit_in_place(raw, editable[int(i * step)]) for i in range(edited_count)]
    added = [path for form in added_forms for path in sample.write_form(raw, form)]
    return Change(added=added, edited=edited)


def _edit_in_place(raw: Path, form: sample.Form) -> Path:
    (name, values), *others = form.people
    corrected = {**values, "teaching_rounds": values["teaching_rounds"] + 1}
    path = raw / form.folder / form.file_name()
    before, old = path.stat(), path.read_bytes()
    [written] = sample.write_form(raw, dataclasses.replace(form, people=((name, corrected),
                                                                          *others)))
    if written != path or written.read_bytes() == old:
        raise AssertionError(f"editing {path} did not change it in place")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return path
