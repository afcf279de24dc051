"""Readers: services from active Matters, requests and updates from Demands filed through
Open311. Nothing here ever reads the caller's name, phone or e-mail."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from shaobao.core.workdays import LOCAL_TZ
from shaobao.demands.models import KINDS, Callback, Demand, DemandEvent, parse_number
from shaobao.duties.models import Matter
from shaobao.open311.models import Open311Request, Open311Update
from shaobao.open311.render import Open311Error
from shaobao.org.models import Jurisdiction

MAX_PAGE_SIZE = 1000
DEFAULT_DAYS = 90
MAX_LIST = 1000

CLOSED_STATUSES = {Demand.CLOSED, Demand.CLOSED_BY_ROUTE, Demand.DUPLICATE}
OPEN_STATUSES = {Demand.RECEIVED, Demand.DISPATCHED, Demand.RESPONDED}

# The one attribute every service has: the demand's kind (诉求类型), optional.
KIND_ATTRIBUTE = "kind"
DEFAULT_KIND = "COMPLAINT"


def fmt_dt(value: dt.datetime | None) -> str | None:
    """`YYYY-MM-DDThh:mm:ss+08:00`: offset always, whole seconds only."""
    if value is None:
        return None
    return value.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


def core_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


# ---- arguments ---------------------------------------------------------------------------


def arg(params, name: str, max_len: int = 200) -> str:
    """An empty optional argument means absent; a repeated one takes the last value."""
    value = params.get(name, "")
    if not isinstance(value, str):
        value = ""
    value = value.strip()
    if len(value) > max_len:
        raise Open311Error(400, _("参数“%(n)s”过长") % {"n": name})
    return value


def comma_list(params, name: str, *, item_len: int = 40, max_items: int = MAX_LIST) -> list[str]:
    raw = arg(params, name, max_len=max_items * (item_len + 1))
    items = [x.strip() for x in raw.split(",") if x.strip()]
    if len(items) > max_items or any(len(x) > item_len for x in items):
        raise Open311Error(400, _("参数“%(n)s”无效") % {"n": name})
    return items


def int_arg(params, name: str, *, default: int, lo: int, hi: int) -> int:
    raw = arg(params, name, max_len=12)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not lo <= int(raw) <= hi:
        raise Open311Error(
            400, _("参数“%(n)s”须为%(lo)s到%(hi)s之间的整数") % {"n": name, "lo": lo, "hi": hi}
        )
    return int(raw)


def date_arg(params, name: str) -> dt.datetime | None:
    raw = arg(params, name, max_len=40)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace(" ", "+") if "T" in raw else raw)
    except ValueError:
        raise Open311Error(
            400, _("参数“%(n)s”须为W3C日期时间，如 2026-01-01T00:00:00+08:00") % {"n": name}
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    if not 1970 <= value.year <= 9000:
        raise Open311Error(400, _("参数“%(n)s”超出范围") % {"n": name})
    return value


def date_range(params, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start, end = date_arg(params, "start_date"), date_arg(params, "end_date")
    try:
        if start is None and end is None:
            end, start = now, now - dt.timedelta(days=DEFAULT_DAYS)
        elif start is None:
            start = end - dt.timedelta(days=DEFAULT_DAYS)
        elif end is None:
            end = max(now, start)
    except OverflowError:
        raise Open311Error(400, _("日期超出范围")) from None
    return start, end


def jurisdiction(params) -> Jurisdiction | None:
    """`jurisdiction_id` (a district's 6-digit code); unknown → 404."""
    code = arg(params, "jurisdiction_id", max_len=40)
    if not code:
        return None
    j = Jurisdiction.objects.filter(code=code, level=Jurisdiction.DISTRICT, active=True).first()
    if j is None:
        raise Open311Error(404, _("未知的 jurisdiction_id：%(c)s") % {"c": code})
    return j


# ---- services ----------------------------------------------------------------------------


def active_matters(district: Jurisdiction | None = None):
    return Matter.objects.filter(active=True).order_by("code")


def service_row(m: Matter) -> dict:
    return {
        "service_code": m.code,
        "service_name": m.name,
        "description": m.path,
        "metadata": True,
        "type": "realtime",
        "keywords": m.keywords or "",
        "group": m.level1,
    }


def kind_attribute() -> dict:
    return {
        "variable": True,
        "code": KIND_ATTRIBUTE,
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": _("诉求类型，不填为“投诉”"),
        "order": 1,
        "description": _("诉求类型"),
        "values": [{"key": k, "name": str(label)} for k, label in KINDS],
    }


def service_attributes(m: Matter) -> list[dict]:
    return [kind_attribute()]


def service_definition(code: str) -> dict:
    m = Matter.objects.filter(code=code, active=True).first()
    if m is None:
        raise Open311Error(404, _("未知的服务：%(c)s") % {"c": code})
    return {"service_code": m.code, "attributes": service_attributes(m)}


# ---- requests ----------------------------------------------------------------------------


def requests_qs():
    return Open311Request.objects.select_related(
        "demand",
        "demand__district",
        "demand__township",
        "demand__handler_department",
        "demand__handler_township",
        "demand__duplicate_of",
        "demand__matter",
        "matter",
        "client",
    ).annotate(
        last_public=Max("demand__events__at", filter=Q(demand__events__public=True)),
    )


def _hidden(d: Demand) -> bool:
    # A demand closed because it touches secrets or privacy is not published, even its text.
    return d.status == Demand.CLOSED_BY_ROUTE and d.route == "SECRET_OR_PRIVACY"


def service_notice(d: Demand) -> str:
    if d.status in (Demand.DUPLICATE, Demand.CLOSED_BY_ROUTE) and d.reply:
        return d.reply
    if d.deadline_at:
        return _("诉求已受理（编号 %(n)s），已派至%(h)s，办理时限 %(t)s") % {
            "n": d.number,
            "h": d.handler_label,
            "t": d.deadline_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
        }
    return _("诉求已受理（编号 %(n)s），将按《北京市接诉即办工作条例》限时办理") % {"n": d.number}


def status_notes(d: Demand, last_note: str | None) -> str:
    if d.status in (Demand.DUPLICATE, Demand.CLOSED_BY_ROUTE):
        return d.reply
    if d.status in (Demand.RESPONDED, Demand.CLOSED) and d.response:
        return d.response
    return last_note or ""


def request_row(r: Open311Request, *, extensions=False, notes=None) -> dict:
    d = r.demand
    events = notes if notes is not None else []
    updated = max(filter(None, [d.updated_at, getattr(r, "last_public", None)]))
    row = {
        "service_request_id": d.number,
        "status": core_status(d.status),
        "status_notes": status_notes(d, events[-1].note if events else None),
        "service_name": r.matter.name,
        "service_code": r.matter.code,
        "description": None if _hidden(d) else d.text,
        "agency_responsible": d.handler_label or None,
        "service_notice": service_notice(d),
        "requested_datetime": fmt_dt(d.created_at),
        "updated_datetime": fmt_dt(updated),
        "expected_datetime": fmt_dt(d.deadline_at),
        "address": None if _hidden(d) else (d.address or None),
        "address_id": r.address_id or None,
        "zipcode": r.zipcode or None,
        "lat": None if _hidden(d) else d.lat,
        "long": None if _hidden(d) else d.lng,
        "media_url": r.media_url or None,
    }
    if extensions:
        row["extended_attributes"] = {
            "channel": d.source,
            "client": r.client.name,
            "kind": d.kind,
            "district": d.district.code,
            "district_name": d.district.name,
            "township": d.township.code if d.township_id else None,
            "township_name": d.township.name if d.township_id else None,
            "matter": d.matter.code if d.matter_id else None,
            "internal_status": d.status,
            "route": d.route or None,
            "duplicate_of": d.duplicate_of.number if d.duplicate_of_id else None,
            "closed_datetime": fmt_dt(d.closed_at),
        }
        row["notes"] = [
            {"datetime": fmt_dt(e.at), "type": e.kind, "summary": e.note} for e in events
        ]
    return row


def public_events(demand_ids) -> dict[int, list[DemandEvent]]:
    out: dict[int, list[DemandEvent]] = defaultdict(list)
    for e in DemandEvent.objects.filter(demand_id__in=demand_ids, public=True).order_by("at", "pk"):
        out[e.demand_id].append(e)
    return out


def rows(items, *, extensions: bool) -> list[dict]:
    items = list(items)
    events = public_events([r.demand_id for r in items])
    return [request_row(r, extensions=extensions, notes=events.get(r.demand_id, [])) for r in items]


def search_requests(params, now: dt.datetime) -> list[Open311Request]:
    qs = requests_qs()
    j = jurisdiction(params)
    if j is not None:
        qs = qs.filter(demand__district=j)
    page = int_arg(params, "page", default=1, lo=1, hi=1_000_000)
    size = int_arg(params, "page_size", default=MAX_PAGE_SIZE, lo=1, hi=MAX_PAGE_SIZE)
    ids = comma_list(params, "service_request_id", item_len=30)
    if ids:
        pks = [pk for pk in map(parse_number, ids) if pk is not None]
        qs = qs.filter(demand_id__in=pks)
    else:
        codes = comma_list(params, "service_code", item_len=30, max_items=200)
        if codes:
            qs = qs.filter(matter__code__in=codes)
        statuses = comma_list(params, "status", item_len=10, max_items=2)
        if any(s.lower() not in ("open", "closed") for s in statuses):
            raise Open311Error(400, _("status 只能是 open 或 closed"))
        wanted = {s.lower() for s in statuses}
        if wanted == {"open"}:
            qs = qs.filter(demand__status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            qs = qs.filter(demand__status__in=CLOSED_STATUSES)
        start, end = date_range(params, now)
        qs = qs.filter(demand__created_at__gte=start, demand__created_at__lte=end)
    qs = qs.order_by("-demand__created_at", "-demand_id")
    offset = (page - 1) * size
    return list(qs[offset : offset + size])


def one_request(number: str) -> Open311Request:
    pk = parse_number(number)
    r = requests_qs().filter(demand_id=pk).first() if pk else None
    if r is None:
        raise Open311Error(404, _("未找到服务请求：%(n)s") % {"n": number[:40]})
    return r


def by_token(token: str) -> Open311Request:
    try:
        value = uuid.UUID(token)
    except (ValueError, AttributeError, TypeError):
        value = None
    r = Open311Request.objects.select_related("demand").filter(demand__token=value).first()
    if value is None or r is None:
        raise Open311Error(404, _("未找到令牌"))
    return r


# ---- updates (mySociety extension) -------------------------------------------------------

ROUTE_STATUS = {
    "OUTSIDE_REMIT": "not_councils_responsibility",
    "OTHER_CHANNEL": "not_councils_responsibility",
    "EMERGENCY": "internal_referral",
    "REPEAT": "duplicate",
}
EVENT_STATUS = {
    "received": "open",
    "dispatched": "in_progress",
    "contacted": "in_progress",
    "responded": "in_progress",
    "duplicate": "duplicate",
}


def _event_status(e: DemandEvent, demand: Demand, callbacks, previous: str) -> str:
    if e.kind in EVENT_STATUS:
        return EVENT_STATUS[e.kind]
    if e.kind == "closed_by_route":
        return ROUTE_STATUS.get(demand.route, "closed")
    if e.kind == "callback":
        cb = next((c for c in callbacks if c.at == e.at), None)
        if cb is None or not cb.reached:
            return previous
        return "fixed" if cb.solved else "closed"
    return previous


def search_updates(params, now: dt.datetime) -> list[dict]:
    qs = DemandEvent.objects.filter(public=True, demand__open311__isnull=False)
    j = jurisdiction(params)
    if j is not None:
        qs = qs.filter(demand__district=j)
    ids = comma_list(params, "service_request_id", item_len=30)
    if ids:
        qs = qs.filter(demand_id__in=[pk for pk in map(parse_number, ids) if pk is not None])
    start, end = date_range(params, now)
    qs = qs.filter(at__gte=start, at__lte=end)
    page = int_arg(params, "page", default=1, lo=1, hi=1_000_000)
    size = int_arg(params, "page_size", default=MAX_PAGE_SIZE, lo=1, hi=MAX_PAGE_SIZE)
    offset = (page - 1) * size
    chosen = list(qs.order_by("at", "pk")[offset : offset + size])
    demand_ids = {e.demand_id for e in chosen}
    demands = Demand.objects.in_bulk(demand_ids)
    callbacks = defaultdict(list)
    for c in Callback.objects.filter(demand_id__in=demand_ids):
        callbacks[c.demand_id].append(c)
    status_of: dict[int, str] = {}
    for did, evs in public_events(demand_ids).items():
        current = "open"
        for e in evs:
            current = _event_status(e, demands[did], callbacks[did], current)
            status_of[e.pk] = current
    media = dict(
        Open311Update.objects.filter(event_id__in=[e.pk for e in chosen]).values_list(
            "event_id", "media_url"
        )
    )
    return [
        {
            "update_id": str(e.pk),
            "service_request_id": demands[e.demand_id].number,
            "status": status_of.get(e.pk, "open"),
            "updated_datetime": fmt_dt(e.at),
            "description": e.note,
            "media_url": media.get(e.pk) or None,
        }
        for e in chosen
    ]
