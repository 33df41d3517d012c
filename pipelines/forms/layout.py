"""Where the table is on a sheet: the header row(s), what each column holds, and which rows
below it are people, totals, notes or sign-off lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.forms.text import cell_text, fold, label_key, without_asides
from pipelines.forms.values import parse_number
from pipelines.forms.vocabulary import (
    IGNORED,
    NOT_METRICS,
    PERSON_NAME,
    UNUSED_LABEL,
    Vocabulary,
)
from pipelines.forms.workbook import Sheet


@dataclass(frozen=True)
class HeaderColumn:
    index: int
    name: str  # as written; a two-row header joined as 诊疗人次·门诊
    field: str | None  # metric code, person_name, ignore, or None when unknown
    scale: float = 1.0  # turns a bare number into the metric's unit (支援经费（元）: 0.0001)


@dataclass(frozen=True)
class Header:
    first_row: int  # 0-based
    last_row: int  # 0-based; equals first_row for a one-row header
    columns: tuple[HeaderColumn, ...]

    def field_column(self, field: str) -> HeaderColumn | None:
        return next((c for c in self.columns if c.field == field), None)

    @property
    def metric_columns(self) -> list[HeaderColumn]:
        """The columns that hold a metric (not the name, the department, ignored or unknown)."""
        return [c for c in self.columns if c.field not in (None, *NOT_METRICS)]


def side_by_side(sheet: Sheet, header: Header) -> list[tuple[Sheet, Header]]:
    """Tables laid out side by side under one header row (姓名 … 姓名 …): each as a view of
    the sheet that holds only its own columns (cell references stay those of the sheet),
    with its part of the header. A 序号 just before a 姓名 belongs to the table on its right."""
    names = [i for i, c in enumerate(header.columns) if c.field == PERSON_NAME]
    if len(names) < 2:
        return [(sheet, header)]
    starts = [0]
    for n in names[1:]:
        while n > starts[-1] + 1 and header.columns[n - 1].field == IGNORED:
            n -= 1
        starts.append(n)
    # Each table's columns start after the last header column of the one on its left, so
    # that a label over the blank column between them goes with the table on the right.
    bounds = [0, *(header.columns[n - 1].index + 1 for n in starts[1:])]
    parts = []
    for k, first in enumerate(starts):
        last = starts[k + 1] if k + 1 < len(starts) else None
        stop = bounds[k + 1] if k + 1 < len(bounds) else None
        parts.append((columns_view(sheet, bounds[k], stop),
                      Header(header.first_row, header.last_row, header.columns[first:last])))
    return parts


def columns_view(sheet: Sheet, first: int, stop: int | None) -> Sheet:
    """The sheet with every cell outside columns [first, stop) blank."""
    def kept(row: list[object]) -> list[object]:
        end = len(row) if stop is None else min(stop, len(row))
        return [""] * min(first, len(row)) + row[first:end]
    merged = [m for m in sheet.merged
              if m[0][1] >= first and (stop is None or m[1][1] < stop)]
    return Sheet(sheet.name, sheet.index, [kept(row) for row in sheet.rows], merged,
                 sheet.hidden_rows)


def rows_in_columns(rows: list[list[object]], first: int, stop: int | None) -> list[int]:
    """Which of `rows` have text only in columns [first, stop)."""
    def inside(c: int) -> bool:
        return first <= c and (stop is None or c < stop)
    return [r for r, row in enumerate(rows)
            if any(cell_text(v).strip() for v in row)
            and all(inside(c) for c, v in enumerate(row) if cell_text(v).strip())]


def _activity_fields(texts: list[str], vocab: Vocabulary) -> set[str]:
    fields = {vocab.field_of(t) for t in texts if t}
    return {f for f in fields if f == PERSON_NAME or vocab.metric_kind(f or "") == "activity"}


def _filled_top(sheet: Sheet, row: int, width: int, below: list[str]) -> list[str]:
    """The upper header row with merged labels spread over every column they span. Without
    merge information (CSV), a label spreads right over the empty cells under which the row
    below has a sub-label."""
    top = sheet.texts(row) + [""] * width
    top = top[:width]
    merged_here = [m for m in sheet.merged if m[0][0] <= row <= m[1][0] and m[0][1] < m[1][1]]
    for (r0, c0), (_r1, c1) in merged_here:
        label = cell_text(sheet.cell(r0, c0)).strip()
        for c in range(c0, min(c1, width - 1) + 1):
            top[c] = label
    if not sheet.merged:
        for c in range(1, width):
            if not top[c] and below[c] and top[c - 1] and below[c - 1]:
                top[c] = top[c - 1]
    return top


def _is_sub_header(texts: list[str], vocab: Vocabulary) -> bool:
    """A second header row names form columns and holds no numbers (a data row would)."""
    return bool(_activity_fields(texts, vocab)) and not any(
        ch.isdigit() for t in texts for ch in fold(t)
    )


def locate_activity_header(sheet: Sheet, vocab: Vocabulary, start: int = 0) -> Header | None:
    """The statistics-form header: the row (within the first rows from `start`) that names
    the most form columns, at least two of them, with the row under it when that one carries
    sub-labels (诊疗人次 over 门诊 and 急诊), or the row above it when the names are grouped
    under headings there (医疗工作 over 门诊 and 手术, 姓名 merged down both rows)."""
    best_row, best_score = None, 1
    for r in range(start, min(start + vocab.header_search_rows, len(sheet.rows))):
        fields = _activity_fields(sheet.texts(r), vocab)
        score = len(fields - {PERSON_NAME})
        if score >= 1 and len(fields) > best_score:
            best_row, best_score = r, len(fields)
    if best_row is None:
        return None

    width = max(len(row) for row in sheet.rows)

    def texts(r: int) -> list[str]:
        row = sheet.texts(r) if r < len(sheet.rows) else []
        return (row + [""] * width)[:width]

    if best_row > start and _names_people(texts(best_row - 1), vocab) and not _names_people(
            texts(best_row), vocab):
        top_row, lower = best_row - 1, texts(best_row)
    elif _is_sub_header(texts(best_row + 1), vocab) or _splits_merged_labels(
            sheet, best_row, texts(best_row + 1)):
        top_row, lower = best_row, texts(best_row + 1)
    else:
        top_row, lower = best_row, [""] * width
    top = _filled_top(sheet, top_row, width, lower)

    columns = []
    for c in range(width):
        upper = top[c]
        if lower[c] and lower[c] != upper:
            field, scale = _sub_column(upper, lower[c], vocab)
            name = f"{upper}·{lower[c]}" if upper else lower[c]
        else:
            (field, scale), name = vocab.column_of(upper), upper
        if name:
            columns.append(HeaderColumn(c, name, field, scale))
    last_row = top_row + 1 if any(lower) else top_row
    return Header(top_row, last_row, tuple(columns))


def _splits_merged_labels(sheet: Sheet, row: int, below: list[str]) -> bool:
    """The row under the header splits labels merged across columns into parts (诊疗人次 over
    本月 and 累计; 双向转诊 over 上转 and 下转), even when the parts name no form column."""
    spans = [(c0, c1) for (r0, c0), (r1, c1) in sheet.merged if r0 == row == r1 and c0 < c1]
    written = [c for c, text in enumerate(below) if text]
    return bool(spans and written) and not any(ch.isdigit() for t in below for ch in t) and all(
        any(c0 <= c <= c1 for c0, c1 in spans) or not below[c] for c in written)


def _sub_column(upper: str, lower: str, vocab: Vocabulary) -> tuple[str | None, float]:
    """The field of a column labelled `lower` under `upper`: as a pair when it is a synonym
    (诊疗人次·门诊), or joined (义诊 + 人次); the metric itself for its current period (本月)
    and nothing for a running total (累计); else the lower label alone, unless it names
    another metric than the upper one (远程医疗 over 会诊 is no 会诊 column)."""
    for written in (f"{upper}·{lower}", upper + lower):
        if (column := vocab.column_of(written))[0]:
            return column
    if label_key(lower) in vocab.current_sub_labels:
        return vocab.column_of(upper)
    if label_key(lower) in vocab.running_sub_labels:
        return IGNORED, 1.0
    field, scale = vocab.column_of(lower)
    over = vocab.field_of(upper)
    if over and vocab.metric_kind(over) == "activity" and field != over:
        return None, 1.0
    return field, scale


def _names_people(texts: list[str], vocab: Vocabulary) -> bool:
    return any(vocab.field_of(t) == PERSON_NAME for t in texts if t)


# A position or title in brackets after a name: 张三（主任医师）, 李四(副主任). The name is
# letters and middle dots only, so text such as =HYPERLINK("x") is left whole.
_TITLED_NAME = re.compile(r"^(?P<name>[^\W\d_][\w·・.]*)\((?P<title>[^()\"'=]+)\)$")


def split_title(name: str) -> tuple[str, str | None]:
    """The name and the title in brackets after it: `张三（主任医师）` → (张三, 主任医师), so that
    张三 written with and without it is one person. A name without one is returned whole."""
    folded = fold(name)
    if m := _TITLED_NAME.match(folded):
        return m["name"], m["title"]
    return name, None


@dataclass(frozen=True)
class TableRow:
    index: int  # 0-based grid row
    kind: str  # person | totals
    name: str  # the name cell's text, a merged name included; the label of a totals row
    name_row: int  # 0-based row of the cell that holds the name (the first of a merged one)


# Punctuation that a person's name never holds but notes, labels and instructions do.
_PROSE = re.compile(r"[:;,。，；、“”\"!?！？]")
_LONGEST_NAME = 12  # characters, folded; 阿卜杜热合曼·买买提 has 10
_LONGEST_PLAIN_NAME = 5  # without a middle dot: 欧阳娜娜, 司马相如 and 上官婉儿 have 4
_CJK = 0x2E80  # the first CJK code point; the middle dot of 阿依古丽·买买提 is below it


_LONGEST_TOTALS_LABEL = 15  # 呼吸与危重症医学科合计 has 11


def is_totals(text: str, vocab: Vocabulary) -> bool:
    """合计, 小 计, 合计：2人, 本月合计, 第三季度合计, 合计（3人）, 人均 … — not a person."""
    key = without_asides(label_key(text))
    return 0 < len(key) <= _LONGEST_TOTALS_LABEL and any(
        key.startswith(marker) or key.endswith(marker) for marker in vocab.totals_markers
    )


def _is_note(name: str, vocab: Vocabulary) -> bool:
    """A line of text in the name column that is no name: a note (以上数据真实有效, （本表由
    科室秘书填写）, 科室盖章), a label, or a department (医务科)."""
    folded = fold(name)
    key = label_key(name)
    markers = vocab.notes_markers + vocab.footer_markers
    return (
        bool(_PROSE.search(folded))
        or len(folded) > _LONGEST_NAME
        or folded.startswith("(")
        # Chinese names have two to four characters (five with a double surname); longer
        # ones are written with a middle dot (阿依古丽·买买提).
        or (len(folded) > _LONGEST_PLAIN_NAME and all(ord(ch) >= _CJK for ch in folded))
        or any(marker in key for marker in markers)
        or key in vocab.departments
    )


def _is_units_line(texts: list[str], vocab: Vocabulary) -> bool:
    """（人次）（例）（次）… under the header: the columns' units, not a person."""
    written = [t for t in texts if t]
    return bool(written) and all(vocab.is_unit(t) or vocab.is_unit_header(t) for t in written)


