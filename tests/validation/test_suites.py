"""The suites are data: which feature is compared with which bound lives in
expectations/suites/*.json, every metric's bound in metrics.csv, nothing in code."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from formfiles import NEW_HEADER, activity_sheet, write_xlsx
from source_copy import copy_sources, run_python

from pipelines.batch import FormBatch
from pipelines.digests import reader_key
from pipelines.forms.reader import read_form
from pipelines.validation.suites import SUITES_DIR, validate


def batch_of(path: Path) -> FormBatch:
    parsed = {("sha", path.name): read_form(path.read_bytes(), path.name)}
    return FormBatch.from_parsed(parsed, reader_key(), dt.datetime(2023, 1, 1))


def codes(batch: FormBatch) -> list[tuple[str, str]]:
    return sorted(zip(batch.issues["code"], batch.issues["cell"], strict=True))


def set_bound(seeds: Path, metric_code: str, column: str, value: str) -> None:
    """Edit one bound of metrics.csv, as an operator would: the file, nothing else."""
    path = seeds / "metrics.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    (row,) = [r for r in rows if r["metric_code"] == metric_code]
    row[column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


CHECK = "import sys; from pipelines.cli import main; sys.exit(main(['check', *sys.argv[1:]]))"


@pytest.mark.parametrize(("metric", "column", "bound", "form_rows", "expected"), [
    # 2,480 visits in a 31-day month: 80 a day, under the shipped max_per_day of 120.
    ("total_visits", "max_per_day", "60", [["张三", 2480, 0, 0, 0, 0, 0, 0, 0, 0]],
     ("B5", "平均每天 80，而每人每天通常不超过 60")),
    # 5 new techniques in a month's report, under the shipped max_per_report of 10.
    ("new_techniques", "max_per_report", "3", [["张三", 10, 0, 0, 0, 0, 0, 0, 0, 5]],
     ("J5", "每人每份报表通常不超过 3 项")),
])
def test_a_bound_changed_in_metrics_csv_only_is_the_one_the_suites_judge_by(
        tmp_path: Path, metric: str, column: str, bound: str, form_rows: list,
        expected: tuple[str, str]) -> None:
    form = write_xlsx(tmp_path / "f.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"], rows=form_rows))
    shipped, _ = validate(batch_of(form))
    assert codes(shipped) == []

    copy = copy_sources(tmp_path / "bangfu")
    set_bound(copy / "dbt_project" / "seeds", metric, column, bound)
    # the suites are the shipped ones, byte for byte: only metrics.csv differs
    assert all((copy / "expectations" / "suites" / path.name).read_bytes() == path.read_bytes()
               for path in SUITES_DIR.glob("*.json"))
    checked = run_python(copy, CHECK, str(form))
    assert checked.returncode in (0, 1), checked.stderr
    cell, words = expected
    (line,) = [line for line in checked.stdout.splitlines() if f" · {cell} · " in line]
    assert words in line, checked.stdout


def test_a_suite_naming_an_unknown_code_is_refused(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "bad.json").write_text(json.dumps({
        "name": "bad", "meta": {"frame": "activity_rows"},
        "expectations": [{"type": "expect_column_values_to_not_be_null",
                          "kwargs": {"column": "person_key"}, "meta": {"code": "made_up"}}],
    }), encoding="utf-8")
    with pytest.raises(ValueError, match="made_up"):
        validate(FormBatch.empty(), suites_dir=suites)


def person(name: str, visits: int) -> list[object]:
    return [name, visits, 0, 0, 0, 0, 0, 0, 0, 0]


def test_subtotals_total_their_group_and_running_totals_are_not_compared(
        tmp_path: Path) -> None:
    rows = [person("陈静", 10), person("刘洋", 5), ["小计", 15], person("杨帆", 7),
            ["小 计", 8], ["合计", 22], ["本年累计", 250]]
    form = write_xlsx(tmp_path / "f.xlsx", activity_sheet(
        period="2021年8月", labels=["填报科室：呼吸科"], rows=rows))
    judged, _ = validate(batch_of(form))
    # Only the second subtotal is wrong: 杨帆 alone is 7.
    assert codes(judged) == [("totals_mismatch", "B9")]


def test_a_name_merged_down_over_monthly_rows_is_no_repeat(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["临夏州人民医院对口支援和政县人民医院工作统计表"], ["统计周期：2021年第三季度"],
                ["填报科室：创伤骨科"], ["姓名", "月份", "诊疗人次"],
                ["高峰", "7月", 10], [None, "8月", 12], [None, "9月", 9], ["林涛", "7月", 3]]:
        sheet.append(row)
    sheet.merge_cells("A5:A7")
    book.save(tmp_path / "f.xlsx")
    judged, _ = validate(batch_of(tmp_path / "f.xlsx"))
    assert [code for code, _ in codes(judged)] == ["unknown_column"]  # 月份, nothing else


def capacity_workbook(path: Path, beds_2022: float, grade34_share_2022: float) -> Path:
    """A recipient's capacity table, 2021 and 2022: beds in row 3, the share in row 5."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("能力指标")
    for r, row in enumerate([["和政县人民医院能力指标"], ["指标", "2021年", "2022年"],
                             ["实际开放床位数", 500, beds_2022],
                             ["病例组合指数（CMI）", 0.82, 0.87],
                             ["三、四级手术占比", 21.5, grade34_share_2022]]):
        sheet.write_row(r, 0, row)
    book.close()
    return path


