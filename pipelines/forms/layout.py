"""Where the table is on a sheet: the header row(s), what each column holds, and which rows
below it are people, totals, notes or sign-off lines."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.forms.text import cell_text, fold, label_key
from pipelines.forms.vocabulary import IGNORED, PERSON_NAME, Vocabulary
from pipelines.forms.workbook import Sheet


@dataclass(frozen=True)
class HeaderColumn:
    index: int
    name: str  # as written; a two-row header joined as 诊疗人次·门诊
    field: str | None  # metric code, person_name, ignore, or None when unknown


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
    columns, at least two of them, and the row under it when that one carries sub-labels
    (诊疗人次 over 门诊 and 急诊)."""
    best_row, best_score = None, 1
    for r in range(min(vocab.header_search_rows, len(sheet.rows))):
        fields = _activity_fields(_texts(sheet.rows[r]), vocab)
        score = len(fields - {PERSON_NAME})
        if score >= 1 and len(fields) > best_score:
            best_row, best_score = r, len(fields)
    if best_row is None:
        return None

    width = max(len(row) for row in sheet.rows)
    below = _texts(sheet.rows[best_row + 1]) if best_row + 1 < len(sheet.rows) else []
    below = (below + [""] * width)[:width]
    two_rows = _is_sub_header(below, vocab)
    top = _filled_top(sheet, best_row, width, below if two_rows else [""] * width)

    columns = []
    for c in range(width):
        upper, lower = top[c], below[c] if two_rows else ""
        if lower and lower != upper:
            field = vocab.field_of(lower) or vocab.field_of(upper + lower)
            name = f"{upper}·{lower}" if upper else lower
        else:
            field, name = vocab.field_of(upper), upper
        if name:
            columns.append(HeaderColumn(c, name, field))
    return Header(best_row, best_row + 1 if two_rows else best_row, tuple(columns))


@dataclass(frozen=True)
class TableRow:
    index: int  # 0-based grid row
    kind: str  # person | totals


def table_rows(sheet: Sheet, header: Header, vocab: Vocabulary) -> list[TableRow]:
    """The rows under the header that hold data, up to the notes block or the sign-off lines."""
    name_column = header.field_column(PERSON_NAME)
    metric_columns = [
        c.index for c in header.columns if c.field not in (None, IGNORED, PERSON_NAME)
    ]
    rows = []
    for r in range(header.last_row + 1, len(sheet.rows)):
        texts = _texts(sheet.rows[r])
        first = next((fold(t).lower() for t in texts if t), None)
        if first is None:
            continue
        if first.startswith(vocab.notes_markers) or first.startswith(vocab.footer_markers):
            break
        name = texts[name_column.index] if name_column and name_column.index < len(texts) else ""
        if label_key(name) in vocab.totals_markers or first in vocab.totals_markers:
            rows.append(TableRow(r, "totals"))
            continue
        if not name and all(
            label_key(texts[c] if c < len(texts) else "") in vocab.zero_tokens
            for c in metric_columns
        ):
            continue  # a numbered but unused template line
        rows.append(TableRow(r, "person"))
    return rows
