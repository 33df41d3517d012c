"""What the registry knows (issue 9): a generic institution word in a title is no unknown
hospital beside a registered one in a label; a recipient's capacity workbook gets its
supporting hospital from the pair registry; indicator and header names with the usual
suffixes and abbreviations."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from formfiles import activity_sheet, write_xlsx

from pipelines.forms.reader import read_form

LINXIA = "临夏回族自治州人民医院"
HEZHENG = "和政县人民医院"
SHAOXING = "绍兴市中医院"
WUCHUAN = "务川仡佬族苗族自治县中医院"


def read(path: Path, raw: Path):
    return read_form(path.read_bytes(), path.relative_to(raw).as_posix())


def write_book(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("title", "labels", "pair"),
    [
        ("2021年县级医院对口帮扶工作统计表", ["填报单位：和政县人民医院"], (LINXIA, HEZHENG)),
        ("三级医院对口支援县级医院工作统计表", ["受援单位：和政县医院"], (LINXIA, HEZHENG)),
        ("紧密型医联体帮扶工作统计表", ["填报单位：务川县中医院"], (SHAOXING, WUCHUAN)),
        ("城乡医院对口支援（乡镇卫生院）工作统计表", ["受援单位：务川县中医院"],
         (SHAOXING, WUCHUAN)),
        ("二级医院帮扶工作统计表", ["支援单位：绍兴市中医院"], (SHAOXING, WUCHUAN)),
    ],
)
def test_a_generic_institution_word_beside_a_registered_hospital(
        tmp_path: Path, title: str, labels: list[str], pair: tuple[str, str]) -> None:
    sheet = activity_sheet(title=title, period="2021年3月", labels=["填报科室：儿科", *labels],
                           rows=[["张三", 12, 3, 0, 0, 0, 0, 0, 0, 0]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert parsed.issues == []
    (report,) = parsed.reports
    assert (report.supporting_hospital, report.recipient_hospital) == pair
    assert [(v.metric_code, v.value) for v in report.rows[0].values][:2] == [
        ("total_visits", 12), ("surgeries", 3)]


def test_a_township_centre_that_is_no_generic_word_is_still_unknown(tmp_path: Path) -> None:
    sheet = activity_sheet(title="医联体对口帮扶罗家集镇卫生院工作统计表", period="2021年3月",
                           labels=["填报单位：和政县人民医院"],
                           rows=[["张三", 12, 3, 0, 0, 0, 0, 0, 0, 0]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert [(i.code, i.value_found) for i in parsed.issues] == [
        ("unknown_hospital", "罗家集镇卫生院")]


@pytest.mark.parametrize(
    ("title", "labels"),
    [
        ("县级医院综合服务能力指标（2018—2022年）", ["填报单位：和政县人民医院"]),
        ("和政县人民医院服务能力指标", []),
        ("受援医院能力提升指标", ["受援单位：和政县医院"]),
    ],
)
def test_a_recipients_capacity_workbook_gets_its_supporting_hospital(
        tmp_path: Path, title: str, labels: list[str]) -> None:
    path = write_book(tmp_path / "能力指标.xlsx", [
        [title], labels, ["指标名称", "2018年", "2019年"],
        ["门急诊人次", 100000, 110000], ["出院人次", 5000, 5200], ["实际开放床位数", 300, 320]])
    parsed = read(path, tmp_path)
    assert parsed.issues == []
    (report,) = parsed.reports
    assert (report.form_type, report.supporting_hospital, report.recipient_hospital) == (
        "capacity", LINXIA, HEZHENG)
    assert [(v.metric_code, v.year, v.value) for v in report.capacity][:2] == [
        ("cap_outpatient_emergency_visits", 2018, 100000),
        ("cap_outpatient_emergency_visits", 2019, 110000)]


def test_indicator_names_with_suffixes_and_abbreviations(tmp_path: Path) -> None:
    path = write_book(tmp_path / "和政县人民医院能力指标.xlsx", [
        ["和政县人民医院能力指标"], ["指标", "2021年"],
        ["门急诊人次数", 120000], ["出院人数", 5600], ["住院手术例数", 900],
        ["三四级手术占比率", "31.5%"], ["县域内就诊率", "88%"], ["开放床位", 320],
        ["ICU床位", 12], ["重点专科数", 3], ["新技术新项目数", 7], ["CMI值", 0.86],
        ["病例组合指数（CMI值）", 0.86], ["远程医疗例数", 40], ["上转人次", 15],
        ["下转患者数", 20],
    ])
    parsed = read(path, tmp_path)
    assert parsed.issues == []
    (report,) = parsed.reports
    assert [(v.indicator_name, v.metric_code, v.value) for v in report.capacity] == [
        ("门急诊人次数", "cap_outpatient_emergency_visits", 120000),
        ("出院人数", "cap_discharges", 5600),
        ("住院手术例数", "cap_inpatient_surgeries", 900),
        ("三四级手术占比率", "cap_grade34_surgery_pct", 31.5),
        ("县域内就诊率", "cap_county_inpatient_share_pct", 88),
        ("开放床位", "cap_open_beds", 320),
        ("ICU床位", "cap_icu_beds", 12),
        ("重点专科数", "cap_key_specialties", 3),
        ("新技术新项目数", "cap_new_techniques", 7),
        ("CMI值", "cap_cmi", 0.86),
        ("病例组合指数（CMI值）", "cap_cmi", 0.86),
        ("远程医疗例数", "cap_telemedicine_cases", 40),
        ("上转人次", "cap_referrals_up", 15),
        ("下转患者数", "cap_referrals_down", 20),
    ]


def test_activity_headers_with_suffixes(tmp_path: Path) -> None:
    header = ["姓名", "门诊人次数", "手术例数", "会诊数", "义诊人次数", "学术讲座数",
              "教学查房数", "业务培训人次数", "新技术新业务数"]
    sheet = activity_sheet(period="2021年3月", labels=["填报科室：儿科"], header=header,
                           rows=[["张三", 1, 2, 3, 4, 5, 6, 7, 8]])
    parsed = read(write_xlsx(tmp_path / "x.xlsx", sheet), tmp_path)
    assert parsed.issues == []
    (report,) = parsed.reports
    assert [(c.metric_code, c.column_name) for c in report.columns] == [
        ("outpatient_visits", "门诊人次数"), ("surgeries", "手术例数"),
        ("consultations", "会诊数"), ("free_clinic_visits", "义诊人次数"),
        ("lectures", "学术讲座数"), ("teaching_rounds", "教学查房数"),
        ("training_attendees", "业务培训人次数"), ("new_techniques", "新技术新业务数")]
    assert [v.value for v in report.rows[0].values] == [1, 2, 3, 4, 5, 6, 7, 8]
