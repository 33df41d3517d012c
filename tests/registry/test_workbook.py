"""The registry workbook as an operator meets it: `bangfu registry init` writes the registry in
force, `bangfu registry check` reads an operator-made workbook (numbers where text is meant,
dates as text) and says what is wrong by sheet and cell, with the contract's exit codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from registry_contract import CONTRACT_HEADERS

from pipelines.cli import main
from pipelines.registry import sheets as spec
from pipelines.registry.load import load


@pytest.fixture
def workbook(bangfu_env: dict[str, Path], capsys: pytest.CaptureFixture) -> Path:
    """`bangfu registry init` at the default BANGFU_REGISTRY: the built-in registry."""
    assert main(["registry", "init"]) == 0
    assert "2 对帮扶关系" in capsys.readouterr().out
    return bangfu_env["registry"]


def check(path: Path, capsys: pytest.CaptureFixture) -> tuple[int, list[str]]:
    code = main(["registry", "check", str(path)])
    out = capsys.readouterr().out
    return code, [line for line in out.splitlines() if line.startswith(("错误", "警告"))]


def test_init_writes_every_sheet_with_the_contract_headers(workbook: Path, capsys) -> None:
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == [sheet.name for sheet in spec.SHEETS]
    contract = CONTRACT_HEADERS
    for name, headers in contract.items():
        assert [c.value for c in book[name][1]] == headers
    pairs = [[c.value for c in row] for row in book["帮扶关系"].iter_rows(min_row=2)]
    assert [row[:2] for row in pairs] == [["绍兴市中医院", "务川仡佬族苗族自治县中医院"],
                                          ["临夏回族自治州人民医院", "和政县人民医院"]]
    assert pairs[0][2] == dt.datetime(2018, 1, 1)  # a date cell, not text
    cadences = {(row[2].value, row[3].value, row[5].value, row[6].value)
                for row in book["应报科室"].iter_rows(min_row=2)}
    assert ("重症医学科", 2018, "月", "3、9") in cadences
    assert ("心内科", 2018, "季", None) in cadences
    # It is the built-in registry, and it is clean.
    assert load(workbook).registry.digest == load(None).registry.digest
    assert check(workbook, capsys) == (0, [])


def test_init_never_overwrites(workbook: Path, capsys) -> None:
    before = workbook.read_bytes()
    assert main(["registry", "init"]) == 2
    assert "已存在" in capsys.readouterr().err
    assert main(["registry", "init", str(workbook)]) == 2
    assert workbook.read_bytes() == before


def test_check_without_a_workbook_is_a_usage_error(bangfu_env, capsys) -> None:
    assert main(["registry", "check"]) == 2
    assert "没有登记表" in capsys.readouterr().err


def test_cells_are_read_by_what_their_column_holds(workbook: Path, capsys) -> None:
    """Years and month lists typed as numbers or text, dates as text in several spellings,
    cadences as operators write them, stray spaces: all read as meant."""
    book = openpyxl.load_workbook(workbook)
    book["医院"].append(["  杭州市第一人民医院 ", "三级", "浙江省"])
    book["医院"].append(["淳安县第一人民医院", "二级", "浙江省"])
    book["帮扶关系"].append(["杭州市第一人民医院", "淳安县第一人民医院", "2021/3/1",
                         "2022年12月31日", None])
    reporters = book["应报科室"]
    reporters.append(["杭州市第一人民医院", "淳安县第一人民医院", "儿科", "2021", 2022.0, "季度",
                      3])
    reporters.append(["杭州市第一人民医院", "淳安县第一人民医院", "产科", 2021, "2022年", "周报",
                      "3月，9月"])
    book.save(workbook)
    assert check(workbook, capsys) == (0, [])
    registry = load(workbook).registry
    (pair,) = [r for r in registry.table(spec.PAIRS)
               if r["supporting_hospital"] == "杭州市第一人民医院"]
    assert pair == {"supporting_hospital": "杭州市第一人民医院",
                    "recipient_hospital": "淳安县第一人民医院",
                    "programme_start": dt.date(2021, 3, 1), "programme_end": dt.date(2022, 12, 31),
                    "programme_name_zh": "杭州市第一人民医院对口帮扶淳安县第一人民医院"}
    added = [r for r in registry.table(spec.EXPECTED_REPORTERS)
             if r["supporting_hospital"] == "杭州市第一人民医院"]
    assert [(r["department"], r["first_year"], r["last_year"], r["cadence"], r["months"])
            for r in added] == [("儿科", 2021, 2022, "quarter", "3"),
                                ("产科", 2021, 2022, "week", "3|9")]


def test_check_says_what_is_wrong_by_sheet_and_cell(workbook: Path, capsys) -> None:
    book = openpyxl.load_workbook(workbook)
    book["医院"].append([None, "三级", "浙江省"])  # row 6: no name
    book["医院"].append(["杭州市第一人民医院", "三级", None])  # row 7: no province (a warning)
    aliases = book["医院别名"]  # rows 2–11 hold the built-in aliases
    aliases.append(["和政县人民医院", "杭州市第一人民医院"])  # row 12: another hospital's name
    aliases.append(["绍兴中医院", "绍兴市中医院"])  # row 13: given twice (row 3)
    pairs = book["帮扶关系"]  # rows 2–3 built in
    pairs.append(["宁波市第二医院", "杭州市第一人民医院", "2021-02-30", None, None])  # row 4
    pairs.append(["杭州市第一人民医院", "杭州市第一人民医院", None, None, None])  # row 5
    reporters = book["应报科室"]  # rows 2–24 built in
    reporters.append(["临夏回族自治州人民医院", "和政县人民医院", "心血管内科", 2018, 2022, "季",
                      None])  # row 25: an alias, not the department's name
    reporters.append(["临夏回族自治州人民医院", "和政县人民医院", "老年病科", 2018, "二〇二二",
                      "年", "13"])  # row 26
    book["目标"]["D1"] = "目标名称"  # a header renamed
    book.save(workbook)

    code, lines = check(workbook, capsys)
    assert code == 1
    assert lines == [
        "错误 · 医院 · A6 · “医院名称”不能为空",
        "警告 · 医院 · C7 · “杭州市第一人民医院”未填省份：按省份查看的账户看不到它",
        "错误 · 医院别名 · A12 · 别名“和政县人民医院”是“医院”表中另一个名称“和政县人民医院”，"
        "不能指向“杭州市第一人民医院”",
        "错误 · 医院别名 · A12 · 别名“和政县人民医院”与第 10 行重复（那里指向“和政县人民医院”）",
        "错误 · 医院别名 · A13 · 别名“绍兴中医院”与第 3 行重复",
        "错误 · 帮扶关系 · A4 · 支援医院“宁波市第二医院”不在“医院”表中，请先在“医院”表中登记",
        "错误 · 帮扶关系 · C4 · 开始日期：“2021-02-30”不是日期，请写成 2022-01-01 这样的日期",
        "错误 · 帮扶关系 · B5 · 支援医院和受援医院是同一家医院",
        "错误 · 应报科室 · C25 · 科室“心血管内科”不在“科室”表中，请写“科室”表中的名称“心内科”",
        "错误 · 应报科室 · C26 · 科室“老年病科”不在“科室”表中，请先在“科室”表中登记",
        "错误 · 应报科室 · E26 · 截止年份：“二〇二二”不是年份，请写四位数的年份，如 2022",
        "错误 · 应报科室 · F26 · 报送周期：报送周期“年”无效，请写 周、月 或 季",
        "错误 · 应报科室 · G26 · 报送月份：“13”不是月份列表，请写 1 到 12 的月份，用顿号分隔，"
        "如 3、9",
        "错误 · 目标 · D1 · 第 1 行缺少表头“目标”（本表表头依次为：目标代码、支援医院、受援医院、"
        "目标、指标代码、比较、目标值、起始年份、截止年份、依据）",
    ]


def test_a_pair_must_be_registered_where_rows_belong_to_one(workbook: Path, capsys) -> None:
    book = openpyxl.load_workbook(workbook)
    book["应报科室"].append(["绍兴市中医院", "和政县人民医院", "儿科", 2018, 2022, "月", None])
    book["应报科室"].append(["临夏回族自治州人民医院", "和政县人民医院", "心内科", 2020, 2021, "月",
                         None])  # overlaps the 心内科 rows of 2018–2020 and 2021–2022
    book["目标"].append(["new_target", "绍兴市中医院", None, "目标", "不存在的指标", ">", 1, 2022,
                       2021, None])
    book.save(workbook)
    code, lines = check(workbook, capsys)
    assert code == 1
    assert lines == [
        "错误 · 应报科室 · A25 · “绍兴市中医院”对“和政县人民医院”不是“帮扶关系”表中的一对",
        "错误 · 应报科室 · D26 · 心内科 的年份 2020–2021 与第 19 行（2018–2020）重叠："
        "一个科室每年只有一种报送周期",
        "错误 · 应报科室 · D26 · 心内科 的年份 2020–2021 与第 20 行（2021–2022）重叠："
        "一个科室每年只有一种报送周期",
        "错误 · 目标 · C7 · 支援医院和受援医院要么都填（这对帮扶关系的目标），"
        "要么都空（每对的目标）",
        "错误 · 目标 · E7 · 指标代码：“不存在的指标”不是已定义的指标代码或指标名称"
        "（见 dbt_project/seeds/metrics.csv）",
        "错误 · 目标 · F7 · 比较：比较“>”无效，请写 >=、<= 或 =",
        "错误 · 目标 · I7 · 截止年份 2021 早于起始年份 2022",
    ]


def test_a_workbook_that_cannot_be_opened_is_an_error(bangfu_env, capsys) -> None:
    path = bangfu_env["registry"]
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a workbook")
    code, lines = check(path, capsys)
    assert code == 1 and len(lines) == 1 and lines[0].startswith("错误 · - · - · 登记表无法打开")


def test_a_missing_sheet_is_an_error_but_the_projects_own_may_be_left_out(workbook, capsys):
    book = openpyxl.load_workbook(workbook)
    del book["目标"], book["工作计划"]
    book.save(workbook)
    assert check(workbook, capsys) == (0, [])
    assert load(workbook).registry.table(spec.TARGETS) == ()
    del book["科室别名"]
    book.save(workbook)
    assert check(workbook, capsys) == (1, [
        "错误 · 科室别名 · - · 缺少工作表“科室别名”"
        "（bangfu registry init 写出的登记表有全部工作表和表头）"])


def test_templates_follow_the_registry(workbook: Path, tmp_path: Path, capsys) -> None:
    """`bangfu template --pair` knows a pair once the operator registers it, and offers its
    应报科室 departments."""
    assert main(["template", str(tmp_path / "t"), "--pair", "杭州市第一人民医院/淳安一院"]) == 2
    assert "不是已登记的帮扶关系" in capsys.readouterr().err
    book = openpyxl.load_workbook(workbook)
    book["医院"].append(["杭州市第一人民医院", "三级", "浙江省"])
    book["医院"].append(["淳安县第一人民医院", "二级", "浙江省"])
    book["医院别名"].append(["淳安一院", "淳安县第一人民医院"])
    book["帮扶关系"].append(["杭州市第一人民医院", "淳安县第一人民医院"])
    book["科室"].append(["老年病科", "临床"])
    book["应报科室"].append(["杭州市第一人民医院", "淳安县第一人民医院", "老年病科", 2021, 2022,
                         "月", None])
    book.save(workbook)
    assert main(["template", str(tmp_path / "t"), "--pair", "杭州市第一人民医院/淳安一院"]) == 0
    (statistics,) = (tmp_path / "t").glob("对口支援*.xlsx")
    assert statistics.name == ("对口支援、医联体工作统计表_杭州市第一人民医院_"
                               "淳安县第一人民医院.xlsx")
    filled = openpyxl.load_workbook(statistics)
    form = filled.worksheets[1]
    assert (form["C3"].value, form["C4"].value) == ("杭州市第一人民医院", "淳安县第一人民医院")
    choices = {cell.value for sheet in filled.worksheets if sheet.sheet_state == "hidden"
               for row in sheet.iter_rows() for cell in row}
    assert {"杭州市第一人民医院", "淳安县第一人民医院", "老年病科"} <= choices


def test_commands_that_read_with_a_broken_registry_refuse(workbook: Path, tmp_path: Path,
                                                          capsys) -> None:
    """`bangfu check` and `bangfu template` say once that the registry has errors, instead of
    reporting every file unreadable."""
    form = tmp_path / "form.csv"
    form.write_text("姓名,诊疗人次\n张三,1\n", encoding="utf-8")
    book = openpyxl.load_workbook(workbook)
    book["帮扶关系"].append(["未登记的医院", "和政县人民医院"])
    book.save(workbook)
    for command in (["check", str(form)], ["template", str(tmp_path / "t")]):
        assert main(command) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert line.startswith("bangfu: 登记表 ") and line.endswith("（registry_invalid）")
