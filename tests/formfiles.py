"""Writing real statistics-form files for tests: .xlsx (xlsxwriter), .xls (xlwt) and CSV, in
the two template versions, with the title, period and label lines above the table."""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
import xlwt

# The 2018–2020 template: one 诊疗人次 column, no referral/telemedicine/specialty/funding columns.
OLD_HEADER = [
    "姓名", "诊疗人次", "开展手术例数", "会诊及疑难病例讨论例数", "义诊人次", "学术讲座次数",
    "教学查房次数", "手术示教例数", "业务培训人次", "开展新业务新技术数量",
]
# The 2021+ template of the Linxia form; 诊疗人次 spans 门诊 and 急诊 on a second header row.
NEW_HEADER = [
    "姓名", "门诊", "急诊", "开展手术例数", "会诊及疑难病例讨论例数", "义诊人次", "双向转诊人次",
    "远程医疗", "学术讲座次数", "教学查房次数", "手术示教例数", "业务培训人次",
    "建立特殊/特色专科数量", "开展新业务新技术数量", "支援经费（万元）",
]
LINXIA_TITLE = "临夏州人民医院对口支援和政县人民医院工作统计表"
SHAOXING_TITLE = "绍兴市中医院对口帮扶务川自治县中医院工作统计表"


@dataclass
class FormSheet:
    """One sheet of a statistics form. `above` holds the lines over the table (title, period,
    labels), each a list of cells; `rows` the data rows in header order; `below` the lines
    under it (totals, notes)."""

    rows: list[list[object]]
    above: list[list[object]] = field(default_factory=list)
    below: list[list[object]] = field(default_factory=list)
    header: list[str] = field(default_factory=lambda: list(OLD_HEADER))
    name: str = "Sheet1"
    hidden: bool = False

    @property
    def two_row_header(self) -> bool:
        return "门诊" in self.header and "急诊" in self.header

    @property
    def header_row(self) -> int:
        """0-based row of the (first) header row."""
        return len(self.above)

    @property
    def first_data_row(self) -> int:
        return self.header_row + (2 if self.two_row_header else 1)


def activity_sheet(*, title: str | None = LINXIA_TITLE, period: str | None = None,
                   labels: list[str] = (), header: list[str] = OLD_HEADER,
                   rows: list[list[object]], below: list[list[object]] = (),
                   name: str = "Sheet1") -> FormSheet:
    above = []
    if title:
        above.append([title])
    if period is not None:
        above.append([f"统计周期（起止时间）：{period}"])
    if labels:
        above.append(list(labels))
    return FormSheet(rows=rows, above=above, below=list(below), header=list(header), name=name)


def _header_rows(sheet: FormSheet) -> list[list[object]]:
    if not sheet.two_row_header:
        return [sheet.header]
    top, sub = [], []
    for label in sheet.header:
        if label == "门诊":
            top.append("诊疗人次")
            sub.append("门诊")
        elif label == "急诊":
            top.append("")
            sub.append("急诊")
        else:
            top.append(label)
            sub.append("")
    return [top, sub]


def grid(sheet: FormSheet) -> list[list[object]]:
    return [*sheet.above, *_header_rows(sheet), *sheet.rows, *sheet.below]


def _write_cell_xlsx(ws, book, r: int, c: int, value: object) -> None:
    if isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()),
                          book.add_format({"num_format": "yyyy-mm-dd"}))
    elif isinstance(value, str):
        ws.write_string(r, c, value)  # text as typed, even when it starts with =
    elif value is not None:
        ws.write(r, c, value)


def write_xlsx(path: Path, *sheets: FormSheet, mtime: dt.datetime | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": dt.datetime(2022, 1, 1)})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        if sheet.hidden:
            ws.hide()
        for r, row in enumerate(grid(sheet)):
            for c, value in enumerate(row):
                _write_cell_xlsx(ws, book, r, c, value)
        if sheet.two_row_header:
            h = sheet.header_row
            for c, label in enumerate(sheet.header):
                if label == "门诊":
                    ws.merge_range(h, c, h, c + 1, "诊疗人次")
                elif label != "急诊":
                    ws.merge_range(h, c, h + 1, c, label)
    book.close()
    return _touch(path, mtime)


def write_xls(path: Path, *sheets: FormSheet, mtime: dt.datetime | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for sheet in sheets:
        ws = book.add_sheet(sheet.name)
        for r, row in enumerate(grid(sheet)):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write(r, c, dt.datetime.combine(value, dt.time()), date_style)
                elif value is not None and value != "":
                    ws.write(r, c, value)
    book.save(str(path))
    return _touch(path, mtime)


def write_csv(path: Path, sheet: FormSheet, encoding: str = "utf-8-sig",
              mtime: dt.datetime | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(
            ["" if v is None else v for v in row] for row in grid(sheet)
        )
    return _touch(path, mtime)


def _touch(path: Path, mtime: dt.datetime | None) -> Path:
    if mtime is not None:
        stamp = mtime.replace(tzinfo=dt.UTC).timestamp()
        os.utime(path, (stamp, stamp))
    return path
