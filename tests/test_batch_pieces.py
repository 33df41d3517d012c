"""A part of the files read is judged in pieces of whole files, bounded by rows: every file
and row is in exactly one piece, in the part's order."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.batch import FormBatch
from pipelines.forms.model import ActivityRow, ParsedFile, Report


def _form(persons: int) -> ParsedFile:
    rows = [ActivityRow(row_number=n + 4, row_kind="person", person_name=f"人{n}",
                        person_key=f"人{n}", name_cell=f"A{n + 4}", person_title=None,
                        values=()) for n in range(persons)]
    report = Report(sheet="表", sheet_index=0, part=0, form_type="activity",
                    supporting_hospital="甲", recipient_hospital="乙", department="心内科",
                    period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 3, 31),
                    header_row=3, columns=[], rows=rows, capacity=[])
    return ParsedFile("activity", 1, reports=[report])


def test_pieces_hold_whole_files_and_at_most_the_rows_given() -> None:
    sizes = [3, 4, 10, 0, 2, 2]
    batch = FormBatch.from_parsed(
        {(f"{n:064x}", f"f{n}.xlsx"): _form(size) for n, size in enumerate(sizes)},
        "key", dt.datetime(2026, 12, 7))

    pieces = list(batch.in_pieces(7))

    assert [piece.parsed_files["sha256"].to_list() for piece in pieces] == [
        [f"{n:064x}" for n in files] for files in ([0, 1], [2], [3, 4, 5])]
    assert [piece.activity_rows.height for piece in pieces] == [7, 10, 4]
    for name in FormBatch.table_names():
        assert pl.concat([piece.tables()[name] for piece in pieces]).equals(batch.tables()[name])


def test_an_empty_batch_is_one_empty_piece() -> None:
    (piece,) = FormBatch.empty().in_pieces(10)
    assert piece.file_count == 0
