"""Deadline arithmetic in working hours and working days. Pure: no clock, no database.

Working days follow the State Council holiday calendar with its swapped workdays (调休), as
published in `chinese-calendar`; an override table (maintained by administrators, passed in here)
wins over the package, and years the package does not know fall back to Monday–Friday plus the
overrides. Rules, all in local (Asia/Shanghai) time:

* `natural_hours` / `natural_days`: plain elapsed time.
* `working_hours`: only time inside the working periods of working days counts. A start outside
  the periods begins counting at the next period's start.
* `working_days`: the deadline is the end of the last working period of the N-th working day
  after the start day (the start day itself does not count, wherever in it the start falls).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
UNITS = ("natural_hours", "natural_days", "working_hours", "working_days")
# A deadline never lies more than this far ahead; guards against a calendar with no workdays.
MAX_SCAN_DAYS = 3660
# 《全国年节及纪念日放假办法》 (2024): New Year's Day, Labour Day (2 days), National Day (3 days).
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def parse_periods(periods) -> tuple[tuple[dt.time, dt.time], ...]:
    parsed = []
    for start, end in periods:
        s = dt.time.fromisoformat(start) if isinstance(start, str) else start
        e = dt.time.fromisoformat(end) if isinstance(end, str) else end
        if not s < e:
            raise ValueError(f"working period {start}-{end} ends before it starts")
        parsed.append((s, e))
    parsed.sort()
    for (_, e1), (s2, _) in zip(parsed, parsed[1:], strict=False):
        if s2 < e1:
            raise ValueError("working periods overlap")
    if not parsed:
        raise ValueError("at least one working period is needed")
    return tuple(parsed)


@dataclass(frozen=True)
class WorkCalendar:
    periods: tuple[tuple[dt.time, dt.time], ...] = field(
        default_factory=lambda: parse_periods([("09:00", "12:00"), ("13:30", "17:30")])
    )
    overrides: Mapping[dt.date, bool] = field(default_factory=dict)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            # A year not yet in the package: weekends and the fixed-date statutory holidays;
            # the lunar ones and 调休 must come from the override table until it is updated.
            return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS

    def knows_year(self, year: int) -> bool:
        """Whether the official calendar (package or overrides) covers this year."""
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
            return True
        except NotImplementedError:
            return any(d.year == year for d in self.overrides)

    def next_workday(self, day: dt.date) -> dt.date:
        for _ in range(MAX_SCAN_DAYS):
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                return day
        raise ValueError("no working day within ten years")

    def day_minutes(self) -> int:
        return sum(_minutes(s, e) for s, e in self.periods)


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=LOCAL_TZ)


def add_working_hours(start: dt.datetime, hours: float, cal: WorkCalendar) -> dt.datetime:
    if hours < 0:
        raise ValueError("hours must not be negative")
    remaining = dt.timedelta(hours=hours)
    cursor = start.astimezone(LOCAL_TZ)
    day = cursor.date()
    for _ in range(MAX_SCAN_DAYS):
        if cal.is_workday(day):
            for p_start, p_end in cal.periods:
                begin = max(cursor, _at(day, p_start))
                end = _at(day, p_end)
                if begin >= end:
                    continue
                if begin + remaining <= end:
                    return begin + remaining
                remaining -= end - begin
        day = day + dt.timedelta(days=1)
        cursor = _at(day, dt.time(0, 0))
    raise ValueError("no working time within ten years")


def add_working_days(start: dt.datetime, days: int, cal: WorkCalendar) -> dt.datetime:
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start.astimezone(LOCAL_TZ).date()
    for _ in range(days):
        day = cal.next_workday(day)
    return _at(day, cal.periods[-1][1])


def deadline(start: dt.datetime, unit: str, amount: float, cal: WorkCalendar) -> dt.datetime:
    """The deadline `amount` `unit`s after `start` (an aware datetime); returned in local time."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if unit == "natural_hours":
        return (start + dt.timedelta(hours=amount)).astimezone(LOCAL_TZ)
    if unit == "natural_days":
        local = start.astimezone(LOCAL_TZ)
        # Same wall-clock time N days on (Shanghai has no DST, but be explicit about it).
        return dt.datetime.combine(local.date() + dt.timedelta(days=int(amount)), local.timetz())
    if unit == "working_hours":
        return add_working_hours(start, amount, cal)
    if unit == "working_days":
        return add_working_days(start, int(amount), cal)
    raise ValueError(f"unknown time unit {unit!r}; expected one of {UNITS}")


def working_minutes_between(start: dt.datetime, end: dt.datetime, cal: WorkCalendar) -> int:
    """Working minutes from start to end (0 when end <= start); for "time left" displays."""
    if end <= start:
        return 0
    total = dt.timedelta()
    cursor = start.astimezone(LOCAL_TZ)
    end = end.astimezone(LOCAL_TZ)
    day = cursor.date()
    while day <= end.date():
        if cal.is_workday(day):
            for p_start, p_end in cal.periods:
                a = max(cursor, _at(day, p_start))
                b = min(end, _at(day, p_end))
                if b > a:
                    total += b - a
        day += dt.timedelta(days=1)
    return int(total.total_seconds() // 60)
