"""Tests for bot.workdays: Chinese workdays, overrides, fallback and office-hour slots."""

import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.workdays import (
    OfficeHours,
    WorkCalendar,
    YearOverride,
    in_office_hours,
    next_office_slot,
    overrides_from_config,
)

SH = ZoneInfo("Asia/Shanghai")
HOURS = OfficeHours(start=time(8, 30), end=time(17, 30), tz=SH)

# 2027 Spring Festival as the State Council might publish it: Feb 5–11 off, Sunday Feb 14 worked.
CONFIG_2027 = {
    "2027": {
        "holidays": [f"2027-02-{d:02d}" for d in range(5, 12)],
        "workdays": ["2027-02-14"],
    }
}


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_national_day_2021_break_and_make_up_days(cal):
    for day in range(1, 8):
        assert not cal.is_workday(date(2021, 10, day))
    assert cal.is_workday(date(2021, 10, 9))  # Saturday make-up
    assert cal.is_workday(date(2021, 9, 26))  # Sunday make-up
    assert not cal.is_workday(date(2021, 10, 10))  # an ordinary Sunday
    assert cal.source(2021) == "library"
    assert cal.warnings == []


def test_deadline_on_holiday_counts_back(cal):
    assert cal.previous_workday(date(2021, 10, 3)) == date(2021, 9, 30)
    assert cal.previous_workday(date(2021, 9, 30)) == date(2021, 9, 30)
    assert cal.previous_workday(date(2021, 9, 30), inclusive=False) == date(2021, 9, 29)


def test_next_workday_skips_the_break(cal):
    assert cal.next_workday(date(2021, 10, 1)) == date(2021, 10, 8)
    assert cal.next_workday(date(2021, 10, 8), inclusive=False) == date(2021, 10, 9)


def test_add_workdays_across_the_break(cal):
    # Sep 30 (Thu) + 1 → Oct 8 (Fri); + 2 → Oct 9 (Sat make-up); + 3 → Oct 11 (Mon).
    assert cal.add_workdays(date(2021, 9, 30), 1) == date(2021, 10, 8)
    assert cal.add_workdays(date(2021, 9, 30), 2) == date(2021, 10, 9)
    assert cal.add_workdays(date(2021, 9, 30), 3) == date(2021, 10, 11)
    assert cal.add_workdays(date(2021, 10, 11), -3) == date(2021, 9, 30)
    assert cal.add_workdays(date(2021, 10, 3), 0) == date(2021, 10, 3)
    # From a holiday, the first step lands on the first workday after it.
    assert cal.add_workdays(date(2021, 10, 3), 1) == date(2021, 10, 8)


def test_workdays_between_counts_half_open_interval(cal):
    # (Sep 24, Oct 10]: Sep 26(Sun make-up), 27–30, Oct 8, Oct 9(Sat make-up) = 7
    assert cal.workdays_between(date(2021, 9, 24), date(2021, 10, 10)) == 7
    assert cal.workdays_between(date(2021, 10, 10), date(2021, 9, 24)) == -7
    assert cal.workdays_between(date(2021, 10, 1), date(2021, 10, 1)) == 0


def test_2027_with_override():
    cal = WorkCalendar(overrides_from_config(CONFIG_2027))
    assert cal.source(2027) == "override"
    assert not cal.is_workday(date(2027, 2, 8))  # Monday in the break
    assert cal.is_workday(date(2027, 2, 14))  # Sunday make-up
    assert cal.is_workday(date(2027, 2, 12))  # Friday after the break
    assert not cal.is_workday(date(2027, 2, 13))  # plain Saturday
    assert cal.previous_workday(date(2027, 2, 6)) == date(2027, 2, 4)
    assert cal.add_workdays(date(2027, 2, 4), 2) == date(2027, 2, 14)
    assert cal.warnings == []
    assert cal.source(2021) == "library"  # other years still come from the library


def test_override_wins_over_library():
    # Pretend an office also closed on 2021-09-29 (a library workday).
    cal = WorkCalendar({2021: YearOverride(holidays=frozenset({date(2021, 9, 29)}), workdays=frozenset())})
    assert cal.source(2021) == "override"
    assert not cal.is_workday(date(2021, 9, 29))


