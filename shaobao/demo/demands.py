"""Demo demands (接诉即办): two months of calls and web messages about the demo district's
matters, driven through the real services with simulated time, so the operator's, handlers' and
citizens' pages have content. Run after the router is trained, so that routing is realistic."""

from __future__ import annotations

import datetime as dt
import random

from shaobao.core.timeutil import work_calendar
from shaobao.demands import services as S
from shaobao.demands.models import Demand
from shaobao.demands.routes import ROUTES
from shaobao.demo.seed import GIVEN, ROADS, SPOTS, SURNAMES, TEXTS
from shaobao.duties.selectors import owners_for
from shaobao.org import roles as R
from shaobao.org.models import Jurisdiction, Membership, User
from shaobao.org.scoping import actor_for

OPENINGS = ["您好，我要反映一个问题：", "我是附近居民，", "你好，", "多次反映没人管，", ""]
CLOSINGS = ["希望尽快处理。", "请相关部门管一管。", "谢谢！", "已经好几天了。", ""]
KINDS = (
    ["COMPLAINT"] * 5 + ["HELP"] * 2 + ["REPORT_OF_VIOLATION"] * 2 + ["SUGGESTION", "CONSULTATION"]
)


def _text(rng, code, place):
    titles, bodies = TEXTS[code]
    fill = {"p": place, "a": place, "n": rng.randint(2, 60)}
    body = rng.choice(bodies).format(**fill)
    return rng.choice(OPENINGS) + body + rng.choice(CLOSINGS), rng.choice(titles).format(**fill)


def _handler_actor(demand: Demand):
    if demand.handler_department_id:
        m = (
            Membership.objects.filter(
                department_id=demand.handler_department_id,
                role=R.DEPARTMENT_DISPATCHER,
                active=True,
            )
            .select_related("user")
            .first()
        )
    elif demand.handler_township_id:
        m = (
            Membership.objects.filter(
                jurisdiction_id=demand.handler_township_id, role=R.TOWNSHIP_STAFF, active=True
            )
            .select_related("user")
            .first()
        )
    else:
        m = (
            Membership.objects.filter(role=R.DISTRICT_SUPERVISOR, active=True)
            .select_related("user")
            .first()
        )
    return actor_for(m.user) if m else None


def seed_demands(
    *, now: dt.datetime, count: int = 400, days: int = 60, rng_seed: int = 311
) -> dict:
    rng = random.Random(rng_seed)
    cal = work_calendar()
    operator = actor_for(User.objects.get(username="operator"))
    district = Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT).order_by("code").first()
    towns = list(
        Jurisdiction.objects.filter(level=Jurisdiction.TOWNSHIP, code__startswith=district.code)
    )
    codes = [
        c for c in TEXTS if owners_for(matter=_matter(c), at=now, district_code=district.code)[0]
    ]
    start = now - dt.timedelta(days=days)
    times = sorted(start + dt.timedelta(seconds=rng.uniform(0, days * 86400)) for _ in range(count))
    for t in times:
        t = t.replace(microsecond=0)
        town = rng.choice(towns)
        place = f"{town.name}{rng.choice(ROADS)}{rng.choice(SPOTS)}"
        code = rng.choice(codes)
        text, subject = _text(rng, code, place)
        phone = "13" + "".join(str(rng.randint(0, 9)) for _ in range(9))
        d = S.demand_create(
            actor=operator,
            source=rng.choice(["HOTLINE"] * 4 + ["WEB"]),
            kind=rng.choice(KINDS),
            text=text,
            subject=subject,
            caller_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            caller_phone=phone,
            address=place,
            township_id=town.pk,
            district_code=district.code,
            now=t,
            cal=cal,
        )
        if d.status == Demand.RECEIVED:
            r = rng.random()
            t1 = t + dt.timedelta(minutes=rng.randint(2, 20))
            if r < 0.1 or d.kind == "CONSULTATION":
                S.demand_close_by_route(
                    actor=operator, demand_id=d.pk, route=rng.choice(ROUTES)[0], now=t1
                )
                continue
            if t1 > now:
                continue  # still waiting in the operator's queue
            if r < 0.75:
                duty, _l = owners_for(matter=_matter(code), at=t1, district_code=district.code)
                S.demand_dispatch(
                    actor=operator,
                    demand_id=d.pk,
                    matter_id=_matter(code).pk,
                    department_id=duty.lead_department_id,
                    now=t1,
                    cal=cal,
                )
            elif r < 0.93:
                S.demand_dispatch(
                    actor=operator,
                    demand_id=d.pk,
                    matter_id=_matter(code).pk,
                    township_id=town.pk,
                    now=t1,
                    cal=cal,
                )
            else:
                S.demand_dispatch(actor=operator, demand_id=d.pk, to_district=True, now=t1, cal=cal)
        d.refresh_from_db()
        if d.status != Demand.DISPATCHED:
            continue
        handler = _handler_actor(d)
        t2 = d.dispatched_at + dt.timedelta(hours=rng.uniform(0.3, 30))
        if handler is None or t2 > now:
            continue
        S.demand_contact(actor=handler, demand_id=d.pk, now=t2)
        t3 = t2 + dt.timedelta(hours=rng.uniform(1, 96))
        if t3 > now:
            continue
        S.demand_respond(
            actor=handler,
            demand_id=d.pk,
            response=rng.choice(
                ["已到现场处置完毕", "已联系责任单位整改", "已清理完毕并加强巡查", "已立案查处"]
            ),
            now=t3,
        )
        t4 = max(t3 + dt.timedelta(hours=rng.uniform(2, 48)), d.deadline_at or t3)
        if t4 > now:
            continue
        solved = rng.random() < 0.9
        S.callback_record(
            actor=operator,
            demand_id=d.pk,
            reached=rng.random() < 0.95,
            solved=solved,
            satisfaction=rng.choice(["SATISFIED"] * 8 + ["BASIC"] * 2)
            if solved
            else rng.choice(["BASIC", "UNSATISFIED"]),
            now=t4,
        )
    return {"demands": Demand.objects.count()}


_MATTERS: dict = {}


def _matter(code):
    from shaobao.duties.models import Matter

    if code not in _MATTERS:
        _MATTERS[code] = Matter.objects.get(code=code)
    return _MATTERS[code]
