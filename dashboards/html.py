"""HTML building blocks shared by the pages: escaping, elements, tables and number formatting."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from html import escape
from zoneinfo import ZoneInfo

# What a reader sees instead of a number. A metric nobody reported is not zero, and a ratio
# that cannot be computed (no prior year, a zero base) is not zero either.
NOT_REPORTED = "未报告"
NOT_COMPUTABLE = "—"


class Markup(str):
    """Text that already is HTML and must not be escaped again."""


class Cell:
    """A table's `<td>`: its content and attributes, written as markup where a page shows it
    (`esc`), or sent as data for a long table that the browser draws a page at a time (see
    `table`), which a person table's hundred thousand cells are."""

    __slots__ = ("attributes", "content")

    def __init__(self, content: Markup, attributes: dict[str, str]) -> None:
        self.content, self.attributes = content, attributes

    def markup(self) -> Markup:
        rendered = "".join(f' {name}="{esc(value)}"' for name, value in self.attributes.items())
        return Markup(f"<td{rendered}>{self.content}</td>")

    def __str__(self) -> str:
        return self.markup()


def esc(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    if isinstance(value, Cell):
        return value.markup()
    return Markup(escape("" if value is None else str(value)))


def join(parts: Iterable[object]) -> Markup:
    return Markup("".join(esc(part) for part in parts if part is not None))


VOID_ELEMENTS = frozenset({"input", "meta", "link", "br", "img"})


def tag(name: str, content: object = None, /, **attributes: object) -> Markup:
    """An element; `class_` becomes `class`, `data_x` becomes `data-x`; an attribute that is
    True is written bare, one that is None or False is left out.

    Content may be a single value or an iterable of values; plain text is escaped.
    """
    rendered = ""
    for key, value in attributes.items():
        if value is None or value is False:
            continue
        attribute = _attribute_name(key)
        rendered += f" {attribute}" if value is True else f' {attribute}="{esc(value)}"'
    if name in VOID_ELEMENTS:
        return Markup(f"<{name}{rendered}>")
    return Markup(f"<{name}{rendered}>{_content(content)}</{name}>")


def _content(content: object) -> Markup:
    """An element's content: a single value or an iterable of values, plain text escaped."""
    # str first: the check against Iterable is slow, and a site has a million elements.
    if content is None or isinstance(content, str) or not isinstance(content, Iterable):
        return esc(content)
    return join(content)


@cache
def _attribute_name(key: str) -> str:
    return key.rstrip("_").replace("_", "-")


def table(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    class_: str | None = None,
    footer: Iterable[Sequence[object]] = (),
    download: str | None = None,
    context: Mapping[str, str] | None = None,
) -> Markup:
    """A table whose cells are text, Markup, or ready-made `<td>` elements (see `cell`).

    Every table of the site is one an analyst can work with: `assets/site.js` makes it
    sortable, filterable by column, searchable and paged, and downloadable as CSV and Excel
    (the whole table, in the browser). `footer` rows (totals) stay below the sorted rows and
    are downloaded too; `download` names the files (default: the heading above the table);
    `context` (column title → value) identifies rows that the page's selection implies (the
    pair, the department): columns that are not shown but downloaded, first, on every row.
    """
    context = dict(context or {})

    def as_rows(given: Iterable[Sequence[object]]) -> list[Markup]:
        return [tag("tr", [*(cell(value) for value in context.values()),
                           *(_as_cell(value) for value in row)]) for row in given]

    rows = list(rows)
    as_data = len(rows) > ROWS_IN_HTML
    footer_rows = as_rows(footer)
    head = tag("thead", tag("tr", [
        *(tag("th", title, scope="col", class_=DOWNLOAD_ONLY) for title in context),
        *(tag("th", title, scope="col") for title in header)]))
    parts = [head, tag("tbody", None if as_data else as_rows(rows))]
    if footer_rows:
        parts.append(tag("tfoot", footer_rows))
    data = None
    if as_data:
        # The context's columns are drawn from the table's data-download-context.
        text = json.dumps(_rows_data(rows), ensure_ascii=False, separators=(",", ":"))
        text = text.replace("</", "<\\/")  # the JSON cannot end the script
        data = Markup(f'<script type="application/json" class="table-rows">{text}</script>')
    return tag(
        "div",
        [
            tag(
                "table",
                parts,
                class_=" ".join(filter(None, [DATA_TABLE_CLASS, class_])),
                data_rows=str(len(rows)),
                data_download=download,
                data_download_context=json.dumps(context, ensure_ascii=False)
                if context else None,
                data_rows_as_data="true" if as_data else None,
            ),
            data,
        ],
        class_="table-wrap",
    )


# The class of a column that is downloaded but not shown (site.js).
DOWNLOAD_ONLY = "download-only"

# A table of more rows than this sends them as data (JSON beside it), which site.js draws a
# page at a time: a page's size grows with its rows' data, not with their markup, and the
# browser makes elements only for the rows shown.
ROWS_IN_HTML = 200


def _as_cell(value: object) -> Cell:
    if isinstance(value, Cell):
        return value
    return cell(value)


def _rows_data(rows: list[Sequence[object]]) -> dict[str, list]:
    """The rows as data: each distinct cell once (`cells`), each row as the numbers of its
    cells (`rows`); a long table repeats many a cell (未报告, a status, a metric's name)."""
    numbers: dict[object, int] = {}
    cells: list[str | float | list] = []
    table_rows = []
    for row in rows:
        numbered = []
        for value in row:
            data = _cell_data(_as_cell(value))
            key = (data[0], *data[1].items()) if isinstance(data, list) else data
            number = numbers.get(key)
            if number is None:
                number = numbers[key] = len(cells)
                cells.append(data)
            numbered.append(number)
        table_rows.append(numbered)
    return {"cells": cells, "rows": table_rows}


def _cell_data(value: Cell) -> str | float | list:
    """A cell as data: its HTML, with its attributes (class, sort and download values, id)
    after it when it has any; a number cell that shows its number as `number_cell` formats it
    is the number alone (site.js formats it the same way)."""
    if not value.attributes:
        return str(value.content)
    number = _plain_number(value)
    if number is not None:
        return number
    return [str(value.content), value.attributes]


PLAIN_NUMBER = re.compile(r"-?\d{1,15}(\.\d{1,2})?")


def _plain_number(value: Cell) -> int | float | None:
    raw = value.attributes.get("data-export")
    if (raw is None or not PLAIN_NUMBER.fullmatch(raw)
            or value.attributes != {"class": "number", "data-order": raw, "data-export": raw}):
        return None
    number = float(raw) if "." in raw else int(raw)
    return number if value.content == format_number(number) else None


# The class site.js looks for; also how a page tells that it needs the table library.
DATA_TABLE_CLASS = "data-table"


def has_tables(body: str) -> bool:
    return f'class="{DATA_TABLE_CLASS}' in body


def cell(content: object, **attributes: object) -> Cell:
    return Cell(_content(content), {
        _attribute_name(key): ("" if value is True else str(value))
        for key, value in attributes.items() if value is not None and value is not False
    })


def number_cell(value: object, content: object = None, **attributes: object) -> Cell:
    """A number's cell: shown formatted (or as `content`), sorted and downloaded by its value
    as the mart holds it; a missing value sorts first and is downloaded as the text shown."""
    shown = number_or(value) if content is None else content
    if is_missing(value):
        fixed = {"class": "number", "data-order": ""}
    else:
        raw = _raw_number(value)
        fixed = {"class": "number", "data-order": raw, "data-export": raw}
    if not attributes:  # most cells: the generic attribute naming is a person table's cost
        return Cell(_content(shown), fixed)
    named = cell(shown, **attributes)
    return Cell(named.content, {**fixed, **named.attributes})


def count_cell(value: object, **attributes: object) -> Cell:
    """A count of things found (see `format_count`): nothing found is a real 0."""
    value = 0 if is_missing(value) else value
    return number_cell(value, format_count(value), **attributes)


def _raw_number(value: object) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def no_data(detail: str | None = None) -> Markup:
    return tag("p", ["暂无数据", f"（{detail}）" if detail else None], class_="no-data")


def note(text: object) -> Markup:
    return tag("p", text, class_="note")


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_float(value: object) -> float | None:
    """A number for a figure; NULL stays None so plotly leaves a gap, never a zero."""
    if is_missing(value):
        return None
    return float(value)  # type: ignore[arg-type]


def format_number(value: float | Decimal | int, decimals: int = 2, *,
                  fixed: bool = False) -> str:
    """Thousands separators and at most `decimals` places, no trailing zeros (pro-rata sums);
    `fixed`: exactly `decimals` places (percentages side by side: +7.0%, +12.1%)."""
    text = f"{value:,.{decimals}f}"
    if "." in text and not fixed:
        text = text.rstrip("0").rstrip(".")
    return text.removeprefix("-") if float(text.replace(",", "")) == 0 else text


def format_signed(value: float | Decimal | int, decimals: int = 2, *,
                  fixed: bool = False) -> str:
    text = format_number(value, decimals, fixed=fixed)
    return f"+{text}" if value > 0 and float(text.replace(",", "")) != 0 else text


def number_or(value: object, missing: str = NOT_REPORTED, *, signed: bool = False) -> Markup:
    """A formatted number, or the `missing` text marked up so it cannot be mistaken for one."""
    if is_missing(value):
        return tag("span", missing, class_="missing")
    formatter = format_signed if signed else format_number
    return esc(formatter(value))  # type: ignore[arg-type]


def percent_or(value: object, missing: str = NOT_COMPUTABLE) -> Markup:
    """A signed percentage with one decimal always (+7.0%, not +7%, beside +12.1%)."""
    if is_missing(value):
        return tag("span", missing, class_="missing")
    return esc(f"{format_signed(value, 1, fixed=True)}%")  # type: ignore[arg-type]


def badge(text: str, kind: str) -> Markup:
    return tag("span", text, class_=f"badge badge-{kind}")


def format_count(value: object) -> str:
    """Counts of things found (files, issues, reports): here nothing found is a real zero."""
    return format_number(0 if is_missing(value) else value, 0)  # type: ignore[arg-type]


# The programme's readers are in China, and the nightly run keeps Beijing time too.
READERS_TIME_ZONE = ZoneInfo("Asia/Shanghai")


def format_time(moment: datetime) -> str:
    """Beijing time, e.g. 2023-01-05 08:30（北京时间）, whatever the server's zone."""
    return f"{moment.astimezone(READERS_TIME_ZONE):%Y-%m-%d %H:%M}（北京时间）"
