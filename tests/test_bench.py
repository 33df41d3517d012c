"""The benchmark's corpus generator (bench/corpus.py): the same files on every call, the mix it
announces, weekly forms the reader reads as their week, and a +1% change that adds new forms
and edits others in place behind an unchanged mtime. The benchmark itself is `make bench`."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path

from registry_contract import CONTRACT_HEADERS

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


def test_the_province_generator_writes_its_registry_and_the_shape_it_announces(
        tmp_path: Path) -> None:
    """A small province: generated pairs in a registry workbook whose sheets and headers are
    the contract's, forms of every cadence and format, about the persons asked for, and the
    drawn shares of forms with a warning or an error, which the reader finds as such."""
    import openpyxl

    from bench import province

    shape = province.Shape("test", pairs=8, departments=6, forms=3_300, persons=1_200,
                           warned=0.05, faulty=0.02)
    corpus = province.write_province(tmp_path / "corpus", shape)
    book = openpyxl.load_workbook(province.registry_of(corpus.root), read_only=True)
    headers = {sheet.title: [c.value for c in next(sheet.iter_rows(max_row=1))]
               for sheet in book.worksheets}
    assert headers == CONTRACT_HEADERS
    pairs = list(book["帮扶关系"].iter_rows(min_row=2, values_only=True))
    assert len({(s, r) for s, r, *_ in pairs}) == 8
    provinces = {row[2] for row in book["医院"].iter_rows(min_row=2, values_only=True)}
    assert len(provinces) >= 2
    cadences = {row[5] for row in book["应报科室"].iter_rows(min_row=2, values_only=True)}
    assert cadences <= {"周", "月", "季"} and len(cadences) >= 2

    assert corpus.files == corpus.forms + 8  # and a capacity workbook per pair
    assert 3_000 <= corpus.forms <= 3_400
    assert {".xlsx", ".xls", ".csv", "week", "month", "quarter"} <= corpus.mix.keys()
    persons = {name for form in province.forms(shape) for name, _ in form.people}
    assert 900 <= len(persons) <= 1_500

    drawn = [province._fault(form, shape) for form in province.forms(shape)]
    errors = sum(1 for fault in drawn if fault and fault.metric == "consultations")
    warnings = sum(1 for fault in drawn if fault and fault.metric == "surgeries")
    assert 0.01 < errors / len(drawn) < 0.035 and 0.03 < warnings / len(drawn) < 0.075
    # A drawn error is in its file: a count written in words.
    form = next(form for form, fault in zip(province.forms(shape), drawn, strict=True)
                if fault and fault.metric == "consultations" and form.extension == ".xlsx")
    sheet = openpyxl.load_workbook(corpus.root / form.folder / form.file_name()).worksheets[0]
    assert province.MISSPELLED in {cell.value for row in sheet.iter_rows() for cell in row}
