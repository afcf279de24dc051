""" "Deadline approaching" reminders: a summons whose report-by or finish-by falls within the
lead time and is not yet met gets one reminder per deadline (the dedupe key names the summons,
the deadline and its value, so a moved deadline gets its own reminder and a second run none).

Reads the whistles app's models; writes only notify's outbox."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shaobao.core.workdays import LOCAL_TZ
from shaobao.notify.conf import conf
from shaobao.notify.services import enqueue
from shaobao.org import roles as R
from shaobao.whistles import workflow as W
from shaobao.whistles.models import Summons, Whistle


def remind_deadlines(*, now: dt.datetime, lead_minutes: dict | None = None) -> int:
    leads = lead_minutes or conf("REMINDER_LEAD_MINUTES")
    made = 0
    for deadline_field, states, mark_field in W.OVERDUE_RULES:
        minutes = leads.get(deadline_field)
        if not minutes:
            continue
        due = (
            Summons.objects.filter(
                state__in=states,
                **{
                    f"{deadline_field}__gt": now,
                    f"{deadline_field}__lte": now + dt.timedelta(minutes=minutes),
                    f"{mark_field}__isnull": True,
                },
            )
            .exclude(whistle__status__in=[Whistle.CLOSED, Whistle.CANCELLED])
            .select_related("whistle", "department")
        )
        for s in due[:5000]:
            at = getattr(s, deadline_field)
            when = at.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
            if s.whistle.is_sealed(now):
                # Nothing about a sealed operation but that it exists, as at issue time.
                title = _("您单位有一项保密行动召集即将到时限，请登录系统查看")
                audience = [R.DEPARTMENT_DISPATCHER]
            else:
                title = (
                    _("即将超过报到时限：%(n)s（%(when)s）")
                    if deadline_field == "report_by_at"
                    else _("即将超过办结时限：%(n)s（%(when)s）")
                ) % {"n": s.whistle.number, "when": when}
                audience = [R.DEPARTMENT_DISPATCHER, R.DEPARTMENT_OFFICER]
            with transaction.atomic():
                made += (
                    enqueue(
                        event="deadline_approaching",
                        dedupe_key=f"deadline_approaching:{s.pk}:{deadline_field}:"
                        f"{at.astimezone(dt.UTC).isoformat()}",
                        title=title,
                        link=f"/summonses/{s.pk}/",
                        department=s.department,
                        audience=audience,
                        urgent=s.whistle.urgency != "NORMAL" or s.whistle.area == "EMERGENCY",
                        now=now,
                    )
                    is not None
                )
    return made


def callbacks_due(*, now: dt.datetime, limit: int = 5000) -> int:
    """Tell the hotline which demands have reached their deadline and wait for a callback
    (回访). One notice per demand (deduplicated), to the district's operators."""
    from shaobao.demands.models import Demand

    due = (
        Demand.objects.filter(
            status__in=["DISPATCHED", "RESPONDED"], deadline_at__lte=now, callbacks__isnull=True
        )
        .select_related("district")
        .order_by("deadline_at")[:limit]
    )
    n = 0
    for demand in due:
        with transaction.atomic():
            if enqueue(
                event="callback_due",
                dedupe_key=f"callback_due:{demand.pk}",
                title=_("待回访：%(n)s") % {"n": demand.number},
                link=f"/demands/{demand.pk}/",
                jurisdiction=demand.district,
                audience=[R.OPERATOR],
                now=now,
            ):
                n += 1
    return n
