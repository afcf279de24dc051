"""Writers: client applications and keys (admins, audited), and the two things a client may
send: a service request (which becomes an ordinary Demand through demands.services) and an
update (a public note on the demand; it never changes the demand's status)."""

from __future__ import annotations

import secrets
import threading
import time

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from shaobao.audit.services import deferred, record
from shaobao.core import validate as V
from shaobao.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from shaobao.demands.models import KINDS
from shaobao.demands.services import demand_note_add, demand_receive
from shaobao.duties.models import Matter
from shaobao.open311 import selectors as Q
from shaobao.open311.models import ClientApp, Open311Request, Open311Update, key_digest
from shaobao.open311.render import Open311Error
from shaobao.org import roles as R
from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import SYSTEM, Actor

DEMO_KEY = "demo-open311-key"
DEMO_NAME = "演示应用 Demo app"
MAX_DESCRIPTION = 4000
MAX_UPDATE = 1000


# ---- client applications -----------------------------------------------------------------


def _district(code) -> Jurisdiction:
    d = Jurisdiction.objects.filter(
        code=str(code or "")[:6], level=Jurisdiction.DISTRICT, active=True
    ).first()
    if d is None:
        raise InvalidInput(_("区无效"), fields={"district": "invalid"})
    return d


def _may_admin(actor: Actor, district: Jurisdiction) -> None:
    if actor is SYSTEM:
        return
    if not actor.covers({R.ADMIN}, district.code):
        raise PermissionDenied()


@transaction.atomic
def client_create(*, actor: Actor, name, district_code, key=None, now) -> tuple[ClientApp, str]:
    """A new client application; the key is returned once and only its hash is kept."""
    name = V.text(name, _("应用名称"), max_len=100)
    district = _district(district_code)
    _may_admin(actor, district)
    key = V.text(key, _("密钥"), max_len=200, required=False) or secrets.token_urlsafe(32)
    if len(key) < 12:
        raise InvalidInput(_("密钥至少12个字符"), fields={"key": "too_short"})
    digest = key_digest(key)
    if ClientApp.objects.filter(key_hash=digest).exists():
        raise InvalidInput(_("该密钥已被使用"), fields={"key": "taken"})
    client = ClientApp.objects.create(
        name=name, key_hash=digest, key_prefix=key[:4], district=district, created_at=now
    )
    record(
        actor=actor,
        action="open311.client_create",
        obj=client,
        data={"name": name, "district": district.code},
        now=now,
    )
    return client, key


@transaction.atomic
def client_disable(*, actor: Actor, client_id, now) -> ClientApp:
    client = (
        ClientApp.objects.select_for_update()
        .select_related("district")
        .filter(pk=V.pk(client_id))
        .first()
    )
    if client is None:
        raise NotFound()
    _may_admin(actor, client.district)
    if client.active:
        client.active, client.disabled_at = False, now
        client.save(update_fields=["active", "disabled_at"])
        record(actor=actor, action="open311.client_disable", obj=client, data={}, now=now)
    return client


def ensure_demo_client(*, now=None, district_code=None) -> ClientApp:
    """The demo's client, whose key is exactly `demo-open311-key`. Idempotent."""
    from shaobao.core.timeutil import now as clock

    existing = ClientApp.objects.filter(key_hash=key_digest(DEMO_KEY)).first()
    if existing is not None:
        return existing
    if district_code is None:
        first = (
            Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT, active=True)
            .order_by("code")
            .first()
        )
        if first is None:
            raise InvalidInput(_("尚无区划，无法创建演示应用"))
        district_code = first.code
    client, _key = client_create(
        actor=SYSTEM, name=DEMO_NAME, district_code=district_code, key=DEMO_KEY, now=now or clock()
    )
    return client


# ---- per-process caches for the POST path --------------------------------------------------
# Every POST looks up its key and its service; both change rarely (an administrator disables a
# key, the duty office edits a matter). Each process keeps what it looked up for CACHE_SECONDS;
# a change saved in this process clears the cache at once, other processes see it within
# CACHE_SECONDS (so a disabled key may be accepted that much longer by other workers).

