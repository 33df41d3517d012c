"""File- and header-level problems name the cell a submitter must change: the value of the
label line they concern (or the label's own cell when it has no value), the title a period
was read from, the header row that lacks 姓名."""

from __future__ import annotations

from pathlib import Path

import pytest
from formfiles import OLD_HEADER, activity_sheet, write_xlsx

from pipelines.forms.reader import read_form

ZEROS = [0] * 9


def cells(path: Path) -> list[tuple[str, str | None]]:
    parsed = read_form(path.read_bytes(), path.name)
    return [(issue.code, issue.cell) for issue in parsed.issues]


@pytest.mark.parametrize(("above", "expected"), [
    # The label in one cell and its value in a later one: the value's cell.
    ([["统计周期：", "", "2022年月日至年月日"], ["填报科室：", "儿科"]], ("period_missing", "C2")),
    ([["统计周期：", "2021年2月30日至2021年3月31日"], ["填报科室：", "儿科"]],
     ("period_invalid", "B2")),
    # Label and value in one cell; a label left blank: the label's own cell.
    ([["统计周期（起止时间）：2016年第二季度"], ["填报科室：儿科"]],
     ("period_out_of_window", "A2")),
    ([["统计周期：", "", ""], ["填报科室：儿科"]], ("period_missing", "A2")),
    # A period read from the title line.
    ([["2016年第二季度工作统计表"], ["填报科室：儿科"]], ("period_out_of_window", "A2")),
    ([["统计周期：2021年3月"], ["支援单位：", "某某县医院"], ["受援单位：和政县人民医院"],
      ["填报科室：儿科"]], ("unknown_hospital", "B3")),
])
def test_the_problem_names_the_cell_it_is_about(
        tmp_path: Path, above: list[list[str]], expected: tuple[str, str]) -> None:
    sheet = activity_sheet(title="临夏州人民医院对口支援和政县人民医院", rows=[["张三", *ZEROS]])
    sheet.above = [sheet.above[0], *above]
    assert expected in cells(write_xlsx(tmp_path / "form.xlsx", sheet))


def test_a_header_without_a_name_column_names_the_header_row(tmp_path: Path) -> None:
    sheet = activity_sheet(period="2021年3月", labels=["填报科室：儿科"],
                           header=OLD_HEADER[1:], rows=[[5, 1, 0, 0, 0, 0, 0, 0, 0]])
    assert ("missing_required_column", "A4") in cells(write_xlsx(tmp_path / "form.xlsx", sheet))
