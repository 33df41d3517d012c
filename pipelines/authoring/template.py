"""Blank, current templates for submitters, with Excel data validation built in, so that most
of what the reader would reject cannot be typed in the first place.

`write_templates(dest)` writes two workbooks:

- the statistics form (对口支援、医联体工作统计表) in the 2021+ layout of seed 004: title,
  period line with a start and an end date cell (date picker, programme window only), the
  支援单位 / 受援单位 / 填报科室 dropdowns, each list depending on the choice above it (the
  recipients of the chosen supporting hospital, the departments of the chosen pair: named
  ranges picked by INDIRECT), the two-row header (诊疗人次 over 门诊 and 急诊), blank person
  rows that accept only numbers ≥ 0 (whole numbers except 支援经费（万元）), the seed form's
  notes, and the sign-off lines 填报人 / 联系电话 / 审核人 / 填报日期;
- the capacity-indicator form (受援医院能力指标): 受援单位 dropdown, one row per capacity
  indicator, one column per programme year.

Each has a visible instructions sheet (填表说明) first and its dropdown lists on a hidden sheet
(the reader skips hidden sheets). The form sheet is protected (without a password: against
mistakes, not people) except its input cells; rows may still be inserted and deleted.
`write_templates(dest, pair=…)` pre-fills the hospitals of one pair. Column names and units
come from the seeds, hospitals and departments from the registry in force, years from the
programme window; the layout is the one the reader is tested on.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pipelines.catalogue import Metric, group_of, metrics_of
from pipelines.forms.text import column_letter, label_key
from pipelines.forms.vocabulary import vocabulary
from pipelines.registry.load import in_force
from pipelines.registry.sheets import EXPECTED_REPORTERS
from pipelines.settings import programme_window
from pipelines.sheet_print import PAGES_TALL, row_height

STATISTICS_FILE = "对口支援、医联体工作统计表.xlsx"
CAPACITY_FILE = "受援医院能力指标.xlsx"
STATISTICS_TITLE = "对口支援、医联体工作统计表"
CAPACITY_TITLE = "受援医院能力指标"
STATISTICS_SHEET = "统计表"
CAPACITY_SHEET = "能力指标"
INSTRUCTIONS_SHEET = "填表说明"
INSTRUCTIONS_WIDTH = 70  # one column, in character units: within an A4 page at 11 pt
CHOICES_SHEET = "下拉选项"

PERIOD_LABEL = "统计周期（起止时间）："
SUPPORTING_LABEL = "支援单位："
RECIPIENT_LABEL = "受援单位："
DEPARTMENT_LABEL = "填报科室："
PERSON_ROWS = 30
# Under the notes, as on the paper form: the reader stops at the notes and skips these lines.
SIGN_OFF = (("填报人：", "联系电话："), ("审核人：", "填报日期："))
SIGN_OFF_DATE = "填报日期："
# The defined names of the dropdown lists on the hidden sheet (ASCII: every spreadsheet
# program takes them); the n-th supporting hospital's recipients and the n-th pair's
# departments are numbered from 1, as MATCH counts.
SUPPORTING_RANGE = "bangfu_supporting"
RECIPIENTS_RANGE = "bangfu_recipients_"
PAIRS_RANGE = "bangfu_pairs"
DEPARTMENTS_RANGE = "bangfu_departments_"
PAIR_KEY_SEPARATOR = "|"
# What a protected form sheet still lets the submitter do.
PROTECTION = {"insert_rows": True, "delete_rows": True, "format_columns": True,
              "format_rows": True}

# Document properties are fixed so that two writes give identical bytes; `created` is when
# this layout became the current one.
LAYOUT_SINCE = dt.datetime(2021, 1, 1)
AUTHOR = "bangfu"

DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _registers() -> dict[str, list[str]]:
    """The dropdown lists, keyed by the label they fill, from the registry's hospitals and
    departments."""
    vocab = vocabulary()
    return {
        SUPPORTING_LABEL: _unique(s for s, _ in vocab.pairs),
        RECIPIENT_LABEL: _unique(r for _, r in vocab.pairs),
        # Aliases map onto the registered names, so these are the 科室 sheet's, in order.
        DEPARTMENT_LABEL: _unique(vocab.departments.values()),
    }


def pair_departments() -> dict[tuple[str, str], list[str]]:
    """Each registered pair's departments: those expected to report for it (the registry's
    应报科室, in its order); a pair nothing is expected of may name any registered department."""
    expected = in_force().table(EXPECTED_REPORTERS)
    every = _registers()[DEPARTMENT_LABEL]
    return {
        pair: _unique(row["department"] for row in expected
                      if (row["supporting_hospital"], row["recipient_hospital"]) == pair) or every
        for pair in vocabulary().pairs
    }


def parse_pair(text: str) -> tuple[str, str]:
    """`支援医院/受援医院` (registered names or their aliases) → the registered pair."""
    vocab = vocabulary()
    registered = "、".join(f"{s}/{r}" for s, r in vocab.pairs)
    parts = [part.strip() for part in text.split("/")]
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"--pair 应写作“支援单位/受援单位”，例如 {vocab.pairs[0][0]}/"
                         f"{vocab.pairs[0][1]}（写的是“{text}”）")
    names = [vocab.hospital_aliases.get(label_key(part)) for part in parts]
    pair = (names[0], names[1])
    if pair not in vocab.pairs:
        raise ValueError(f"“{text}”不是已登记的帮扶关系；已登记：{registered}")
    return pair


@dataclass(frozen=True)
class NumberRule:
    """What a numeric cell accepts: xlsxwriter's validation options and the same in words."""

    options: dict[str, object]
    accepts: str  # Chinese, completes "只能填写…"