CACHE_SECONDS = 30.0
_cache: dict[tuple[str, str], tuple[float, object]] = {}
_cache_lock = threading.Lock()


def _cached(kind: str, key: str, load):
    now = time.monotonic()
    hit = _cache.get((kind, key))
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    with _cache_lock:
        if len(_cache) > 10_000:  # unknown keys and codes must not grow it without bound
            _cache.clear()
        _cache[(kind, key)] = (now + CACHE_SECONDS, value)
    return value


def clear_cache(**_kw) -> None:
    with _cache_lock:
        _cache.clear()


def _clear_after_commit(**_kw) -> None:
    # now, and again once the change is committed (meanwhile another thread could load the old
    # row again and keep it for CACHE_SECONDS)
    clear_cache()
    transaction.on_commit(clear_cache)


for _model in (ClientApp, Matter, Jurisdiction):
    post_save.connect(
        _clear_after_commit, sender=_model, dispatch_uid=f"open311-cache-{_model.__name__}"
    )
    post_delete.connect(
        _clear_after_commit, sender=_model, dispatch_uid=f"open311-cache-del-{_model.__name__}"
    )


def client_for_key(key: str) -> ClientApp:
    """The POST gate: a missing, unknown or disabled key is 403."""
    if not key or len(key) > 200:
        raise Open311Error(403, _("缺少或无效的 api_key"))
    digest = key_digest(key)
    client = _cached(
        "client",
        digest,
        lambda: (
            ClientApp.objects.select_related("district")
            .filter(key_hash=digest, active=True)
            .first()
        ),
    )
    if client is None:
        raise Open311Error(403, _("缺少或无效的 api_key"))
    return client


def _matter(code: str) -> Matter | None:
    return _cached("matter", code, lambda: Matter.objects.filter(code=code, active=True).first())


def client_actor(client: ClientApp) -> Actor:
    return Actor(user_id=None, label=f"open311:{client.name}"[:150])


def _scope(client: ClientApp, params) -> Jurisdiction:
    j = Q.jurisdiction(params)
    if j is not None and j.pk != client.district_id:
        raise Open311Error(403, _("该 api_key 不能向此辖区提交"))
    return client.district


# ---- requests ----------------------------------------------------------------------------


def _bad(message) -> Open311Error:
    return Open311Error(400, message)


def _url(value: str, field: str) -> str:
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise _bad(_("“%(f)s”须为 http(s) 网址") % {"f": field}) from None
    return value


def _attributes(params, matter: Matter) -> dict:
    """`attribute[CODE]` (and `attribute[CODE][]` for multi-value lists) per the definition."""
    out = {}
    for attr in Q.service_attributes(matter):
        code, multi = attr["code"], attr["datatype"] == "multivaluelist"
        single = params.getlist(f"attribute[{code}]")
        many = params.getlist(f"attribute[{code}][]")
        values = [v.strip() for v in single + many if isinstance(v, str) and v.strip()]
        if not values:
            if attr["required"]:
                raise _bad(_("缺少必填属性 attribute[%(c)s]") % {"c": code})
            continue
        if len(values) > 1 and not multi:
            raise _bad(_("属性 attribute[%(c)s] 只能有一个值") % {"c": code})
        keys = {v["key"] for v in attr.get("values", [])}
        if attr["datatype"] in ("singlevaluelist", "multivaluelist") and any(
            v not in keys for v in values
        ):
            raise _bad(_("属性 attribute[%(c)s] 的取值无效") % {"c": code})
        if any(len(v) > 4000 for v in values):
            raise _bad(_("属性 attribute[%(c)s] 过长") % {"c": code})
        out[code] = values if multi else values[0]
    return out


def _caller_name(first: str, last: str) -> str:
    if not (first or last):
        return ""
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first  # 姓在前
    return " ".join(x for x in (first, last) if x)


