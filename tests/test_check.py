"""`bangfu check PATH…`: the reader and the suites on given files and folders, its lines and
summary in Chinese, its exit codes, and nothing written anywhere."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
from formfiles import activity_sheet, write_xlsx

from pipelines.cli import build_parser, main

ZEROS = [0] * 8


def problem_lines(out: str) -> list[list[str]]:
    """(severity word, file, sheet, cell, code) of each problem line."""
    lines = [line.split(" · ") for line in out.splitlines() if line.startswith(("错误", "警告"))]
    return [[*parts[:4], parts[4].rsplit("（", 1)[1].rstrip("）")] for parts in lines]


def test_a_clean_file_says_what_was_understood(
        tmp_path: Path, bangfu_env, capsys: pytest.CaptureFixture) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=[["张三", 5, *ZEROS], ["李四", 2, *ZEROS]]))

    assert main(["check", str(good)]) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"通过 · {good} · 工作统计表，工作表“Sheet1”；支援单位 临夏回族自治州人民医院；"
        "受援单位 和政县人民医院；填报科室 儿科；统计周期 2021年3月1日至2021年3月31日；"
        "人员 2 人；数据行 2 行（其中合计行 0 行）",
        "",
        "共检查 1 个文件：1 个通过，0 个有错误；错误 0 条，警告 0 条。",
        "下一步：请确认上面“通过”各行读到的医院、科室、统计周期和人数无误，然后提交。",
    ]
    assert not bangfu_env["warehouse"].exists() and list(bangfu_env["raw"].iterdir()) == []


def test_a_folder_is_checked_recursively_and_every_line_says_error_or_warning(
        tmp_path: Path, bangfu_env, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "报送"
    faulty = write_xlsx(folder / "2021" / "faulty.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"],
        rows=[["张三", -5, *ZEROS], ["", 3, *ZEROS]]))
    unfilled = write_xlsx(folder / "unfilled.xlsx", activity_sheet(
        period="2022年月日至年月日", labels=["填报科室：儿科"], rows=[["李四", 5, *ZEROS]]))
    warned = write_xlsx(folder / "2021" / "3月" / "warned.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：火星科"], rows=[["王五", 5, *ZEROS]]))
    (folder / "~$faulty.xlsx").write_bytes(b"Excel's lock file is no submission")

    assert main(["check", str(folder)]) == 1

    out, err = capsys.readouterr()
    assert err == ""
    assert problem_lines(out) == [  # files in path order, then by row
        ["警告", str(warned), "Sheet1", "整个文件", "unknown_department"],
        ["错误", str(faulty), "Sheet1", "B5", "negative_value"],
        ["错误", str(faulty), "Sheet1", "A6", "missing_name"],
        # The period line's cell, not "-": the submitter is pointed at what to fill in.
        ["错误", str(unfilled), "Sheet1", "A2", "period_missing"],
    ]
    passed = [line for line in out.splitlines() if line.startswith("通过")]
    assert len(passed) == 1 and passed[0].startswith(f"通过 · {warned} · ")
    assert "填报科室 火星科" in passed[0]
    assert "共检查 3 个文件：1 个通过，2 个有错误；错误 3 条，警告 1 条。" in out
    assert "下一步：按每条“错误”所指的工作表和单元格改正" in out
    assert "--annotate" in out


def test_a_missing_path_is_an_error_and_the_others_are_still_checked(
        tmp_path: Path, bangfu_env, capsys: pytest.CaptureFixture) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"], rows=[["张三", 5, *ZEROS]]))
    absent = tmp_path / "absent.xlsx"

    assert main(["check", str(absent), str(good)]) == 1

    out, _ = capsys.readouterr()
    assert problem_lines(out) == [["错误", str(absent), "-", "整个文件", "path_not_found"]]
    assert f"找不到文件或文件夹“{absent}”" in out
    assert f"通过 · {good} · " in out
    assert "共检查 1 个文件：1 个通过，0 个有错误，1 个路径找不到；错误 1 条，警告 0 条。" in out


@pytest.mark.parametrize(("argv", "chinese"), [
    (["check"], "缺少必填参数 PATH"),
    ([], "缺少必填参数 COMMAND"),
    (["check", "x.xlsx", "--bogus"], "无法识别的参数 --bogus"),
])
def test_usage_errors_are_explained_in_chinese(
        argv: list[str], chinese: str, capsys: pytest.CaptureFixture) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert chinese in err and "--help 查看说明" in err
    assert "the following arguments are required" not in err and "error:" not in err


def test_json_holds_the_reports_and_issues(
        tmp_path: Path, bangfu_env, capsys: pytest.CaptureFixture) -> None:
    faulty = write_xlsx(tmp_path / "faulty.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"], rows=[["张三", "十二", *ZEROS]]))

    assert main(["check", "--json", str(faulty)]) == 1

    result = json.loads(capsys.readouterr().out)
    (file,) = result["files"]
    assert (file["file"], file["passed"], file["errors"], result["errors"]) == (
        str(faulty), False, 1, 1)
    assert [(i["cell"], i["code"], i["value_found"]) for i in file["issues"]] == [
        ("B5", "non_numeric_value", "十二")]
    (report,) = file["reports"]
    assert (report["department"], report["period_start"], report["persons"]) == (
        "儿科", "2021-03-01", 1)


def _parsers():
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {"bangfu": parser, **commands.choices}


@pytest.mark.parametrize("command", ["bangfu", "run", "check", "template", "sample"])
def test_help_is_in_chinese_and_english_with_an_example_and_the_environment(
        command: str, capsys: pytest.CaptureFixture) -> None:
    argv = [] if command == "bangfu" else [command]
    assert main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    for words in ("用法 usage:", "显示本帮助并退出 / show this help and exit", "示例 example:",
                  "环境变量"):
        assert words in out
    parser = _parsers()[command]
    assert re.search(r"[\u4e00-\u9fff]", parser.description) and re.search(
        r"[A-Za-z]{4,} [a-z]+", parser.description)
    for action in parser._actions:
        # Every option and argument says what it is, in Chinese then English.
        assert " / " in action.help and re.search(r"[\u4e00-\u9fff]", action.help), action.dest
