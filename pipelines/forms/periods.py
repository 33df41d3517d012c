"""Reporting periods as submitters write them.

`parse_period` finds the first period in a text and returns it, or says why there is none.
Recognised (after full-width folding, white space removed):
  2021年7月1日至2021年9月30日 · 2021.07.01-2021.09.30 · 2021/7/1~2021/9/30 · 2021-07-01至09-30
  自2021年7月1日起至9月30日止 · 2021年3月1日至31日 · 2021年7月1日——2021年9月30日 · 20210701-20210930
  2021年1-3月 · 2021年1月至3月 · 2021年7月-2021年9月 · 2021年10月-2022年3月 · 2021.07-2021.09
  2021年第三季度 · 2021年三季度 · 2021Q3 · 2021年上半年 · 2021年3月 · 2021.03 · 2021年度 · 2021全年
and, with a default year (from the title or file name), a bare month such as `3月`.
A list of periods (2021年3月、4月) that follow each other is the one period they make; one with
gaps between them (2021年3月、9月) is PeriodNotContiguous.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
from dataclasses import dataclass

from pipelines.forms.text import fold

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# Between the two ends: 至, a dash or two (a Chinese keyboard types —— for one), 止 …; a start
# may be marked 起 (自…起至…止).
_SEP = r"起?(?:至|到|~|-|—|－|–|―|止|结束日期:?|截止日期:?|终止日期:?)+"


def _year(group: str) -> str:
    return rf"(?P<{group}>(?:19|20)\d{{2}})"


def _day(group: str) -> str:
    # Not followed by a digit or a dot: in 2021.07-2021.09 the 20 of the second year is no day.
    return rf"(?P<{group}>\d{{1,2}})(?![\d.])[日号]?"


def _date_pattern(year: str, month: str, day: str) -> str:
    return rf"{_year(year)}[年./-](?P<{month}>\d{{1,2}})[月./-]{_day(day)}"


_FULL_RANGE = re.compile(
    _date_pattern("y1", "m1", "d1") + _SEP
    # 2021年3月1日至31日: the end may leave out its year and month.
    + rf"(?:(?:{_year('y2')}[年./-])?(?P<m2>\d{{1,2}})[月./-])?" + _day("d2")
)
_COMPACT_RANGE = re.compile(
    r"(?<!\d)(?P<y1>(?:19|20)\d{2})(?P<m1>\d{2})(?P<d1>\d{2})" + _SEP
    + r"(?P<y2>(?:19|20)\d{2})(?P<m2>\d{2})(?P<d2>\d{2})(?!\d)"
)
# 2021年1-3月 · 2021年7月至2021年9月 · 2021.07-2021.09 · 2021年10月-2022年3月: the end month
# is followed by 月, or carries its own year (a bare 2021-07-09 is a date, not months 7 to 9).
_MONTH_RANGE = re.compile(
    _year("y") + r"(?:年|[./-])?(?P<m1>\d{1,2})(?:月份?)?" + _SEP
    + r"(?:(?:" + _year("y2") + r"(?:年|[./-]))(?P<m2y>\d{1,2})(?:月份?|(?![\d.]))"
    + r"|(?P<m2>\d{1,2})月)"
)
_QUARTER = re.compile(
    _year("y") + r"(?:年度?|[-./])?(?:第?(?P<q1>[一二三四1-4])季|[Qq](?P<q3>[1-4]))"
)
_HALF = re.compile(_year("y") + r"年?(?P<half>上|下)半年")
_MONTH = re.compile(_year("y") + r"(?:年|\.|-|/)(?P<m>\d{1,2})(?:月|(?!\d))")
_YEAR_WHOLE = re.compile(_year("y") + r"(?:年度|年全年|全年)")
_LONE_DATE = re.compile(_date_pattern("y", "m", "d"))
# How the reader sees a date cell (text.cell_text): ISO, without a time.
_DATE_CELL_MONTH_START = re.compile(r"(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-01")
# Where a period written without its year starts (3月, 1-3月, 第一季度, Q1, 上半年): the
# year of the title, file name or folders goes there.
_YEARLESS = re.compile(
    r"(?<![\d年./-])(?=\d{1,2}(?:月份?)?[-~—至到]+\d{1,2}月|\d{1,2}月(?!\d)"
    r"|第?[一二三四1-4]季|[Qq][1-4](?!\d)|[上下]半年)"
)
_ANY_YEAR = re.compile(r"(?:19|20)\d{2}")
_CN_NUMERALS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")
_CN_MONTHS = {numeral: str(n) for n, numeral in enumerate(
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"], start=1)}
_CN_MONTH = re.compile(r"(?<![一二三四五六七八九十])(十[一二]?|[一二三四五六七八九])(?=月)")
_SHORT_YEAR = re.compile(r"(?<!\d)(\d{2})年(?=\d{1,2}月|第|[上下]半年|度)")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
# Two dates in cells side by side, with no 至 between them.
_DATES_SIDE_BY_SIDE = re.compile(
    r"((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)\s+(?=(?:19|20)\d{2}[-/.年])")
_UNFILLED = re.compile(r"年月日|年\s*月|月日")


class PeriodError(ValueError):
    """A period was written but is not a valid date range."""


class PeriodNotContiguous(PeriodError):
    """A period of separate months or ranges (2021年3月、9月): one report has one period."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return f"{self.start.isoformat()}至{self.end.isoformat()}"