def _location(params, district: Jurisdiction):
    lat, lng = Q.arg(params, "lat", 40), Q.arg(params, "long", 40)
    address = Q.arg(params, "address_string", 4000)
    address_id = Q.arg(params, "address_id", 40)
    if bool(lat) != bool(lng):
        raise _bad(_("lat 与 long 须同时提供"))
    if not (lat or address or address_id):
        raise _bad(_("须提供位置：lat 和 long、address_string 或 address_id 之一"))
    if lat:
        try:
            lat_f, lng_f = float(lat), float(lng)
        except ValueError:
            raise _bad(_("lat/long 须为数字")) from None
        if not (-90 <= lat_f <= 90 and -180 <= lng_f <= 180) or lat_f != lat_f or lng_f != lng_f:
            raise _bad(_("lat/long 超出范围"))
        lat, lng = lat_f, lng_f
    else:
        lat = lng = None
    if len(address) > 200:
        raise _bad(_("address_string 不能超过200个字"))
    township_id = None
    if address_id:
        # Our address ids are area codes: a township (9), community (12) or grid (15 digits).
        place = Jurisdiction.objects.filter(
            code=address_id, code__startswith=district.code, active=True
        ).first()
        if place is None or len(address_id) < 9:
            raise _bad(_("未知的 address_id：%(a)s") % {"a": address_id})
        township_id = (
            Jurisdiction.objects.filter(code=address_id[:9], level=Jurisdiction.TOWNSHIP)
            .values_list("pk", flat=True)
            .first()
        )
        address = address or place.name
    return lat, lng, address, address_id, township_id


def _wait_until_durable(req: Open311Request) -> None:
    """Return once the transaction just committed is on disk (PostgreSQL; a no-op elsewhere).

    A one-statement transaction that writes WAL (a key-share lock on the request's own row,
    which nothing else locks) commits synchronously, and a synchronous commit flushes the WAL up
    to its own commit record, which lies after ours. Concurrent requests share one flush."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as c:
            c.execute("SELECT 1 FROM open311_open311request WHERE id = %s FOR KEY SHARE", [req.pk])


def request_create(*, params, now) -> Open311Request:
    """POST requests: validate everything at the edge, then one short transaction: the Demand
    (through demands.services.demand_receive: stored, logged and audited as received, marked
    for the intake worker, which routes it, links repeats and dispatches) and its Open311 side.
    The number and token are answered at once; the demand's handling follows within seconds."""
    client = client_for_key(Q.arg(params, "api_key", 300))
    district = _scope(client, params)
    code = Q.arg(params, "service_code", 40)
    if not code:
        raise _bad(_("缺少 service_code"))
    matter = _matter(code)
    if matter is None:
        raise Open311Error(404, _("未知的服务：%(c)s") % {"c": code})
    lat, lng, address, address_id, township_id = _location(params, district)
    attributes = _attributes(params, matter)
    description = Q.arg(params, "description", 100_000)
    if len(description) > MAX_DESCRIPTION:
        raise _bad(_("description 不能超过4000个字"))
    email = Q.arg(params, "email", 200)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _bad(_("email 无效")) from None
    first, last = Q.arg(params, "first_name", 50), Q.arg(params, "last_name", 50)
    name = _caller_name(first, last)
    if len(name) > 50:
        raise _bad(_("姓名过长"))
    phone = Q.arg(params, "phone", 20)
    media_url = _url(Q.arg(params, "media_url", 500), "media_url")
    device_id, account_id = Q.arg(params, "device_id", 100), Q.arg(params, "account_id", 100)
    zipcode = Q.arg(params, "zipcode", 10)
    kind = attributes.get(Q.KIND_ATTRIBUTE) or Q.DEFAULT_KIND
    if kind not in dict(KINDS):
        raise _bad(_("诉求类型无效"))
    actor = client_actor(client)
    outermost = not transaction.get_connection().in_atomic_block
    try:
        # The transaction ends by chaining its audit entry, i.e. holding the chain-head row
        # lock every audited write waits for; a synchronous COMMIT would hold it through the
        # disk's flush (≈ 3 ms here), which alone caps audited writes at ≈ 300 per second. So
        # the COMMIT does not wait for the flush, and `_wait_until_durable` waits for it after
        # the lock is released, alongside other requests (group commit). The client is answered
        # only after that, so a 201 is never lost.
        with transaction.atomic(), deferred(commit_without_waiting=outermost):
            demand = demand_receive(
                actor=actor,
                source="OPEN311",
                kind=kind,
                text=description or matter.path,
                subject=matter.name,
                district=district,
                caller_name=name,
                caller_phone=phone,
                caller_email=email,
                address=address,
                lat=lat,
                lng=lng,
                township_id=township_id,
                # The client and its chosen service go into the one creation entry.
                audit_data={"channel": "open311", "client": client.pk, "service_code": code},
                now=now,
            )
            req = Open311Request.objects.create(
                demand=demand,
                client=client,
                matter=matter,
                address_id=address_id,
                zipcode=zipcode,
                device_id=device_id,
                account_id=account_id,
                media_url=media_url,
                attributes=attributes,
            )
    except DomainError as e:
        if e.status == 404:
            raise Open311Error(404, e.message) from None
        raise Open311Error(400, e.message) from None
    if outermost:
        try:
            _wait_until_durable(req)
        except DatabaseError:
            # The demand is committed; only the confirmation that it is on disk failed (e.g.
            # the connection dropped). Any later synchronous commit covers ours: try once more
            # on a fresh connection, and never answer "bad request" for a stored demand.
            connection.close()
            try:
                _wait_until_durable(req)
            except DatabaseError:
                raise Open311Error(
                    503, _("暂时无法确认受理结果，请稍后按 token 查询，不要重复提交")
                ) from None
    return req