WHOLE_NUMBER = NumberRule({"validate": "integer", "criteria": ">=", "value": 0}, "0 或正整数")


def _bound(value: float | None) -> int | float:
    """A bound from the catalogue as the cell and the words show it (5, not 5.0)."""
    value = 0.0 if value is None else value
    return int(value) if value.is_integer() else value


def _number_rule(metric: Metric) -> NumberRule:
    """The catalogue's bounds (min_value, max_value) as Excel data validation."""
    low, high = _bound(metric.min_value), metric.max_value
    if metric.value_type == "count":
        if high is None:
            return WHOLE_NUMBER
        return NumberRule(
            {"validate": "integer", "criteria": "between", "minimum": low,
             "maximum": _bound(high)},
            f"{low} 至 {_bound(high)} 的整数",
        )
    if metric.value_type == "percent":
        return NumberRule(
            {"validate": "decimal", "criteria": "between", "minimum": low,
             "maximum": _bound(high)},
            f"{low} 至 {_bound(high)} 之间的数（百分数的数值，不带 %）",
        )
    if metric.value_type in ("decimal", "index"):
        return NumberRule({"validate": "decimal", "criteria": ">=", "value": low},
                          f"{low} 或正数（可以有小数）")
    raise ValueError(f"metrics.csv: {metric.code} has an unknown value_type {metric.value_type!r}")


def _rules_in_words(metrics: list[Metric]) -> str:
    """The cells that accept more or other than whole numbers, by name, then the rest."""
    names_by_rule: dict[str, list[str]] = {}
    for metric in metrics:
        rule = _number_rule(metric)
        if rule != WHOLE_NUMBER:
            names_by_rule.setdefault(rule.accepts, []).append(f"“{metric.name_zh}”")
    exceptions = "".join(
        f"{''.join(names)}只能填写 {accepts}；" for accepts, names in names_by_rule.items()
    )
    return f"{exceptions}其他各栏只能填写 {WHOLE_NUMBER.accepts}。"


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _evidence_notes() -> list[str]:
    """The evidence the seed form asks for under its table, naming the columns as they are
    named in metrics.csv."""
    name = {m.code: m.name_zh for m in metrics_of("activity")}
    return [
        f"1.“{name['specialties_established']}”请附上相应医院的证明（盖章），列明所建立的专科"
        "具体名称。",
        f"2.“{name['lectures']}”和“{name['training_attendees']}”请附上相应的医院的通知、签到表、"
        "课件、现场照等盖章佐证材料。",
        f"3.“{name['free_clinic_visits']}”请附上相关活动通知和现场照片等。",
    ]


