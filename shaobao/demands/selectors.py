"""Reads over demands, always scoped by the caller."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext as _

from shaobao.core.errors import InvalidInput
from shaobao.core.workdays import LOCAL_TZ
from shaobao.demands.models import KINDS, SOURCES, Demand, DemandObjection, parse_number
from shaobao.demands.permissions import demands_visible_to, handled_by
from shaobao.org import roles as R
from shaobao.org.scoping import Actor, prefix_q

# The demand list's filters: the page's GET parameters and what an export job stores.
LIST_PARAMS = ("status", "source", "kind", "from", "to", "q", "mine")


def clean_list_params(params) -> dict:
    """The filters in canonical form, every key present ("" = not filtered): status, source
    and kind (codes), from and to (local dates YYYY-MM-DD, both inclusive), q (a demand
    number, SQ…) and mine ("1": dispatched to the viewer's unit, waiting for it). Anything
    else, or a value that is not one of these, raises InvalidInput naming the field."""
    if not isinstance(params, dict) or set(params) - set(LIST_PARAMS):
        raise InvalidInput()
    out = {}
    for key in LIST_PARAMS:
        value = params.get(key, "")
        if not isinstance(value, str) or len(value) > 40:
            raise InvalidInput(_("筛选条件无效"), fields={key: "invalid"})
        out[key] = value.strip()
    for key, choices in (("status", Demand.STATUSES), ("source", SOURCES), ("kind", KINDS)):
        if out[key] and out[key] not in dict(choices):
            raise InvalidInput(_("筛选条件无效"), fields={key: "invalid"})
    for key in ("from", "to"):
        if out[key] and not _is_date(out[key]):
            raise InvalidInput(_("日期格式应为 年-月-日，如 2026-01-31"), fields={key: "invalid"})
    if out["mine"] not in ("", "1"):
        raise InvalidInput(_("筛选条件无效"), fields={"mine": "invalid"})
    if out["from"] and out["to"] and out["from"] > out["to"]:
        raise InvalidInput(_("开始日期不能晚于结束日期"), fields={"from": "after_to"})
    if out["q"]:
        out["q"] = out["q"].upper()
        if parse_number(out["q"]) is None:
            raise InvalidInput(_("请输入诉求编号，如 SQ000000123"), fields={"q": "invalid"})
    return out


# Filter dates outside these years are refused: nothing was filed then, and at the ends of the
# calendar a day's bounds in Beijing time fall outside what datetime can hold.
FILTER_YEARS = range(2000, 2101)


def _is_date(value: str) -> bool:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10 and day.year in FILTER_YEARS  # YYYY-MM-DD, not other ISO forms


def demand_list(*, viewer: Actor, params: dict):
    """The demands `viewer` may see that match the (cleaned) filters, newest first; dates are
    days in Beijing time."""
    qs = demands_visible_to(viewer)
    for key in ("status", "source", "kind"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    if params.get("from"):
        day = dt.date.fromisoformat(params["from"])
        qs = qs.filter(created_at__gte=dt.datetime.combine(day, dt.time(), LOCAL_TZ))
    if params.get("to"):
        day = dt.date.fromisoformat(params["to"]) + dt.timedelta(days=1)
        qs = qs.filter(created_at__lt=dt.datetime.combine(day, dt.time(), LOCAL_TZ))
    if params.get("q"):
        qs = qs.filter(pk=parse_number(params["q"]))
    if params.get("mine") == "1":
        qs = qs.filter(handled_by(viewer), status=Demand.DISPATCHED)
    return qs.order_by("-created_at", "-pk")


def objection_queue(*, viewer: Actor, pending_only=True):
    codes = [
        c[:6] for c in viewer.codes({R.LEGAL_OFFICER, R.INSPECTOR, R.DISTRICT_SUPERVISOR, R.ADMIN})
    ]
    qs = DemandObjection.objects.filter(prefix_q("demand__district__code", codes))
    if pending_only:
        qs = qs.filter(state=DemandObjection.PENDING)
    return qs.select_related(
        "demand", "dispatch__department", "dispatch__township", "claimed_owner"
    ).order_by("rule_by_at")


def handoff_stats(demands, *, since=None) -> dict:
    """Re-dispatches and the time lost per hand-off (objection raised → ruled), over a scoped
    queryset of demands (received `since`, when given). Counted in the database from the
    dispatch log: one grouped pass, not one per statistic (a district-year has ~1.8 million
    dispatches)."""
    from django.db.models import Q, Sum

    from shaobao.demands.models import Dispatch

    if since is not None:
        demands = demands.filter(created_at__gte=since)
    ids = demands.values("pk")
    counts = (
        Dispatch.objects.filter(demand_id__in=ids)
        .values("demand_id")
        .annotate(n=Count("pk"))
        .order_by()
        .aggregate(
            dispatched=Count("demand_id"),
            total=Sum("n"),
            redispatched=Count("demand_id", filter=Q(n__gt=1)),
        )
    )
    dispatched, total = counts["dispatched"] or 0, counts["total"] or 0
    ruled = DemandObjection.objects.filter(demand_id__in=ids, ruled_at__isnull=False)
    lost = [(b - a).total_seconds() / 3600 for a, b in ruled.values_list("raised_at", "ruled_at")]
    return {
        "dispatched_demands": dispatched,
        "redispatched_demands": counts["redispatched"] or 0,
        "redispatches": max(0, total - dispatched),
        "objections_ruled": len(lost),
        "hours_lost_per_handoff": round(sum(lost) / len(lost), 1) if lost else None,
    }


def rates_by_handler(demands, *, basic_weight: float):
    """The three rates per handler over a scoped queryset, counted in the database with the same
    definitions as `rates.three_rates` (a test holds the two together). Each row: handler label,
    counts and the three rates (None where nothing was counted)."""
    from django.db.models import Case, FloatField, OuterRef, Subquery, Sum, Value, When
    from django.db.models import Q as Q_

    from shaobao.demands.models import Callback

    last = Callback.objects.filter(demand=OuterRef("pk")).order_by("-version")
    qs = (
        demands.filter(dispatched_at__isnull=False, excluded=False)
        .annotate(
            cb_reached=Subquery(last.values("reached")[:1]),
            cb_solved=Subquery(last.values("solved")[:1]),
            cb_sat=Subquery(last.values("satisfaction")[:1]),
        )
        .values("handler_department__name", "handler_township__name", "handler_is_district")
        .annotate(
            dispatched=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q_(contacted_at__isnull=False, contacted_at__lte=models_F("deadline_at")),
            ),
            callbacks=Count("pk", filter=Q_(cb_reached=True)),
            solved=Count("pk", filter=Q_(cb_reached=True, cb_solved=True)),
            rated=Count(
                "pk", filter=Q_(cb_reached=True) & ~Q_(cb_sat="") & Q_(cb_sat__isnull=False)
            ),
            satisfied=Sum(
                Case(
                    When(Q_(cb_reached=True, cb_sat="SATISFIED"), then=Value(1.0)),
                    When(Q_(cb_reached=True, cb_sat="BASIC"), then=Value(basic_weight)),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            ),
        )
        .order_by("-dispatched")
    )
    rows = []
    for r in qs:
        label = (
            r["handler_department__name"]
            or r["handler_township__name"]
            or ("区政府" if r["handler_is_district"] else "—")
        )
        rows.append(
            {
                "handler": label,
                **{k: r[k] for k in ("dispatched", "on_time", "callbacks", "solved", "rated")},
                "satisfied": r["satisfied"] or 0.0,
                "response_rate": r["on_time"] / r["dispatched"] if r["dispatched"] else None,
                "resolution_rate": r["solved"] / r["callbacks"] if r["callbacks"] else None,
                "satisfaction_rate": (r["satisfied"] or 0.0) / r["rated"] if r["rated"] else None,
            }
        )
    return rows


def models_F(name):
    from django.db.models import F

    return F(name)