def _date(year: str | int, month: str | int, day: str | int) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise PeriodError(f"{year}年{month}月{day}日不存在") from exc


def _month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise PeriodError(f"没有{month}月")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _checked(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError(f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}")
    return Period(start, end)


def _normalised(text: str) -> str:
    """Folded, with the ways of writing a date that the patterns below do not know made into
    ones they do: 二〇二一年三月 → 2021年3月, 21年3月 → 2021年3月, times of day dropped,
    two dates side by side joined by 至."""
    text = _TIME.sub("", text)
    text = _DATES_SIDE_BY_SIDE.sub(r"\1至", text)
    text = _CN_YEAR.sub(lambda m: "".join(_CN_NUMERALS[c] for c in m.group(0)), text)
    text = _CN_MONTH.sub(lambda m: _CN_MONTHS[m.group(1)], text)
    return _SHORT_YEAR.sub(r"20\1年", fold(text))


def parse_period(text: str, default_year: int | None = None, *,
                 labelled: bool = False) -> Period | None:
    """The first period written in `text`, None when there is none; PeriodError when one is
    written but impossible (2月30日, an end before the start). In a labelled period cell a
    single date is half a period (an error); in other text (a title, 填报日期) it is no period
    at all, and never the month it falls in. A period written without a year (a sheet named
    3月 or 第一季度) takes `default_year`."""
    folded = _normalised(text)
    period = _listed(folded, default_year, labelled) or _parse(folded, labelled)
    if (period is None and default_year is not None and not _ANY_YEAR.search(folded)
            and (m := _YEARLESS.search(folded))):
        period = _parse(f"{folded[:m.start()]}{default_year}年{folded[m.start():]}", labelled)
    return period


# Between the items of a list of periods: 2021年3月、9月 · 3月,4月 · 3月和9月.
_LIST = re.compile(r"[、,;]|(?:和|及)(?=\d)")


def _listed(folded: str, default_year: int | None, labelled: bool) -> Period | None:
    """A list of periods (2021年3月、4月; 2021年1-3月、4-6月; 2021年3月1日至15日、9月1日至30日),
    an item without a year taking the one before it: the one period they make together when
    each begins the day after the one before ends; PeriodNotContiguous when there are gaps;
    None when the text holds no two periods."""
    items = [item for item in _LIST.split(folded) if item]
    if len(items) < 2:
        return None
    periods: list[Period] = []
    year = default_year
    for item in items:
        if year is not None and not _ANY_YEAR.search(item):
            item = f"{year}年{item}"
        if period := _parse(item, labelled):
            periods.append(period)
            year = period.end.year
    if len(periods) < 2:
        return None
    periods.sort(key=lambda p: p.start)
    for before, after in itertools.pairwise(periods):
        if after.start != before.end + dt.timedelta(days=1):
            raise PeriodNotContiguous("、".join(str(p) for p in periods))
    return Period(periods[0].start, periods[-1].end)


def _parse(folded: str, labelled: bool) -> Period | None:
    if m := _DATE_CELL_MONTH_START.fullmatch(folded):
        # Excel stores a typed 2021年3月 as the date 2021-03-01 and shows it as 2021年3月: the
        # first of a month alone in its cell is that month.
        year, month = int(m["y"]), int(m["m"])
        return Period(dt.date(year, month, 1), _month_end(year, month))
    if m := _FULL_RANGE.search(folded) or _COMPACT_RANGE.search(folded):
        start = _date(m["y1"], m["m1"], m["d1"])
        end = _date(m["y2"] or m["y1"], m["m2"] or m["m1"], m["d2"])
        return _checked(start, end)
    if m := _MONTH_RANGE.search(folded):
        first = _month_end(int(m["y"]), int(m["m1"])).replace(day=1)
        last = _month_end(int(m["y2"] or m["y"]), int(m["m2y"] or m["m2"]))
        return _checked(first, last)
    if (m := _LONE_DATE.search(folded)) and labelled:
        day = _date(m["y"], m["m"], m["d"])
        raise PeriodError(f"只填写了一个日期 {day.isoformat()}，缺少开始或结束日期")
    folded = _LONE_DATE.sub(" ", folded)
    if m := _QUARTER.search(folded):
        quarter = _CN_DIGITS[m["q1"] or m["q3"]]
        year = int(m["y"])
        return Period(dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    if m := _HALF.search(folded):
        year = int(m["y"])
        first = 1 if m["half"] == "上" else 7
        return Period(dt.date(year, first, 1), _month_end(year, first + 5))
    if m := _YEAR_WHOLE.search(folded):
        year = int(m["y"])
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    if m := _MONTH.search(folded):
        year, month = int(m["y"]), int(m["m"])
        return Period(_month_end(year, month).replace(day=1), _month_end(year, month))
    return None


def looks_unfilled(text: str) -> bool:
    """A period line of the blank template, such as `2022年月日至年月日`."""
    return bool(_UNFILLED.search(fold(text)))


_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d|年?版)")  # 2020年版: a template's edition


def years_in(text: str) -> list[int]:
    """The plausible reporting years a text mentions (a title, a file name, a folder)."""
    return [int(y) for y in _YEAR_IN_TEXT.findall(fold(text))]


def find_year(text: str) -> int | None:
    """The first plausible reporting year a text mentions."""
    return next(iter(years_in(text)), None)
