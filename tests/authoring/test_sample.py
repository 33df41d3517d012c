"""The sample corpus, checked on real files: determinism, shape, templates, formats and the
planted faults listed in the docstring of pipelines.authoring.sample."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from pipelines.authoring.sample import write_sample_corpus

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
SHAOXING = "绍兴市中医院/务川自治县中医院"
LINXIA = "临夏州人民医院/和政县人民医院"
COLUMNS_SINCE_2021 = ("双向转诊人次", "远程医疗", "建立特殊/特色专科数量", "支援经费（万元）")
PERIOD_PREFIX = "统计周期（起止时间）："
FIRST_NOTE = "备注：1.“建立特殊/特色专科数量”请附上"
ZERO_WORDS = {"", "—", "-", "/", "无"}
CHINA_TIME = dt.timezone(dt.timedelta(hours=8))
UNFILLED = f"{LINXIA}/2022/儿科_统计表.xlsx"
NEGATIVE = f"{SHAOXING}/2019/康复科_2019年9月_统计表.xlsx"
NON_NUMERIC = f"{LINXIA}/2020/急诊科_2020年第4季度_统计表.xlsx"
DUPLICATED = f"{LINXIA}/2021/口腔科_2021年第2季度_统计表.xlsx"
DUPLICATE = "重复提交/口腔科_2021年第2季度_统计表.xlsx"
REVISED = f"{LINXIA}/2020/心内科_2020年第2季度_统计表.xlsx"
REVISION = f"{LINXIA}/2020/心内科_2020年第2季度_统计表_修订.xlsx"
UTF8_CSV = f"{SHAOXING}/2021/针灸科_2021年9月_统计表.csv"
GBK_CSV = f"{LINXIA}/2020/耳鼻喉科_2020年第1季度_统计表.csv"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    written = write_sample_corpus(root)
    assert sorted(written) == sorted(path for path in root.rglob("*") if path.is_file())
    return root


@pytest.fixture(scope="module")
def form_rows(corpus: Path) -> dict[str, list[list[object]]]:
    """The first sheet of every statistics form, by path relative to the corpus."""
    return {
        _relative(path, corpus): _first_sheet(path)
        for path in corpus.rglob("*")
        if path.is_file() and "_统计表" in path.name
    }


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _first_sheet(path: Path) -> list[list[object]]:
    if path.suffix == ".csv":
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("gbk")
        return [list(row) for row in csv.reader(text.splitlines())]
    workbook = CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_index(0).to_python()


def _header_index(rows: list[list[object]]) -> int:
    return next(index for index, row in enumerate(rows) if row and row[0] == "姓名")


def _year(relative: str) -> int | None:
    """The year folder of a form (none for the copy in 重复提交)."""
    parts = relative.split("/")
    return int(parts[2]) if len(parts) == 4 else None


def _body(rows: list[list[object]]) -> tuple[bool, list[list[object]], list[object] | None]:
    """(two-row header?, one row per person, the 合计 row if any)."""
    index = _header_index(rows)
    two_rows = rows[index + 1][1] == "门诊"
    notes = next(i for i, row in enumerate(rows) if str(row[0]).startswith(FIRST_NOTE))
    body = [row for row in rows[index + 1 + two_rows:notes] if row[0] != ""]
    totals = body.pop() if body and body[-1][0] == "合计" else None
    return two_rows, body, totals


def _spelling(cell: object, from_csv: bool) -> str:
    """How a value cell is written: a kind for numbers, else the text itself."""
    text = str(cell)
    if re.search("[０-９]", text):
        return "full-width"
    if re.fullmatch(r"\d+[^\d.]+", text):
        return "with unit"
    if isinstance(cell, str) and not from_csv and re.fullmatch(r"\d+(\.\d+)?", text):
        return "number as text"
    return text


def _number(value: object) -> float:
    """A cell as the reader should understand it: zero words, full-width digits, units."""
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text in ZERO_WORDS:
        return 0.0
    return float(re.fullmatch(r"(-?[\d.]+)\D*", text).group(1))


def _period_end(relative: str) -> dt.date:
    if quarter := re.search(r"(\d{4})年第(\d)季度", relative):
        year, number = int(quarter[1]), int(quarter[2])
        following = dt.date(year + number // 4, number % 4 * 3 + 1, 1)
    else:
        month = re.search(r"(\d{4})年(\d{1,2})月", relative)
        year, number = int(month[1]), int(month[2])
        following = dt.date(year + number // 12, number % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _modified(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, CHINA_TIME).replace(tzinfo=None)


def _fingerprint(root: Path) -> dict[str, tuple[str, int]]:
    return {
        _relative(path, root): (hashlib.sha256(path.read_bytes()).hexdigest(),
                                path.stat().st_mtime_ns)
        for path in root.rglob("*")
        if path.is_file()
    }


def test_two_generations_are_identical(corpus: Path, tmp_path: Path) -> None:
    write_sample_corpus(tmp_path)
    assert _fingerprint(tmp_path) == _fingerprint(corpus)


def test_files_per_pair_and_year(corpus: Path) -> None:
    files = [path for path in corpus.rglob("*") if path.is_file()]
    counts = Counter("/".join(path.relative_to(corpus).parts[:-1]) for path in files)
    assert counts == {
        f"{SHAOXING}/2018": 20, f"{SHAOXING}/2019": 19, f"{SHAOXING}/2020": 20,
        f"{SHAOXING}/2021": 20, f"{SHAOXING}/2022": 20, SHAOXING: 1,
        f"{LINXIA}/2018": 40, f"{LINXIA}/2019": 40, f"{LINXIA}/2020": 40,
        f"{LINXIA}/2021": 63, f"{LINXIA}/2022": 63, LINXIA: 1,
        "重复提交": 1,
    }


def test_formats(corpus: Path) -> None:
    by_suffix: dict[str, set[str]] = {}
    for path in corpus.rglob("*.*"):
        by_suffix.setdefault(path.suffix, set()).add(_relative(path, corpus))
    assert by_suffix[".csv"] == {UTF8_CSV, GBK_CSV}
    assert {path.split("/")[2] for path in by_suffix[".xls"]} == {"2018", "2019"}
    assert all(path.startswith(LINXIA) for path in by_suffix[".xls"])
    assert len(by_suffix[".xls"]) == 80
    assert not any(re.search(f"{LINXIA}/201[89]/", path) for path in by_suffix[".xlsx"])
    assert len(by_suffix[".xlsx"]) == 348 - 80 - 2


def test_old_template_lacks_the_2021_columns(form_rows: dict[str, list[list[object]]]) -> None:
    old = {path: rows for path, rows in form_rows.items() if (_year(path) or 9999) < 2021}
    assert len(old) == 20 + 19 + 20 + 40 + 40 + 40
    for path, rows in old.items():
        index = _header_index(rows)
        assert "诊疗人次" in rows[index], path
        texts = {str(cell) for row in rows for cell in row}
        assert not texts & {*COLUMNS_SINCE_2021, "门诊", "急诊"}, path


def test_2021_template_has_the_two_row_merged_header(corpus: Path) -> None:
    xlsx = [path for year in ("2021", "2022") for pair in (SHAOXING, LINXIA)
            for path in (corpus / pair / year).glob("*.xlsx")]
    assert len(xlsx) == 19 + 20 + 63 + 63
    for path in xlsx:
        sheet = openpyxl.load_workbook(path).worksheets[0]
        top = next(row for row in range(1, 10) if sheet.cell(row, 1).value == "姓名")
        bottom = top + 1
        merged = {str(cells) for cells in sheet.merged_cells.ranges}
        assert sheet.cell(top, 2).value == "诊疗人次", path
        assert f"B{top}:C{top}" in merged, path
        assert (sheet.cell(bottom, 2).value, sheet.cell(bottom, 3).value) == ("门诊", "急诊")
        for column in ("A", *"DEFGHIJKLMNO"):
            assert f"{column}{top}:{column}{bottom}" in merged, (path, column)
        headers = [sheet.cell(top, column).value for column in range(4, 16)]
        assert set(COLUMNS_SINCE_2021) <= set(headers), path


def test_every_form_has_title_period_line_header_rows_and_notes(
    form_rows: dict[str, list[list[object]]],
) -> None:
    header_rows, period_styles, labelled = Counter(), Counter(), Counter()
    for path, rows in form_rows.items():
        assert "统计表" in rows[0][0], path
        assert rows[1][0].startswith(PERIOD_PREFIX), path
        period_styles[re.sub(r"\d+", "9", rows[1][0].removeprefix(PERIOD_PREFIX))] += 1
        index = _header_index(rows)
        header_rows[index + 1] += 1
        labelled[any(str(row[0]).startswith("填报科室：") for row in rows[:index])] += 1
        notes = next(i for i, row in enumerate(rows) if str(row[0]).startswith(FIRST_NOTE))
        assert str(rows[notes + 2][0]).startswith("3.“义诊”"), path
        _, people, totals = _body(rows)
        assert 1 <= len(people) <= 3, path
        if totals:
            sums = [sum(_number(person[column]) for person in people)
                    for column in range(1, len(totals))]
            assert [_number(cell) for cell in totals[1:]] == pytest.approx(sums), path
    assert set(header_rows) == {3, 4, 5, 6}
    assert set(period_styles) >= {
        "9年9月9日至9年9月9日", "9.9.9-9.9.9", "9/9/9~9/9/9", "9年第三季度", "9年9月",
    }
    assert labelled[True] > labelled[False] > 0


def test_names_and_values_vary_like_real_submissions(
    form_rows: dict[str, list[list[object]]],
) -> None:
    names, spellings = set(), Counter()
    visits_by_year: dict[int, list[float]] = {}
    for path, rows in form_rows.items():
        two_rows, people, _ = _body(rows)
        for person in people:
            names.add(person[0])
            spellings.update(_spelling(cell, path.endswith(".csv")) for cell in person[1:])
            visit_columns = person[1:3] if two_rows else person[1:2]
            # The monthly forms of 2021+ would pull the per-person mean down; compare like with
            # like: visits per month of the period.
            months = 3 if "季度" in path else 1
            visits = sum(_number(cell) for cell in visit_columns) / months
            if year := _year(path):
                visits_by_year.setdefault(year, []).append(visits)
    assert any("\u3000" in name for name in names)
    assert any("  " in name for name in names)
    for spelling in ("full-width", "with unit", "number as text", "", "—", "/", "无"):
        assert spellings[spelling], spelling
    means = [sum(values) / len(values) for _, values in sorted(visits_by_year.items())]
    assert means[-1] > means[0]


def test_xls_files_open_with_calamine(corpus: Path) -> None:
    for path in corpus.rglob("*.xls"):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        assert rows[0][0].startswith("临夏州人民医院"), path


def test_csv_encodings_and_the_2021_header_in_csv(corpus: Path) -> None:
    gbk = (corpus / GBK_CSV).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert "统计周期" in gbk.decode("gb18030")
    utf8 = (corpus / UTF8_CSV).read_bytes()
    assert utf8.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(utf8.decode("utf-8-sig").splitlines()))
    top = _header_index(lines)
    assert lines[top][1:3] == ["诊疗人次", ""]
    assert lines[top + 1][:3] == ["", "门诊", "急诊"]


def test_forms_are_modified_a_few_days_after_their_period(corpus: Path) -> None:
    delays = {
        _relative(path, corpus): (_modified(path).date() - _period_end(path.name)).days
        for path in corpus.rglob("*_统计表*")
        if path.parent.name != "重复提交" and path != corpus / UNFILLED
    }
    assert all(2 <= days <= 60 for days in delays.values()), delays
    late = [path for path, days in delays.items() if days >= 30]
    assert 0 < len(late) < len(delays) / 10


def test_missing_reports_are_absent(corpus: Path) -> None:
    for missing in (f"{SHAOXING}/2019/疼痛科_2019年9月", f"{LINXIA}/2020/耳鼻喉科_2020年第3季度",
                    f"{LINXIA}/2021/新生儿科_2021年第4季度", f"{LINXIA}/2022/呼吸科_2022年8月",
                    f"{LINXIA}/2022/儿科_2022年第2季度"):
        folder, stem = missing.rsplit("/", 1)
        assert not list((corpus / folder).glob(f"{stem}_*")), missing
    assert (corpus / f"{LINXIA}/2022/呼吸科_2022年7月_统计表.xlsx").exists()


def _cell(path: Path, sheet: str, reference: str) -> object:
    return openpyxl.load_workbook(path)[sheet][reference].value


def test_unfilled_period_line(corpus: Path) -> None:
    assert _cell(corpus / UNFILLED, "Sheet1", "A2") == f"{PERIOD_PREFIX}2022年月日至年月日"


def test_negative_value(corpus: Path) -> None:
    sheet = openpyxl.load_workbook(corpus / NEGATIVE)["Sheet1"]
    assert sheet["C4"].value == "开展手术例数"
    assert sheet["C6"].value == -3



def test_the_planted_cells_are_the_only_negative_and_non_numeric_values(
    form_rows: dict[str, list[list[object]]],
) -> None:
    odd = set()
    for path, rows in form_rows.items():
        for person in _body(rows)[1]:
            for cell in person[1:]:
                try:
                    if _number(cell) < 0:
                        odd.add((path, "negative"))
                except AttributeError:
                    odd.add((path, cell))
    assert odd == {(NEGATIVE, "negative"), (NON_NUMERIC, "若干")}


def test_non_numeric_text(corpus: Path) -> None:
    sheet = openpyxl.load_workbook(corpus / NON_NUMERIC)["统计表"]
    assert sheet["D4"].value == "会诊及疑难病例讨论例数"
    assert sheet["D5"].value == "若干"


def test_exact_copy_in_a_second_folder(corpus: Path) -> None:
    assert (corpus / DUPLICATE).read_bytes() == (corpus / DUPLICATED).read_bytes()
    assert _modified(corpus / DUPLICATE) > _modified(corpus / DUPLICATED)


def test_corrected_resubmission(corpus: Path) -> None:
    original = openpyxl.load_workbook(corpus / REVISED)["Sheet1"]
    revision = openpyxl.load_workbook(corpus / REVISION)["Sheet1"]
    differences = {
        cell.coordinate
        for row in original.iter_rows()
        for cell in row
        if cell.value != revision[cell.coordinate].value
    }
    assert differences == {"B5"}
    assert original["B4"].value == "诊疗人次"
    assert original["B5"].value == 10 * revision["B5"].value
    assert _modified(corpus / REVISION) > _modified(corpus / REVISED)


def test_capacity_workbooks(corpus: Path) -> None:
    with (SEEDS_DIR / "metrics.csv").open(encoding="utf-8", newline="") as fh:
        indicators = [row["metric_name_zh"] for row in csv.DictReader(fh)
                      if row["kind"] == "capacity"]
    for pair, recipient in ((SHAOXING, "务川自治县中医院"), (LINXIA, "和政县人民医院")):
        path = corpus / pair / f"{recipient}_能力指标_2018-2022.xlsx"
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        assert rows[1] == ["指标", "单位", "2018年", "2019年", "2020年", "2021年", "2022年"]
        values = {row[0]: row[2:] for row in rows[2:]}
        assert list(values) == indicators
        percentages = [cell for row in rows[2:] if row[1] == "%" for cell in row[2:]]
        assert any(isinstance(cell, str) and cell.endswith("%") for cell in percentages)
        assert any(isinstance(cell, float) for cell in percentages)
        centres = values[indicators[8]]
        assert centres[0] <= 1 and centres[-1] >= 4
        assert all(0.7 <= cmi <= 1.0 for cmi in values["病例组合指数（CMI）"])
        beds = values["实际开放床位数"]
        assert beds == sorted(beds)