def _resubmission_paragraphs(file_errors: str, same_report: str) -> list[str]:
    """What happens after submitting: 退回 (as the feedback pages say it), correcting and
    resubmitting. `file_errors` gives examples of whole-file errors; `same_report` says which
    files the system treats as the same report."""
    return [
        "提交后系统自动检查每个文件。有“错误”的文件会被退回：“已退回”表示整份文件未被采用"
        f"（如{file_errors}）；“部分接收”表示有错误的数据行被退回，其余行已采用。退回清单会"
        "列出文件、工作表、单元格和原因。",
        "收到退回后，请在原文件中按提示改正，再重新提交整份文件。"
        f"{same_report}以最后修改的一份为准，替换之前提交的版本。",
        "“提示”不影响接收（如数值超出通常范围），但请核对。",
    ]


def _statistics_instructions(first: dt.date, last: dt.date) -> list[str]:
    return [
        "本表记录下派人员在受援医院的工作量。每个科室（或工作组）每个统计周期填写一份。",
        f"统计周期：在“{PERIOD_LABEL.rstrip('：')}”后的两个格子里分别填写开始日期和结束日期"
        f"（可从日历中选择，或直接输入如 {last.year}/3/1），两端日期都包含在内。日期须在本轮"
        f"帮扶周期 {_date_zh(first)}至{_date_zh(last)} 之间。",
        "支援单位、受援单位、填报科室：点单元格右侧的箭头，从下拉列表中选择，不要自行改写"
        "名称；请按顺序选择：受援单位列表只列出所选支援单位的受援单位，科室列表只列出所选"
        "帮扶关系的科室。列表中没有的医院或科室，请联系管理员登记。",
        "每位下派人员填一行，写全名；同一人在本统计周期内只占一行（多次下派的工作量合计后"
        f"填写）。表中留有 {PERSON_ROWS} 行，不够时可在表格中间插入行。",
        "各数量栏只填写数字：不带单位（“12人次”应填 12），不填文字或说明，没有的填 0。"
        + _rules_in_words(metrics_of("activity")),
        "不要修改、删除或合并表头各列，不要移动标题、统计周期、支援单位、受援单位和填报科室"
        "各行；不需要填写合计行。",
        "表下填写填报人、联系电话、审核人和填报日期。工作表已保护，只有浅黄色格子和人员表格"
        "可以填写（可以插入或删除人员行）；如确需修改其他内容，请联系管理员。",
        "按表下“备注”的要求，随本表一并报送佐证材料：",
        *_evidence_notes(),
        *_resubmission_paragraphs(
            "未填写统计周期、医院名称无法识别",
            "支援单位、受援单位、填报科室和统计周期都相同的表，",
        ),
    ]


def _capacity_instructions(first_year: int, last_year: int) -> list[str]:
    return [
        "本表由受援医院填写，反映医院自身能力的变化，每年报送一次。",
        f"{RECIPIENT_LABEL.rstrip('：')}：点单元格右侧的箭头，从下拉列表中选择本院名称。",
        f"每个指标按年度填写全年数值（{first_year}年至{last_year}年），一格只填一个数字，"
        "不带单位或文字。" + _rules_in_words(metrics_of("capacity")),
        "尚未统计的年度请留空（留空表示未报告）；确实为零的请填 0。",
        "不要修改指标名称、单位和年度列，不要增删行。",
        *_resubmission_paragraphs("医院名称无法识别", "同一受援单位、相同年度的能力指标表，"),
    ]


def _number_validation(metric: Metric, what: str, blank: str) -> dict[str, object]:
    """The validation of a metric's cells: `what` says what to write, `blank` what a blank means."""
    rule = _number_rule(metric)
    # 门诊人次 already says its unit; 远程医疗 does not.
    says_unit = not metric.unit_zh or metric.unit_zh in metric.name_zh
    unit = "" if says_unit else f"（单位：{metric.unit_zh}）"
    return {
        **rule.options,
        "input_title": "填写提示",
        "input_message": f"{what}“{metric.name_zh}”{unit}。只能填写 {rule.accepts}，"
                         f"不带单位或文字。{blank}",
        "error_title": "数值不符合要求",
        "error_message": f"“{metric.name_zh}”只能填写 {rule.accepts}，不能填写文字、单位或负数。",
    }


