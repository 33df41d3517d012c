"""Numbers as submitters write them."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.forms.text import a1, cell_text, column_letter, fold
from pipelines.forms.values import parse_number
from pipelines.forms.vocabulary import vocabulary


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        (12.0, 12), (7, 7), ("12", 12), ("１２", 12), ("1,200", 1200), ("12,345.5", 12345.5),
        (" 12 ", 12), ("12人次", 12), ("3例", 3), ("3.5万元", 3.5), ("35000元", 3.5),
        ("85.3%", 85.3), ("８５．３％", 85.3), ("-3", -3), ("\u22123", -3), ("1.5", 1.5),
        ("", 0), (None, 0), ("—", 0), ("——", 0), ("-", 0), ("/", 0), ("无", 0), ("　", 0),
        ("―", 0), ("暂无", 0), ("未开展", 0),
        ("若干", None), ("见附件", None), ("1,2", None), ("12次/周", None),
        (dt.date(2021, 3, 1), None), (True, None),
    ],
)
def test_parse_number(cell: object, number: float | None) -> None:
    assert parse_number(cell, vocabulary()) == number


def test_a_header_unit_scales_bare_numbers_only() -> None:
    """Under 支援经费（元） a bare 35000 is 3.5 万元; a cell with its own unit keeps it."""
    yuan = 0.0001
    assert parse_number(35000, vocabulary(), yuan) == pytest.approx(3.5)
    assert parse_number("35,000", vocabulary(), yuan) == pytest.approx(3.5)
    assert parse_number("3.5万元", vocabulary(), yuan) == 3.5
    assert parse_number("—", vocabulary(), yuan) == 0


def test_names_lose_all_white_space() -> None:
    assert fold("柳  佳") == fold("柳\u3000佳") == fold(" 柳佳\t") == "柳佳"


def test_cell_text_and_references() -> None:
    assert [cell_text(12.0), cell_text(1.5), cell_text(dt.date(2021, 7, 1)), cell_text(None)] == [
        "12", "1.5", "2021-07-01", ""]
    # A formula's result as Excel shows it (15 significant digits).
    assert [cell_text(3.4999999999999996), cell_text(10 / 3)] == ["3.5", "3.33333333333333"]
    assert [column_letter(0), column_letter(25), column_letter(26), column_letter(701)] == [
        "A", "Z", "AA", "ZZ"]
    assert a1(5, 2) == "C6"
