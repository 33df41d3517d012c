"""`bangfu check FILE…`: the reader and the suites on given files, output and exit code, and
nothing written anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from formfiles import activity_sheet, write_xlsx

from pipelines.cli import main


def test_clean_file_exits_zero(tmp_path: Path, bangfu_env, capsys: pytest.CaptureFixture) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"], rows=[["张三", 5, 0, 0, 0, 0, 0, 0, 0, 0]]))
    assert main(["check", str(good)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "1 file(s) checked: 0 error(s), 0 warning(s)" in err
    assert not bangfu_env["warehouse"].exists() and list(bangfu_env["raw"].iterdir()) == []


def test_problems_are_listed_with_file_sheet_cell_code_message(
        tmp_path: Path, bangfu_env, capsys: pytest.CaptureFixture) -> None:
    faulty = write_xlsx(tmp_path / "faulty.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=[["张三", -5, 0, 0, 0, 0, 0, 0, 0, 0], ["", 3, 0, 0, 0, 0, 0, 0, 0, 0]]))
    unfilled = write_xlsx(tmp_path / "unfilled.xlsx", activity_sheet(
        period="2022年月日至年月日", labels=["填报科室：儿科"],
        rows=[["李四", 5, 0, 0, 0, 0, 0, 0, 0, 0]]))

    assert main(["check", str(faulty), str(unfilled), str(tmp_path / "absent.xlsx")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" · ")[:4] for line in lines] == [
        [str(tmp_path / "absent.xlsx"), "-", "-", "unreadable_file"],
        [str(faulty), "Sheet1", "B5", "negative_value"],
        [str(faulty), "Sheet1", "A6", "missing_name"],
        [str(unfilled), "Sheet1", "-", "period_missing"],
    ]
    message = lines[1].split(" · ")[4]
    assert message == "单元格 B5（“诊疗人次”）填写了负数 -5。数量不能为负，请更正。"
