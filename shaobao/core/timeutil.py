"""Time helpers for the edges (views, API, commands); domain code receives `now` as an argument."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from shaobao.core.workdays import LOCAL_TZ, WorkCalendar, deadline, parse_periods


def now() -> dt.datetime:
    return timezone.now()


def local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(LOCAL_TZ) if value else None


def work_calendar() -> WorkCalendar:
    from shaobao.core.models import CalendarOverride

    overrides = dict(CalendarOverride.objects.values_list("day_date", "is_workday"))
    return WorkCalendar(
        periods=parse_periods(settings.SHAOBAO["WORK_PERIODS"]), overrides=overrides
    )


def tier_deadline(start: dt.datetime, tier: str | None, cal: WorkCalendar) -> dt.datetime:
    tiers = settings.SHAOBAO["TIME_LIMIT_TIERS"]
    unit, amount = tiers.get(tier or "", tiers[settings.SHAOBAO["DEFAULT_TIER"]])
    return deadline(start, unit, amount, cal)