# ---- updates -----------------------------------------------------------------------------


def update_create(*, params, now) -> tuple[Open311Update, bool]:
    """POST servicerequestupdates: a client's update becomes a public note, once per update_id.
    Answers (update, created)."""
    client = client_for_key(Q.arg(params, "api_key", 300))
    district = _scope(client, params)
    update_id = Q.arg(params, "update_id", 100)
    if not update_id:
        raise _bad(_("缺少 update_id"))
    seen = Open311Update.objects.filter(client=client, client_update_id=update_id).first()
    if seen is not None:
        return seen, False
    number = Q.arg(params, "service_request_id", 40)
    if not number:
        raise _bad(_("缺少 service_request_id"))
    pk = Q.parse_number(number)
    req = (
        Open311Request.objects.select_related("demand")
        .filter(demand_id=pk, demand__district=district)
        .first()
        if pk
        else None
    )
    if req is None:
        raise Open311Error(404, _("未找到服务请求：%(n)s") % {"n": number})
    description = Q.arg(params, "description", 100_000)
    if not description:
        raise _bad(_("缺少 description"))
    if len(description) > MAX_UPDATE:
        raise _bad(_("description 不能超过1000个字"))
    if "\x00" in description:
        raise _bad(_("description 含有无效字符"))
    status = Q.arg(params, "status", 40).lower()
    media_url = _url(Q.arg(params, "media_url", 500), "media_url")
    actor = client_actor(client)
    try:
        with transaction.atomic():
            event = demand_note_add(
                demand=req.demand,
                note=description,
                kind="client_update",
                public=True,
                actor=actor,
                now=now,
            )
            upd = Open311Update.objects.create(
                client=client,
                client_update_id=update_id,
                demand=req.demand,
                event=event,
                status=status,
                media_url=media_url,
                received_at=now,
            )
            record(
                actor=actor,
                action="open311.update",
                obj=req.demand,
                data={"client": client.pk, "update_id": update_id, "event": event.pk},
                now=now,
            )
    except IntegrityError:
        # The same update_id raced in: answer with the one that won.
        return Open311Update.objects.get(client=client, client_update_id=update_id), False
    return upd, True
