"""Where the table is on a sheet: the header row(s), what each column holds, and which rows
below it are people, totals, notes or sign-off lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.forms.text import cell_text, fold, label_key
from pipelines.forms.vocabulary import IGNORED, PERSON_NAME, Vocabulary
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


def _texts(row: list[object]) -> list[str]:
    return [cell_text(v).strip() for v in row]


def _activity_fields(texts: list[str], vocab: Vocabulary) -> set[str]:
    fields = {vocab.field_of(t) for t in texts if t}
    return {f for f in fields if f == PERSON_NAME or vocab.metric_kind(f or "") == "activity"}


def _filled_top(sheet: Sheet, row: int, width: int, below: list[str]) -> list[str]:
    """The upper header row with merged labels spread over every column they span. Without
    merge information (CSV), a label spreads right over the empty cells under which the row
    below has a sub-label."""
    top = _texts(sheet.rows[row]) + [""] * width
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


def locate_activity_header(sheet: Sheet, vocab: Vocabulary) -> Header | None:
    """The statistics-form header: the row (within the first rows) that names the most form
    columns, at least two of them, with the row under it when that one carries sub-labels
    (诊疗人次 over 门诊 and 急诊), or the row above it when the names are grouped under
    headings there (医疗工作 over 门诊 and 手术, 姓名 merged down both rows)."""
    best_row, best_score = None, 1
    for r in range(min(vocab.header_search_rows, len(sheet.rows))):
        fields = _activity_fields(_texts(sheet.rows[r]), vocab)
        score = len(fields - {PERSON_NAME})
        if score >= 1 and len(fields) > best_score:
            best_row, best_score = r, len(fields)
    if best_row is None:
        return None

    width = max(len(row) for row in sheet.rows)

    def texts(r: int) -> list[str]:
        row = _texts(sheet.rows[r]) if r < len(sheet.rows) else []
        return (row + [""] * width)[:width]

    if best_row > 0 and _names_people(texts(best_row - 1), vocab) and not _names_people(
            texts(best_row), vocab):
        top_row, lower = best_row - 1, texts(best_row)
    elif _is_sub_header(texts(best_row + 1), vocab):
        top_row, lower = best_row, texts(best_row + 1)
    else:
        top_row, lower = best_row, [""] * width
    top = _filled_top(sheet, top_row, width, lower)

    columns = []
    for c in range(width):
        upper = top[c]
        if lower[c] and lower[c] != upper:
            field, scale = vocab.column_of(lower[c])
            if field is None:
                field, scale = vocab.column_of(upper + lower[c])
            name = f"{upper}·{lower[c]}" if upper else lower[c]
        else:
            (field, scale), name = vocab.column_of(upper), upper
        if name:
            columns.append(HeaderColumn(c, name, field, scale))
    last_row = top_row + 1 if any(lower) else top_row
    return Header(top_row, last_row, tuple(columns))


def _names_people(texts: list[str], vocab: Vocabulary) -> bool:
    return any(vocab.field_of(t) == PERSON_NAME for t in texts if t)


@dataclass(frozen=True)
class TableRow:
    index: int  # 0-based grid row
    kind: str  # person | totals


# Punctuation that a person's name never holds but notes, labels and instructions do.
_PROSE = re.compile(r"[:;,.。，；、“”\"!?！？]")
_ASIDE = re.compile(r"\([^)]*\)")
_LONGEST_NAME = 12  # characters, folded; 阿卜杜热合曼·买买提 has 10


def is_totals(text: str, vocab: Vocabulary) -> bool:
    """合计, 小 计, 合计：, 本月合计, 合计（3人）, 共计 … — a totals line, not a person."""
    key = _ASIDE.sub("", label_key(text))
    return key in vocab.totals_markers or any(
        key.endswith(marker) and len(key) <= len(marker) + 3 for marker in vocab.totals_markers
    )


def _is_prose(name: str) -> bool:
    folded = fold(name)
    return bool(_PROSE.search(folded)) or len(folded) > _LONGEST_NAME


def _is_units_line(texts: list[str], vocab: Vocabulary) -> bool:
    """（人次）（例）（次）… under the header: the columns' units, not a person."""
    written = [label_key(t).strip("()") for t in texts if t]
    return bool(written) and all(
        vocab.unit_factor(t) is not None or t == "单位" for t in written
    )


def name_cell(sheet: Sheet, row: int, column: int) -> tuple[object, int]:
    """The name and the row of the cell that holds it: its own, or the first row of a name
    cell merged down over one row a month (so those rows are one person, not repeats)."""
    value = sheet.cell(row, column)
    if cell_text(value).strip():
        return value, row
    for (r0, c0), (r1, c1) in sheet.merged:
        if c0 <= column <= c1 and r0 < row <= r1:
            return sheet.cell(r0, c0), r0
    return value, row


def table_rows(sheet: Sheet, header: Header, vocab: Vocabulary) -> list[TableRow]:
    """The rows under the header that hold data, up to the notes block, the sign-off lines
    or a second table. Repeated header rows, unit lines, labels and notes are not people."""
    name_column = header.field_column(PERSON_NAME)
    metric_columns = [
        c.index for c in header.columns if c.field not in (None, IGNORED, PERSON_NAME)
    ]
    header_fields = {c.field for c in header.columns if c.field}
    rows: list[TableRow] = []
    blank_rows: set[int] = set()  # person-like rows with every metric cell blank
    for r in range(header.last_row + 1, len(sheet.rows)):
        texts = _texts(sheet.rows[r])
        first = next((t for t in texts if t), None)
        if first is None:
            continue
        name = cell_text(name_cell(sheet, r, name_column.index)[0]).strip() if name_column else ""
        blank = all(
            label_key(texts[c] if c < len(texts) else "") in vocab.zero_tokens
            for c in metric_columns
        )
        opening = fold(first).lower()
        if (not name or name == first) and opening.startswith(
                vocab.notes_markers + vocab.footer_markers):
            break
        if _names_people(texts, vocab):
            if {vocab.field_of(t) for t in texts if t} <= header_fields:
                continue  # the header again, as printed on every page
            # Another table (进修人员, 会议记录 …) starts here; its title line is not a person.
            return [row for row in rows if row.index not in blank_rows]
        if is_totals(name, vocab) or is_totals(first, vocab):
            rows.append(TableRow(r, "totals"))
            continue
        if _is_units_line(texts, vocab) or (blank and (not name or _is_prose(name))):
            continue  # the units under the header, an unused template line, a label, a note
        if blank:
            blank_rows.add(r)
        rows.append(TableRow(r, "person"))
    return rows