def _choice_validation(label: str, source: str, hint: str = "") -> dict[str, object]:
    what = label.rstrip("：")
    if label == DEPARTMENT_LABEL:
        # An unregistered department is only a warning to the reader, so Excel only warns too.
        error_type = "warning"
        error = "所填科室不在科室名册中。请从下拉列表中选择；如确为新科室，请联系管理员登记。"
    else:
        error_type = "stop"
        error = "所填医院不在名册中。请从下拉列表中选择；如为新的帮扶关系，请联系管理员登记。"
    return {
        "validate": "list", "source": source,
        "input_title": f"选择{what}",
        "input_message": f"点右侧箭头，从下拉列表中选择{what}（规范名称）。{hint}",
        "error_title": "不在名册中", "error_message": error, "error_type": error_type,
    }


def _date_validation(first: dt.date, last: dt.date, which: str) -> dict[str, object]:
    window = f"{_date_zh(first)}至{_date_zh(last)}"
    example = f"{last.year}/3/1"
    return {
        "validate": "date", "criteria": "between", "minimum": first, "maximum": last,
        "input_title": f"统计周期{which}日期",
        "input_message": f"填写统计周期的{which}日期（可从日历中选择，或直接输入如 {example}），"
                         f"须在 {window} 之间。",
        "error_title": "日期不符合要求",
        "error_message": f"请填写 {window} 之间的日期（如 {example}），不要填写文字。",
    }


