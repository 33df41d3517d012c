"""Hostile files: what a raw folder may hold that a reader must survive. Shared by the bench
(`python -m bench.hostile`: the peak memory of a run beside them) and the tests (a whole run
beside them: tests/test_hostile_folder.py). Each is made from a good form of the sample corpus
(`template`, an .xlsx), so that a reader that survives its trick would read a real form.

Sizes are parameters: the bench writes a 1,000,000-row CSV and a 600 MB zip bomb, the tests
what is just past the default limits (docs/operations.md), which costs seconds, not minutes.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

# A title that names a registered pair: a form that is read gets as far as its rows.
TITLE = "临夏州人民医院对口支援和政县人民医院工作统计表"
# An external entity, as in an XXE attack: a parser that resolves it reads the server's file.
XXE_DOCTYPE = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
# Billion laughs: ten entities, each ten of the one before, 10^9 "lol"s once expanded.
LAUGHS_DOCTYPE = (b'<!DOCTYPE worksheet [<!ENTITY lol0 "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10)
                             for i in range(1, 10)) + b"]>")
# The period line of a form (a shared string), and a period no calendar has: a form that is
# read then has an error, so that a run sends it back annotated.
PERIOD_LINE = re.compile("(<t>统计周期[^<：:]*[：:])[^<]*")
BAD_PERIOD = "2022年13月45日至2022年14月50日"


def _rewritten(template: Path, path: Path, parts: dict[str, Callable[[bytes], bytes]],
               extra: dict[str, bytes] | None = None) -> Path:
    """A copy of the workbook `template` whose named parts are rewritten and `extra` added."""
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w",
                                                           zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, parts[item.filename](data) if item.filename in parts else data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


def _with_bad_period(strings: bytes) -> bytes:
    changed, found = PERIOD_LINE.subn(r"\g<1>" + BAD_PERIOD, strings.decode("utf-8"), count=1)
    if not found:
        raise ValueError("the template has no period line (统计周期…：) among its strings")
    return changed.encode("utf-8")


def _with_doctype_and_footer(doctype: bytes, reference: bytes) -> Callable[[bytes], bytes]:
    """A worksheet with `doctype` and a page header that uses its entity: the spreadsheet
    readers that take only the cells pass it by, an XML parser of the whole sheet does not."""
    def rewrite(sheet: bytes) -> bytes:
        head, rest = sheet.split(b"?>", 1)
        rest = rest.replace(b"</worksheet>", b"<headerFooter><oddHeader>" + reference
                            + b"</oddHeader></headerFooter></worksheet>", 1)
        return head + b"?>" + doctype + rest
    return rewrite


def write_xxe_workbook(path: Path, template: Path) -> Path:
    """A form with an error whose sheet declares an external entity and uses it: openpyxl,
    opening it to annotate, stops with `undefined entity &xxe;` (issue 20)."""
    return _rewritten(template, path, {
        "xl/sharedStrings.xml": _with_bad_period,
        "xl/worksheets/sheet1.xml": _with_doctype_and_footer(XXE_DOCTYPE, b"&xxe;")})


def write_billion_laughs(path: Path, template: Path) -> Path:
    """A form with an error whose sheet holds the billion-laughs entities, used once."""
    return _rewritten(template, path, {
        "xl/sharedStrings.xml": _with_bad_period,
        "xl/worksheets/sheet1.xml": _with_doctype_and_footer(LAUGHS_DOCTYPE, b"&lol9;")})


def write_far_cell(path: Path, template: Path) -> Path:
    """A form with one more cell, at XFD1048576, the last cell a sheet may have: a reader
    that makes the sheet a dense grid needs 17 billion cells."""
    def rewrite(sheet: bytes) -> bytes:
        sheet = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
        return sheet.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" '
                             b't="inlineStr"><is><t>x</t></is></c></row></sheetData>', 1)
    return _rewritten(template, path, {"xl/worksheets/sheet1.xml": rewrite})


def write_zip_bomb(path: Path, template: Path, inflated_mb: int = 600) -> Path:
    """A real workbook whose first sheet's XML is padded to `inflated_mb` of blanks."""
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, src.read(item))
                continue
            with out.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                block = b" " * (1 << 20)
                for _ in range(inflated_mb):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return path