def test_capacity_counts_are_whole_numbers(tmp_path: Path) -> None:
    path = capacity_workbook(tmp_path / "和政县人民医院_能力指标.xlsx", 527.5, 24.75)
    judged, _ = validate(batch_of(path))
    assert codes(judged) == [("non_integer_count", "C3")]


def test_a_capacity_share_above_its_bound_in_the_catalogue_is_implausible(tmp_path: Path) -> None:
    path = capacity_workbook(tmp_path / "和政县人民医院_能力指标.xlsx", 527, 124.75)
    judged, _ = validate(batch_of(path))
    assert codes(judged) == [("implausible_value", "C5")]
    (message,) = judged.issues.filter(judged.issues["cell"] == "C5")["message"]
    assert "最多为 100" in message


def test_a_suite_with_an_expectation_gx_does_not_know_is_refused(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "bad.json").write_text(json.dumps({
        "name": "bad", "meta": {"frame": "activity_rows", "table": "activity_rows"},
        "expectations": [{"type": "expect_column_pair_values_A_to_be_greater_than_B",
                          "kwargs": {"column_A": "row_number", "column_B": "row_number"},
                          "meta": {"code": "implausible_value"}}],
    }), encoding="utf-8")
    path = tmp_path / "心内科.xlsx"
    write_xlsx(path, activity_sheet(period="2021年3月", rows=[["张三", 1, 0, 0, 0, 0, 0, 0, 0, 0]]))
    with pytest.raises(ValueError, match="A_to_be_greater_than_B"):
        validate(batch_of(path), suites_dir=suites)


def test_rules_about_the_total_apply_to_the_2021_template(tmp_path: Path) -> None:
    """The 2021 template has no 诊疗人次 column; its total is 门诊 + 急诊."""
    row = ["张三", 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0]  # 教学查房 6, no clinical work
    form = write_xlsx(tmp_path / "f.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：心内科"], header=NEW_HEADER, rows=[row]))
    judged, _ = validate(batch_of(form))
    assert codes(judged) == [("inconsistent_values", "J6")]


def test_funding_written_in_yuan_is_judged_and_told_in_10k_yuan(tmp_path: Path) -> None:
    form = write_xlsx(tmp_path / "f.xlsx", activity_sheet(
        period="2021年3月", labels=["填报科室：儿科"], header=["姓名", "支援经费（元）"],
        rows=[["张三", 3000000]]))
    judged, _ = validate(batch_of(form))
    (issue,) = judged.issues.iter_rows(named=True)
    assert (issue["code"], issue["cell"]) == ("implausible_value", "B5")
    assert ("数值 3000000 超出通常范围（折合 300 万元，每人每份报表通常不超过 200 万元）"
            in issue["message"])