def name_cell(sheet: Sheet, row: int, column: int, header: Header) -> tuple[object, int]:
    """The name and the row of the cell that holds it: its own, or the first row of a name
    cell merged down over one row a month (so those rows are one person, not repeats). A
    姓名 merged down the header's rows is the header's, not a person's."""
    value = sheet.cell(row, column)
    if cell_text(value).strip():
        return value, row
    for (r0, c0), (r1, c1) in sheet.merged:
        if c0 <= column <= c1 and header.last_row < r0 < row <= r1:
            return sheet.cell(r0, c0), r0
    return value, row


@dataclass(frozen=True)
class Table:
    rows: list[TableRow]
    # Where the table ended (0-based), when something other than the sheet's end ended it:
    # a label line that opens another report (`label`), the notes block or the sign-off
    # (`notes`), or the header of another table (`table`).
    end: int | None = None
    ended_by: str | None = None
    hidden: tuple[int, ...] = ()  # hidden rows (0-based) with text in them, not read


def table_rows(sheet: Sheet, header: Header, vocab: Vocabulary) -> Table:
    """The rows under the header that hold data, up to the notes block, the sign-off lines,
    a second table or a second period. The header repeated on a new page, unit lines, labels
    and notes are not people. The header must have a name column."""
    name_column = header.field_column(PERSON_NAME)
    assert name_column is not None, "a statistics table without a name column has no rows"
    metric_columns = [c.index for c in header.metric_columns]
    header_texts = {
        label_key(t) for r in range(header.first_row, header.last_row + 1)
        for t in sheet.texts(r) if t
    } | {label_key(c.name) for c in header.columns}
    rows: list[TableRow] = []
    blank_rows: set[int] = set()  # person-like rows with every metric cell blank
    hidden: list[int] = []
    for r in range(header.last_row + 1, len(sheet.rows)):
        texts = sheet.texts(r)
        first = next((t for t in texts if t), None)
        if first is None:
            continue
        if r in sheet.hidden_rows:
            hidden.append(r)
            continue
        written, name_row = name_cell(sheet, r, name_column.index, header)
        name = cell_text(written).strip()
        blank = all(
            label_key(texts[c] if c < len(texts) else "") in vocab.zero_tokens
            for c in metric_columns
        )
        opening = label_key(first)
        if all(label_key(t) in header_texts for t in texts if t):
            continue  # the header again, as printed on every page
        if (not name or name == first) and (
                opening.startswith(vocab.notes_markers + vocab.footer_markers)
                or vocab.label_pattern.match(opening)):
            # A label line (统计周期：2021年2月, 填报科室：呼吸科) starts another report; the
            # notes block and the sign-off end this one.
            label = vocab.label_pattern.match(opening)
            opens_report = label and vocab.label_fields[label.group(0)] != UNUSED_LABEL
            ended_by = "label" if opens_report else "notes"
            return Table(rows, r, ended_by, tuple(hidden))
        if name and vocab.field_of(name) == PERSON_NAME:
            # Another table (进修人员, 会议记录 …) starts here; its title line is not a person.
            kept = [row for row in rows if row.index not in blank_rows]
            return Table(kept, r, "table", tuple(hidden))
        if is_totals(name, vocab) or is_totals(first, vocab):
            rows.append(TableRow(r, "totals", name, name_row))
            continue
        if _is_units_line(texts, vocab) or (blank and (not name or _is_note(name, vocab))):
            continue  # the units under the header, an unused template line, a label, a note
        if blank:
            blank_rows.add(r)
        rows.append(TableRow(r, "person", name, name_row))
    return Table(rows, hidden=tuple(hidden))


def first_data_row(sheet: Sheet, start: int, stop: int, header: Header,
                   vocab: Vocabulary) -> int | None:
    """The first row in [start, stop) with a name-like cell in the name column and a number
    in a metric column."""
    name_column = header.field_column(PERSON_NAME)
    for r in range(start, min(stop, len(sheet.rows))):
        if r in sheet.hidden_rows:
            continue
        name = cell_text(sheet.cell(r, name_column.index)).strip()
        if not name or _is_note(name, vocab) or is_totals(name, vocab):
            continue
        if any(parse_number(sheet.cell(r, c.index), vocab) for c in header.metric_columns):
            return r
    return None
