"""Reporting periods in every way the forms write them."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.forms.periods import PeriodError, looks_unfilled, parse_period

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("统计周期（起止时间）：2021年7月1日至2021年9月30日", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021.07.01-2021.09.30", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021/7/1~2021/9/30", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021-07-01至09-30", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年7月1日至9月30日", D(2021, 7, 1), D(2021, 9, 30)),
        ("２０２１年７月１日至２０２１年９月３０日", D(2021, 7, 1), D(2021, 9, 30)),
        ("开始日期：2021-07-01 结束日期：2021-09-30", D(2021, 7, 1), D(2021, 9, 30)),
        ("2019年12月1日至2020年1月31日", D(2019, 12, 1), D(2020, 1, 31)),
        ("2021年第三季度", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年第3季度", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021Q4", D(2021, 10, 1), D(2021, 12, 31)),
        ("2021年3月", D(2021, 3, 1), D(2021, 3, 31)),
        ("2020年2月", D(2020, 2, 1), D(2020, 2, 29)),
        ("2021.03", D(2021, 3, 1), D(2021, 3, 31)),
        ("2021年1-3月", D(2021, 1, 1), D(2021, 3, 31)),
        ("2021年1月至3月", D(2021, 1, 1), D(2021, 3, 31)),
        ("2021年上半年", D(2021, 1, 1), D(2021, 6, 30)),
        ("2021年度", D(2021, 1, 1), D(2021, 12, 31)),
        ("心内科_2022年3月_统计表", D(2022, 3, 1), D(2022, 3, 31)),
        # The same, as other keyboards and habits write them.
        ("2021年7月1日——2021年9月30日", D(2021, 7, 1), D(2021, 9, 30)),
        ("自2021年7月1日起至2021年9月30日止", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年7月1号至2021年9月30号", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年3月1日至31日", D(2021, 3, 1), D(2021, 3, 31)),
        ("20210701-20210930", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年7月-2021年9月", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年7月份至9月份", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年7月——9月", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年10月-2022年3月", D(2021, 10, 1), D(2022, 3, 31)),
        ("2021.07-2021.09", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021.12-2022.2", D(2021, 12, 1), D(2022, 2, 28)),
        ("2021.7-9月", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年三季度", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021-3季度", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021-Q3", D(2021, 7, 1), D(2021, 9, 30)),
        ("2021年度第三季度", D(2021, 7, 1), D(2021, 9, 30)),
        ("二〇二一年三月", D(2021, 3, 1), D(2021, 3, 31)),
        ("2021年十二月", D(2021, 12, 1), D(2021, 12, 31)),
        ("21年3月", D(2021, 3, 1), D(2021, 3, 31)),
        ("2021-03-15 08:00 至 2021-03-31 18:00", D(2021, 3, 15), D(2021, 3, 31)),
        ("2021-03-01 2021-03-31", D(2021, 3, 1), D(2021, 3, 31)),  # two date cells
        # Excel keeps a typed 2021年3月 as the date 2021-03-01; the reader sees the date.
        ("2021-03-01", D(2021, 3, 1), D(2021, 3, 31)),
    ],
)
def test_periods(text: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_bare_month_needs_a_year_from_elsewhere() -> None:
    assert parse_period("3月") is None
    assert parse_period("3月", default_year=2020).start == D(2020, 3, 1)


@pytest.mark.parametrize(
    ("sheet", "start", "end"),
    [
        ("一月份", D(2020, 1, 1), D(2020, 1, 31)),
        ("十一月", D(2020, 11, 1), D(2020, 11, 30)),
        ("心内科3月统计", D(2020, 3, 1), D(2020, 3, 31)),
        ("1-3月", D(2020, 1, 1), D(2020, 3, 31)),
        ("1月-3月", D(2020, 1, 1), D(2020, 3, 31)),
        ("第一季度", D(2020, 1, 1), D(2020, 3, 31)),
        ("二季度", D(2020, 4, 1), D(2020, 6, 30)),
        ("Q4", D(2020, 10, 1), D(2020, 12, 31)),
        ("下半年", D(2020, 7, 1), D(2020, 12, 31)),
    ],
)
def test_periods_without_a_year_take_it_from_elsewhere(sheet: str, start: dt.date,
                                                       end: dt.date) -> None:
    """Sheet names under a title that gives the year."""
    assert parse_period(sheet) is None
    period = parse_period(sheet, default_year=2020)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2021年2月30日至2021年3月31日", "2021年2月30日不存在"),
        ("2021年9月1日至2021年3月1日", "结束日期 2021-03-01 早于开始日期 2021-09-01"),
        ("2021年13月", "没有13月"),
    ],
)
def test_impossible_periods(text: str, reason: str) -> None:
    with pytest.raises(PeriodError, match=reason):
        parse_period(text)


def test_a_lone_date_is_half_a_period_in_the_period_cell_and_none_elsewhere() -> None:
    with pytest.raises(PeriodError, match="只填写了一个日期 2022-03-15"):
        parse_period("2022-03-15 至", labelled=True)
    assert parse_period("填报日期：2022年4月5日") is None
    assert parse_period("2021-07-09") is None  # a date, not the months 7 to 9


def test_unfilled_template_line() -> None:
    assert parse_period("2022年月日至年月日") is None
    assert looks_unfilled("2022年月日至年月日")
    assert not looks_unfilled("2022年3月1日至2022年3月31日")
