"""The daily demand rollup behind the dashboards' trends (models.DemandDay).

`refresh(days=…)` recounts the last days in one transaction: delete, then `INSERT … SELECT …
GROUP BY` in the database. Callbacks and feedback arrive days after a demand, so recent days are
recounted every time; `refresh(days=None)` rebuilds everything (after an import).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from shaobao.core.sql import db_datetime, table
from shaobao.core.workdays import LOCAL_TZ
from shaobao.dashboards.models import DemandDay, RollupMark
from shaobao.demands import sql as DS

NAME = "demand_day"
RECOUNT_DAYS = 45
EVERY = dt.timedelta(minutes=10)


def _local_day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"  # Asia/Shanghai has no daylight saving


def refresh(*, now, days: int | None = RECOUNT_DAYS, only_if_older=None) -> int | None:
    """Recount; with `only_if_older`, only when the last refresh is older than that (checked
    under the mark's row lock, so two workers never recount at once)."""
    since = None
    if days is not None:
        since = now.astimezone(LOCAL_TZ).date() - dt.timedelta(days=days)
    day = _local_day("d.created_at")
    counted = DS.COUNTED
    cb = "c.reached"
    sql = f"""
        INSERT INTO {table(DemandDay)} (day, district_id, township_id, department_id,
            received, dispatched, response_due, on_time, reached, solved, rated, satisfied, basic)
        SELECT {day}, d.district_id, d.handler_township_id, d.handler_department_id,
            COUNT(*),
            SUM(CASE WHEN {counted} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {counted} AND {DS.RESPONSE_DUE} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {counted} AND {DS.CONTACTED_ON_TIME} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {counted} AND {cb} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {counted} AND {cb} AND c.solved THEN 1 ELSE 0 END),
            SUM(CASE WHEN {counted} AND {cb} AND c.satisfaction <> '' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {counted} AND {cb} AND c.satisfaction = 'SATISFIED' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {counted} AND {cb} AND c.satisfaction = 'BASIC' THEN 1 ELSE 0 END)
        {DS.demands_with_latest_callback()}
        WHERE d.created_at >= %s
        GROUP BY {day}, d.district_id, d.handler_township_id, d.handler_department_id
    """
    with transaction.atomic():
        mark, created = RollupMark.objects.select_for_update().get_or_create(
            name=NAME, defaults={"at": now}
        )
        if only_if_older is not None and not created and now - mark.at < only_if_older:
            return None
        if created:
            since = None  # never counted: count everything
        start = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        if since is not None:
            start = dt.datetime.combine(since, dt.time(), tzinfo=LOCAL_TZ)
        params = [db_datetime(start)]
        old = DemandDay.objects.all()
        if since is not None:
            old = old.filter(day__gte=since)
        old.delete()
        with connection.cursor() as cur:
            cur.execute(sql, [db_datetime(now), *params])
            n = cur.rowcount
        mark.at = now
        mark.save(update_fields=["at"])
    return n


def refresh_due(*, now) -> int | None:
    """For the worker's schedule: recount recent days when the last count is older than EVERY."""
    return refresh(now=now, only_if_older=EVERY)
