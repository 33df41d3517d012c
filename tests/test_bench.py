"""The benchmark's corpus generator (bench/corpus.py): the same files on every call, the mix it
announces, weekly forms the reader reads as their week, and a +1% change that adds new forms
and edits others in place behind an unchanged mtime. The benchmark itself is `make bench`."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path

from bench import corpus as corpora
from pipelines.authoring import sample
from pipelines.forms.reader import read_form

# The sample (348 files, its two capacity workbooks first), then the first 12 weeks of the
# first department the sample leaves out.
FILES = 348 + 12


def _contents(root: Path) -> dict[str, tuple[str, int]]:
    return {path.relative_to(root).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                path.stat().st_mtime_ns)
            for path in root.rglob("*") if path.is_file()}


def test_corpus_is_deterministic_with_the_announced_mix_and_a_real_one_percent_change(
        tmp_path: Path) -> None:
    first = corpora.write_corpus(tmp_path / "first" / "corpus", FILES)
    assert first.files == FILES == len(_contents(first.root))
    assert corpora.Corpus.load(first.root) == first
    # The same forms on every draw, and the same bytes and mtimes on every write (the sample's
    # own files are checked so in tests/authoring/test_sample.py).
    drawn = list(itertools.islice(corpora.forms(), first.forms))
    assert drawn == list(itertools.islice(corpora.forms(), first.forms))
    again = tmp_path / "again"
    for form in drawn[-12:]:
        sample.write_form(again, form)
    rewritten = _contents(again)
    assert len(rewritten) == 12
    assert rewritten.items() <= _contents(first.root).items()

    paths = first.paths()
    assert first.mix == {"capacity": 2, "quarter": 176, "month": 170, "week": 12,
                         ".xlsx": sum(p.suffix == ".xlsx" for p in paths),
                         ".xls": sum(p.suffix == ".xls" for p in paths), ".csv": 2}
    assert first.mix[".xls"] > 50 and first.mix[".xlsx"] > 250

    weekly = next(p for p in paths if "日至" in p.name)
    parsed = read_form(weekly.read_bytes(), weekly.relative_to(first.root).as_posix())
    [report] = parsed.reports
    assert report.period_end - report.period_start == dt.timedelta(days=6)
    assert report.period_start.weekday() == 0 and not parsed.issues

    before = _contents(first.root)
    change = corpora.change_one_percent(first.root, first)
    after = _contents(first.root)
    added = {p.relative_to(first.root).as_posix() for p in change.added}
    edited = {p.relative_to(first.root).as_posix() for p in change.edited}
    assert len(added) == 2 and len(edited) == 2
    assert set(after) == set(before) | added and not added & set(before)
    for path in edited:
        assert after[path][0] != before[path][0]  # new content …
        assert after[path][1] == before[path][1]  # … behind the same mtime
    assert {p for p in before if after[p] != before[p]} == edited
