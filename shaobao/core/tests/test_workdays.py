"""Deadline arithmetic across holidays, swapped workdays (调休), midnight and month ends."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shaobao.core.workdays import (
    LOCAL_TZ,
    WorkCalendar,
    add_working_days,
    add_working_hours,
    deadline,
    parse_periods,
    working_minutes_between,
)

CAL = WorkCalendar()


def at(*args):
    return dt.datetime(*args, tzinfo=LOCAL_TZ)


def test_official_calendar_knows_holidays_and_swapped_workdays():
    assert not CAL.is_workday(dt.date(2026, 10, 1))  # National Day
    assert CAL.is_workday(dt.date(2026, 10, 10))  # Saturday worked in exchange (调休)
    assert not CAL.is_workday(dt.date(2026, 11, 28))  # ordinary Saturday


def test_override_wins_and_unknown_years_fall_back_to_weekdays():
    cal = WorkCalendar(overrides={dt.date(2027, 1, 1): False, dt.date(2026, 11, 28): True})
    assert cal.is_workday(dt.date(2026, 11, 28))
    assert not cal.is_workday(dt.date(2027, 1, 1))
    assert cal.is_workday(dt.date(2027, 1, 4))  # a Monday in a year the package does not know
    assert not WorkCalendar().is_workday(dt.date(2027, 10, 1))  # fixed-date holiday fallback
    assert not cal.is_workday(dt.date(2027, 1, 9))  # a Saturday


def test_working_hours_within_one_morning():
    assert add_working_hours(at(2026, 11, 25, 9, 30), 2, CAL) == at(2026, 11, 25, 11, 30)


def test_working_hours_skip_lunch_break():
    # 11:00 + 4 h: one hour before lunch, three after 13:30
    assert add_working_hours(at(2026, 11, 25, 11, 0), 4, CAL) == at(2026, 11, 25, 16, 30)


def test_working_hours_started_at_night_begin_next_morning():
    assert add_working_hours(at(2026, 11, 25, 23, 50), 1, CAL) == at(2026, 11, 26, 10, 0)


def test_working_hours_started_exactly_at_midnight():
    assert add_working_hours(at(2026, 11, 26, 0, 0), 0.5, CAL) == at(2026, 11, 26, 9, 30)


def test_working_hours_cross_weekend():
    # Friday 17:00 + 4 h: 30 min Friday, then Monday 09:00-12:00 and 13:30-14:00
    assert add_working_hours(at(2026, 11, 27, 17, 0), 4, CAL) == at(2026, 11, 30, 14, 0)


def test_working_hours_cross_national_day_and_land_on_swapped_saturday():
    # 2026: Oct 1-7 off; Sat Oct 10 is worked. A working day here has 7 hours (3 + 4).
    # Sep 30 17:00 + 8 h: 0.5 h on Sep 30, 7 h on Oct 8, 0.5 h on Oct 9.
    result = add_working_hours(at(2026, 9, 30, 17, 0), 8, CAL)
    assert result == at(2026, 10, 9, 9, 30)
    result = add_working_hours(at(2026, 10, 9, 17, 0), 1, CAL)
    assert result == at(2026, 10, 10, 9, 30)


def test_working_days_count_from_next_day_and_end_at_close_of_work():
    assert add_working_days(at(2026, 11, 25, 9, 30), 1, CAL) == at(2026, 11, 26, 17, 30)
    assert add_working_days(at(2026, 11, 27, 16, 0), 1, CAL) == at(2026, 11, 30, 17, 30)


def test_working_days_across_month_and_year_end():
    # Wed 2026-12-30 + 2 working days: Dec 31 (Thu), then Jan 1 is a holiday, Jan 4 (Mon)
    # Jan 1 is New Year's Day even in 2027, a year the package does not know yet.
    result = add_working_days(at(2026, 12, 30, 10, 0), 2, CAL)
    assert result == at(2027, 1, 4, 17, 30)
    assert not CAL.knows_year(2027) and CAL.knows_year(2026)


def test_natural_units_and_utc_input():
    start = dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)  # 00:00 Dec 1 in Beijing
    assert deadline(start, "natural_hours", 2, CAL) == at(2026, 12, 1, 2, 0)
    assert deadline(start, "natural_days", 7, CAL) == at(2026, 12, 8, 0, 0)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        deadline(dt.datetime(2026, 1, 1, 9), "working_hours", 1, CAL)
    with pytest.raises(ValueError):
        deadline(at(2026, 1, 5, 9), "fortnights", 1, CAL)
    with pytest.raises(ValueError):
        parse_periods([("12:00", "09:00")])
    with pytest.raises(ValueError):
        parse_periods([("09:00", "12:00"), ("11:00", "13:00")])


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 31)),
    hours=st.integers(min_value=0, max_value=120),
)
def test_working_hours_round_trip(start, hours):
    """Property: the working time between start and the deadline is exactly what was asked,
    and the deadline falls inside a working period of a working day (or equals the start)."""
    start = start.replace(tzinfo=LOCAL_TZ, microsecond=0, second=0)
    end = add_working_hours(start, hours, CAL)
    assert end >= start
    assert working_minutes_between(start, end, CAL) == hours * 60
    if hours:
        local = end.astimezone(LOCAL_TZ)
        assert CAL.is_workday(local.date())
        assert any(s <= local.time() <= e for s, e in CAL.periods)
