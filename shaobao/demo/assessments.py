"""The demo's assessment history: default schemes, published monthly runs for the last months
(so rankings have a trend), the last quarter, and the dashboards' rollup."""

from __future__ import annotations

import datetime as dt

from shaobao.assessments import runs as RUNS
from shaobao.assessments import schemes as SCHEMES
from shaobao.assessments.models import Run
from shaobao.core.workdays import LOCAL_TZ
from shaobao.dashboards import rollup
from shaobao.org import roles as R
from shaobao.org.models import Jurisdiction, Membership
from shaobao.org.scoping import actor_for

MONTHS = 6


def _month_starts(today: dt.date, n: int) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for _i in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def seed_assessments(*, now, district_code: str = "110117") -> int:
    district = Jurisdiction.objects.get(code=district_code, level=Jurisdiction.DISTRICT)
    assessor = (
        Membership.objects.filter(role=R.ASSESSOR, jurisdiction=district)
        .select_related("user")
        .first()
    )
    actor = actor_for(assessor.user)
    today = now.astimezone(LOCAL_TZ).date()
    schemes = SCHEMES.ensure_defaults(actor=actor, district=district, now=now)
    n = 0
    for start in _month_starts(today, MONTHS):
        for scheme in schemes:
            run = RUNS.run_create(
                actor=actor, scheme_id=scheme.pk, period=Run.MONTH, period_start=start, now=now
            )
            RUNS.run_publish(actor=actor, run_id=run.pk, now=now)
            n += 1
    quarter = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last_quarter = (quarter - dt.timedelta(days=1)).replace(day=1)
    last_quarter = last_quarter.replace(month=(last_quarter.month - 1) // 3 * 3 + 1)
    for scheme in schemes:
        run = RUNS.run_create(
            actor=actor, scheme_id=scheme.pk, period=Run.QUARTER, period_start=last_quarter, now=now
        )
        RUNS.run_publish(actor=actor, run_id=run.pk, now=now)
        n += 1
    # this month so far: computed, not yet published (what the office checks before publishing)
    RUNS.run_create(
        actor=actor,
        scheme_id=schemes[1].pk,
        period=Run.MONTH,
        period_start=today.replace(day=1),
        now=now,
    )
    rollup.refresh(now=now, days=None)
    return n + 1