def write_negative_count(path: Path) -> Path:
    """A form of January 2022 with a negative count: its row is rejected and the rest read (a
    partial file of its pair and year, listed in the year-end report's open rejections)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in ([TITLE], ["统计周期（起止时间）：2022年1月1日至2022年1月31日"],
                ["填报科室：产科"], ["姓名", "诊疗人次", "开展手术例数"],
                ["张三", -5, 1], ["李四", 3, 2]):
        sheet.append(row)
    book.save(path)
    return path


def write_macro_workbook(path: Path, template: Path) -> Path:
    """A form carrying a VBA project (the part Excel runs as macros)."""
    return _rewritten(template, path, {}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(508)})


def write_html_as_xls(path: Path) -> Path:
    """A web page saved with an .xls name (what some systems export as 'Excel')."""
    path.write_text(f"<html><body><table><tr><td>{TITLE}</td></tr><tr><td>姓名</td>"
                    "<td>诊疗人次</td></tr><tr><td>张三</td><td>3</td></tr></table></body></html>",
                    encoding="utf-8")
    return path


def write_long_csv(path: Path, rows: int = 1_000_000) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{TITLE}\n统计周期：2021年3月\n")
        out.write("姓名,诊疗人次,开展手术例数\n")
        out.writelines(f"人员{i},{i % 97},{i % 5}\n" for i in range(rows))
    return path


def write_huge_name_cell(path: Path, megabytes: int = 4) -> Path:
    """A CSV form whose one name cell holds `megabytes` of text."""
    path.write_text(f"{TITLE}\n统计周期：2021年3月\n填报科室：儿科\n姓名,诊疗人次\n"
                    f"{'张' * ((megabytes << 20) // 3)},3\n李四,2\n", encoding="utf-8")
    return path


def gbk_name(name: str) -> str:
    """A file name in GBK bytes, as a zip made on Windows leaves it when unpacked on Linux."""
    return os.fsdecode(name.encode("gbk"))


@dataclass(frozen=True)
class Hostile:
    name: str  # as the raw folder holds it
    trick: str


def write_hostile_files(folder: Path, template: Path, *, csv_rows: int = 1_000_000,
                        bomb_mb: int = 600, name_cell_mb: int = 4) -> list[Hostile]:
    """Every hostile file into `folder` (created), and a symbolic link out of it."""
    folder.mkdir(parents=True, exist_ok=True)
    made = [
        (write_xxe_workbook(folder / "外部实体_统计表.xlsx", template), "XXE (external entity)"),
        (write_billion_laughs(folder / "十亿笑声_统计表.xlsx", template), "billion laughs"),
        (write_far_cell(folder / "远端单元格_统计表.xlsx", template), "a cell at XFD1048576"),
        (write_zip_bomb(folder / "解压炸弹.xlsx", template, bomb_mb), f"zip bomb ({bomb_mb} MB)"),
        (write_macro_workbook(folder / "含宏_统计表.xlsx", template), "a VBA project"),
        (write_html_as_xls(folder / "网页另存_统计表.xls"), "HTML saved as .xls"),
        (write_long_csv(folder / "超长_统计表.csv", csv_rows), f"a CSV of {csv_rows:,} rows"),
        (write_huge_name_cell(folder / "超长姓名_统计表.csv", name_cell_mb),
         f"a {name_cell_mb} MB name cell"),
    ]
    gbk = _rewritten(template, folder / gbk_name("儿科_GBK文件名_统计表.xlsx"),
                     {"xl/sharedStrings.xml": _with_bad_period})
    made.append((gbk, "a file name in GBK bytes, and an error"))
    bell = write_negative_count(folder / "响铃\a换行\n_统计表.xlsx")
    made.append((bell, "control characters in its name, and a negative count"))
    link = folder / "链接_外部.xlsx"
    link.symlink_to("/etc/passwd")
    made.append((link, "a symbolic link out of the folder"))
    return [Hostile(path.name, trick) for path, trick in made]