class TemplateBook:
    """One template workbook: its formats, its instructions sheet first, its form sheets, and
    the hidden sheet that holds the dropdown lists."""

    def __init__(self, path: Path, title: str, instructions: list[str]):
        # in_memory stamps every zip member 1980-01-01 (the temp-file mode stamps local time).
        self.book = xlsxwriter.Workbook(path, {"in_memory": True})
        self.book.set_properties({
            "title": title, "subject": "帮扶统计模板", "author": AUTHOR,
            "company": AUTHOR, "created": LAYOUT_SINCE,
        })
        # The dropdown lists: defined name -> (heading on the hidden sheet, entries).
        self.lists: dict[str, tuple[str, list[str]]] = {}
        # Input cells are unlocked: the sheet is protected, they are not.
        unlocked = {"locked": False}
        self.formats = {
            name: self.book.add_format({"font_name": "宋体", "font_size": 11, **spec})
            for name, spec in {
                "title": {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"},
                "label": {"bold": True, "align": "right", "valign": "vcenter"},
                "choice": {"bottom": 1, "valign": "vcenter", "bg_color": "#FFF9DB", **unlocked},
                "date": {"bottom": 1, "align": "center", "valign": "vcenter",
                         "num_format": DATE_FORMAT, "bg_color": "#FFF9DB", **unlocked},
                "entry": {"bottom": 1, "valign": "vcenter", "bg_color": "#FFF9DB", **unlocked},
                "text": {"align": "center", "valign": "vcenter"},
                "header": {"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                           "text_wrap": True, "bg_color": "#DDEBF7"},
                "name": {"border": 1, "align": "left", "valign": "vcenter", **unlocked},
                "number": {"border": 1, "align": "center", "valign": "vcenter", **unlocked},
                "indicator": {"border": 1, "align": "left", "valign": "vcenter"},
                "unit": {"border": 1, "align": "center", "valign": "vcenter"},
                "note": {"text_wrap": True, "valign": "top"},
                "paragraph": {"text_wrap": True, "valign": "top"},
            }.items()
        }
        self._write_instructions(title, instructions)

    def _write_instructions(self, title: str, paragraphs: list[str]) -> None:
        sheet = self.book.add_worksheet(INSTRUCTIONS_SHEET)
        sheet.set_column(0, 0, INSTRUCTIONS_WIDTH)
        sheet.write_string(0, 0, f"{title} · {INSTRUCTIONS_SHEET}", self.formats["title"])
        sheet.set_row(0, 30)
        for row, paragraph in enumerate(paragraphs, start=1):
            sheet.write_string(row, 0, paragraph, self.formats["paragraph"])
            # Each paragraph's row as tall as its wrapped lines, or it prints cut to one.
            sheet.set_row(row, row_height([(paragraph, INSTRUCTIONS_WIDTH)]))
        sheet.set_paper(9)  # A4
        sheet.set_portrait()
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.fit_to_pages(1, PAGES_TALL)

    def form_sheet(self, name: str, widths: list[float], title: str) -> Worksheet:
        """The form's sheet, active when the file opens, with its title merged across."""
        sheet = self.book.add_worksheet(name)
        sheet.activate()
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.merge_range(0, 0, 0, len(widths) - 1, title, self.formats["title"])
        sheet.set_row(0, 32)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.center_horizontally()
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.fit_to_pages(1, PAGES_TALL)
        return sheet

    def choice_line(self, sheet: Worksheet, row: int, label: str, value_span: tuple[int, int],
                    source: str, *, hint: str = "", value: str = "") -> None:
        """`label` in the columns before `value_span`, the value cells merged with a dropdown
        from `source` (a formula), holding `value` when pre-filled."""
        first, last = value_span
        self.merged(sheet, (row, 0), (row, first - 1), label, "label")
        self.merged(sheet, (row, first), (row, last), value, "choice")
        sheet.data_validation(row, first, row, last, _choice_validation(label, source, hint))

    def merged(self, sheet: Worksheet, first: tuple[int, int], last: tuple[int, int],
               value: str, style: str) -> None:
        """`value` over the block from `first` to `last` (a single cell when they are equal)."""
        if first == last:
            sheet.write_string(*first, value, self.formats[style])
        else:
            sheet.merge_range(*first, *last, value, self.formats[style])

    def define_list(self, name: str, heading: str, items: list[str]) -> str:
        """A dropdown list on the hidden sheet, one column each, under a defined name. Lists
        are ranges, not typed into the rules: registers grow past the 255 characters Excel
        allows there, and INDIRECT picks a list by its name."""
        if not items:
            raise ValueError(f"no entries in the register for {heading}")
        self.lists[name] = (heading, items)
        return name

    def protect(self, sheet: Worksheet) -> None:
        sheet.protect("", PROTECTION)

    def close(self) -> None:
        sheet = self.book.add_worksheet(CHOICES_SHEET)
        for column, (name, (heading, items)) in enumerate(self.lists.items()):
            letter = column_letter(column)
            sheet.set_column(column, column, 30)
            sheet.write_string(0, column, heading, self.formats["header"])
            for row, item in enumerate(items, start=1):
                sheet.write_string(row, column, item)
            last = len(items) + 1
            self.book.define_name(name, f"='{CHOICES_SHEET}'!${letter}$2:${letter}${last}")
        sheet.hide()
        self.book.close()


@dataclass(frozen=True)
class FormColumn:
    metric: Metric
    label: str  # the column's own header text (under `group` when there is one)
    group: str | None  # the merged header above it, or None for a column headed alone


def statistics_columns() -> list[FormColumn]:
    """The statistics form's metric columns, left to right, as seed 004 heads them."""
    # A derived metric (诊疗人次) has no column of its own: it heads its parts, each under
    # its form_label (门诊, 急诊).
    columns = []
    for metric in metrics_of("activity"):
        if metric.is_derived:
            continue
        group = group_of(metric.code)
        columns.append(FormColumn(metric, metric.form_label or metric.name_zh,
                                  group.name_zh if group else None))
    return columns


def _hospital_lists(book: TemplateBook) -> dict[str, str]:
    """The three dropdown lists of the statistics form, each depending on the line above:
    label -> the validation's source formula."""
    vocab = vocabulary()
    supporting = _registers()[SUPPORTING_LABEL]
    book.define_list(SUPPORTING_RANGE, SUPPORTING_LABEL.rstrip("："), supporting)
    for n, hospital in enumerate(supporting, start=1):
        book.define_list(f"{RECIPIENTS_RANGE}{n}", f"{hospital}的受援单位",
                         vocab.recipients_of(hospital))
    departments = pair_departments()
    book.define_list(PAIRS_RANGE, "帮扶关系",
                     [f"{s}{PAIR_KEY_SEPARATOR}{r}" for s, r in departments])
    for n, ((s, r), names) in enumerate(departments.items(), start=1):
        book.define_list(f"{DEPARTMENTS_RANGE}{n}", f"{s}→{r}的科室", names)
    return {
        SUPPORTING_LABEL: f"={SUPPORTING_RANGE}",
        RECIPIENT_LABEL: f'=INDIRECT("{RECIPIENTS_RANGE}"&MATCH({{supporting}},'
                         f"{SUPPORTING_RANGE},0))",
        DEPARTMENT_LABEL: f'=INDIRECT("{DEPARTMENTS_RANGE}"&MATCH({{supporting}}&'
                          f'"{PAIR_KEY_SEPARATOR}"&{{recipient}},{PAIRS_RANGE},0))',
    }


# What to choose first, said where a list depends on it.
CHOICE_HINTS = {
    RECIPIENT_LABEL: "列表只列出所选支援单位的受援单位，请先选择支援单位。",
    DEPARTMENT_LABEL: "列表只列出所选帮扶关系的科室，请先选择支援单位和受援单位。",
}


def _write_statistics_form(path: Path, pair: tuple[str, str] | None) -> Path:
    first, last = programme_window()
    columns = statistics_columns()
    book = TemplateBook(path, STATISTICS_TITLE, _statistics_instructions(first, last))
    sheet = book.form_sheet(STATISTICS_SHEET, [14] + [11] * len(columns), STATISTICS_TITLE)
    last_column = len(columns)

    # Period: label, start date, 至, end date (two columns each, to fit 2022年12月31日).
    period_row = 1
    book.merged(sheet, (period_row, 0), (period_row, 1), PERIOD_LABEL, "label")
    for which, span in (("开始", (2, 3)), ("结束", (5, 6))):
        book.merged(sheet, (period_row, span[0]), (period_row, span[1]), "", "date")
        sheet.data_validation(period_row, span[0], period_row, span[1],
                              _date_validation(first, last, which))
    sheet.write_string(period_row, 4, "至", book.formats["text"])
    # One label per line: a label whose value is left blank must not take the next label's.
    sources = _hospital_lists(book)
    rows = dict(zip(sources, range(period_row + 1, period_row + 1 + len(sources)), strict=True))
    cells = {
        "supporting": f"$C${rows[SUPPORTING_LABEL] + 1}",
        "recipient": f"$C${rows[RECIPIENT_LABEL] + 1}",
    }
    prefilled = dict(zip((SUPPORTING_LABEL, RECIPIENT_LABEL), pair or ("", ""), strict=True))
    for label, row in rows.items():
        book.choice_line(sheet, row, label, (2, 6), sources[label].format(**cells),
                         hint=CHOICE_HINTS.get(label, ""), value=prefilled.get(label, ""))
    for row in range(period_row, period_row + 1 + len(sources)):
        sheet.set_row(row, 22)

    header_row = period_row + 1 + len(sources)
    first_data = header_row + 2
    last_data = first_data + PERSON_ROWS - 1
    book.merged(sheet, (header_row, 0), (header_row + 1, 0), "姓名", "header")
    column = 1
    for group, members in itertools.groupby(columns, key=lambda c: c.group):
        members = list(members)
        if group:
            book.merged(sheet, (header_row, column), (header_row, column + len(members) - 1),
                        group, "header")
        for member in members:
            if group:
                sheet.write_string(header_row + 1, column, member.label, book.formats["header"])
            else:
                book.merged(sheet, (header_row, column), (header_row + 1, column), member.label,
                            "header")
            sheet.data_validation(first_data, column, last_data, column, _number_validation(
                member.metric, "填写此人在本统计周期内的", "没有请填 0。"))
            column += 1
    sheet.set_row(header_row, 36)
    sheet.set_row(header_row + 1, 36)

    for row in range(first_data, last_data + 1):
        sheet.write_blank(row, 0, None, book.formats["name"])
        for column in range(1, last_column + 1):
            sheet.write_blank(row, column, None, book.formats["number"])
    sheet.freeze_panes(first_data, 1)
    sheet.repeat_rows(header_row, header_row + 1)

    notes = [f"备注：{_evidence_notes()[0]}", *_evidence_notes()[1:]]
    for row, note in enumerate(notes, start=last_data + 2):
        book.merged(sheet, (row, 0), (row, last_column), note, "note")
        sheet.set_row(row, 30)
    _sign_off_lines(book, sheet, last_data + 2 + len(notes) + 1, first)
    book.protect(sheet)
    book.close()
    return path


def _sign_off_lines(book: TemplateBook, sheet: Worksheet, top: int, first: dt.date) -> None:
    """填报人 / 联系电话 / 审核人 / 填报日期, each label in its own cell (the name column holds a
    sign-off label, which the reader takes for the end of the form) and its value beside it."""
    for row, pair in enumerate(SIGN_OFF, start=top):
        for (label_column, value_span), label in zip(((0, (1, 3)), (4, (5, 7))), pair,
                                                     strict=True):
            sheet.write_string(row, label_column, label, book.formats["label"])
            style = "date" if label == SIGN_OFF_DATE else "entry"
            book.merged(sheet, (row, value_span[0]), (row, value_span[1]), "", style)
            if label == SIGN_OFF_DATE:
                sheet.data_validation(row, value_span[0], row, value_span[1], {
                    "validate": "date", "criteria": ">=", "value": first,
                    "input_title": "填报日期", "input_message": "填写报送本表的日期。",
                    "error_title": "日期不符合要求", "error_message": "请填写日期，如 2022/4/5。",
                })
        sheet.set_row(row, 22)


def _write_capacity_form(path: Path, pair: tuple[str, str] | None) -> Path:
    first, last = programme_window()
    years = range(first.year, last.year + 1)
    metrics = metrics_of("capacity")
    book = TemplateBook(path, CAPACITY_TITLE, _capacity_instructions(first.year, last.year))
    sheet = book.form_sheet(CAPACITY_SHEET, [50, 8] + [12] * len(years), CAPACITY_TITLE)
    last_column = 1 + len(years)

    recipient_row = 1
    recipients = book.define_list(RECIPIENTS_RANGE.rstrip("_"), RECIPIENT_LABEL.rstrip("："),
                                  _registers()[RECIPIENT_LABEL])
    book.choice_line(sheet, recipient_row, RECIPIENT_LABEL, (1, last_column), f"={recipients}",
                     value=pair[1] if pair else "")
    sheet.set_row(recipient_row, 22)

    header_row = recipient_row + 1
    for column, text in enumerate(["指标", "单位", *(f"{year}年" for year in years)]):
        sheet.write_string(header_row, column, text, book.formats["header"])
    for row, metric in enumerate(metrics, start=header_row + 1):
        sheet.write_string(row, 0, metric.name_zh, book.formats["indicator"])
        sheet.write_string(row, 1, metric.unit_zh, book.formats["unit"])
        for column in range(2, last_column + 1):
            sheet.write_blank(row, column, None, book.formats["number"])
        sheet.data_validation(row, 2, row, last_column, _number_validation(
            metric, "填写本院该年度全年的", "尚未统计的年度留空，确实为零的填 0。"))
    sheet.freeze_panes(header_row + 1, 2)
    sheet.repeat_rows(header_row)

    notes_row = header_row + len(metrics) + 2
    book.merged(sheet, (notes_row, 0), (notes_row, last_column),
                "备注：只填数字，不带单位；尚未统计的年度留空，确实为零的填 0。", "note")
    book.protect(sheet)
    book.close()
    return path


def template_names(pair: tuple[str, str] | None = None) -> list[str]:
    """The two templates' file names; pre-filled ones name their hospitals."""
    if pair is None:
        return [STATISTICS_FILE, CAPACITY_FILE]
    supporting, recipient = pair
    return [f"{Path(STATISTICS_FILE).stem}_{supporting}_{recipient}.xlsx",
            f"{Path(CAPACITY_FILE).stem}_{recipient}.xlsx"]


def write_templates(dest: Path, pair: tuple[str, str] | None = None) -> list[Path]:
    """Write the statistics form and capacity-indicator form into `dest` (created if
    missing), blank or with a registered `pair`'s hospitals filled in, and return their
    paths. The same seeds give the same bytes."""
    dest.mkdir(parents=True, exist_ok=True)
    statistics, capacity = template_names(pair)
    return [
        _write_statistics_form(dest / statistics, pair),
        _write_capacity_form(dest / capacity, pair),
    ]