def test_2027_without_override_falls_back_loudly(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="bot.workdays"):
        assert cal.is_workday(date(2027, 2, 8))  # Monday: a holiday really, but unknown to us
        assert not cal.is_workday(date(2027, 2, 14))  # Sunday
        cal.is_workday(date(2027, 3, 1))
    assert cal.source(2027) == "fallback"
    assert cal.warnings == [
        "2027年节假日安排未知：按周一至周五计算工作日，请在配置 [calendar.2027] 中录入国务院通知"
    ]
    assert [r.getMessage() for r in caplog.records] == cal.warnings  # logged once per year


def test_library_covers_2026_not_2027(cal):
    assert cal.source(2026) == "library"
    assert not cal.is_workday(date(2026, 10, 1))
    assert cal.source(2027) == "fallback"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"2027": {"holidays": ["2027-02-30"]}}, "'2027-02-30'"),
        ({"2027": {"workdays": ["27/2/14"]}}, "'27/2/14'"),
        ({"next": {"holidays": []}}, "'next'"),
        ({"2027": {"holidays": ["2028-01-01"]}}, "2028-01-01"),
        ({"2027": {"holiday": ["2027-01-01"]}}, "holiday"),
        ({"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}}, "同时"),
    ],
)
def test_overrides_from_config_names_the_bad_value(raw, fragment):
    with pytest.raises(ValueError, match="配置") as err:
        overrides_from_config(raw)
    assert fragment in str(err.value)


def test_overrides_from_config_builds_frozensets():
    got = overrides_from_config(CONFIG_2027)[2027]
    assert date(2027, 2, 5) in got.holidays and len(got.holidays) == 7
    assert got.workdays == frozenset({date(2027, 2, 14)})


def test_office_hours_end_before_start_raises():
    with pytest.raises(ValueError, match="开始时间 18:00 必须早于结束时间 09:00"):
        OfficeHours(start=time(18, 0), end=time(9, 0), tz=SH)
    with pytest.raises(ValueError):
        OfficeHours(start=time(9, 0), end=time(9, 0), tz=SH)


def test_slot_inside_hours_is_now(cal):
    now = datetime(2021, 9, 29, 10, 15, tzinfo=SH)
    assert in_office_hours(now, cal, HOURS)
    assert next_office_slot(now, cal, HOURS) == now


def test_slot_before_hours_is_same_day_start(cal):
    now = datetime(2021, 9, 29, 7, 0, tzinfo=SH)
    assert not in_office_hours(now, cal, HOURS)
    assert next_office_slot(now, cal, HOURS) == datetime(2021, 9, 29, 8, 30, tzinfo=SH)


def test_slot_across_a_weekend(cal):
    friday_evening = datetime(2021, 10, 15, 18, 0, tzinfo=SH)
    assert next_office_slot(friday_evening, cal, HOURS) == datetime(2021, 10, 18, 8, 30, tzinfo=SH)
    saturday = datetime(2021, 10, 16, 11, 0, tzinfo=SH)
    assert not in_office_hours(saturday, cal, HOURS)
    assert next_office_slot(saturday, cal, HOURS) == datetime(2021, 10, 18, 8, 30, tzinfo=SH)


def test_slot_across_the_national_day_break(cal):
    last_day = datetime(2021, 9, 30, 17, 30, tzinfo=SH)  # end is exclusive
    assert not in_office_hours(last_day, cal, HOURS)
    assert next_office_slot(last_day, cal, HOURS) == datetime(2021, 10, 8, 8, 30, tzinfo=SH)
    # A make-up Sunday is a working day, so a Saturday-evening slot lands on it.
    assert next_office_slot(datetime(2021, 9, 25, 20, 0, tzinfo=SH), cal, HOURS) == datetime(
        2021, 9, 26, 8, 30, tzinfo=SH
    )


def test_slot_converts_other_time_zones_to_office_zone(cal):
    utc_now = datetime(2021, 10, 8, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Shanghai
    slot = next_office_slot(utc_now, cal, HOURS)
    assert slot == utc_now and slot.tzinfo == SH
    assert slot.hour == 9
    late = datetime(2021, 10, 8, 12, 0, tzinfo=ZoneInfo("UTC"))  # 20:00 Friday in Shanghai
    assert next_office_slot(late, cal, HOURS) == datetime(2021, 10, 9, 8, 30, tzinfo=SH)  # Saturday make-up


def test_naive_datetime_is_refused(cal):
    with pytest.raises(ValueError, match="时区"):
        next_office_slot(datetime(2021, 10, 8, 9, 0), cal, HOURS)
