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
    hot = _seed_hotspots(rng, now=now, operator=operator, district=district, cal=cal)
    return {"demands": Demand.objects.count(), "hotspots": hot}


# Hot spots (shaobao/hotspots): located demands in the last week, so detection finds a grid hot
# spot and a community one at 金海湖镇 (the cast commander's) and one at 兴谷街道. Distinct texts,
# so that none is taken for a repeat of another.
BURSTS = [
    (
        "110117104201001",
        "CX-HJ-01",
        [
            "海子村东口垃圾桶满了好几天没人清运，味道很大",
            "村委会后面空地上有人倒生活垃圾，越堆越多",
            "海子村小学门口路边一堆装修垃圾，孩子上学要绕着走",
            "村里主路两侧塑料袋和剩饭到处都是，苍蝇很多",
            "海子村北侧沟边有人偷倒垃圾，已经堆成小山了",
            "小卖部旁的垃圾池冒出来了，一周没见收垃圾的车",
            "文化广场角落堆着旧家具和垃圾，晚上还有人焚烧",
        ],
    ),
    (
        "110117104201001",
        "SW-HD-01",
        ["河边有人堆放砂石料挡住了河道", "桥下河滩上堆满了建筑废料", "河道护坡上被人堆了好多秸秆"],
    ),
    (
        "110117104201002",
        "SW-HD-01",
        [
            "海子水库下游河道里扔着废旧轮胎",
            "沿河步道旁堆放的木料已经滑进河里",
            "河道拐弯处被人倒了几车渣土",
        ],
    ),
    (
        "110117001001001",
        "SC-SP-01",
        [
            "小区门口新开的熟食摊没有营业执照",
            "早市上有人卖自制豆腐，没有任何证照",
            "楼下小饭馆一直无证经营，后厨很脏",
            "街角流动烧烤摊天天出摊，没有许可证",
            "社区里有人在家做蛋糕对外卖，没有食品经营许可",
            "菜市场旁边的无证小作坊在加工腌菜",
        ],
    ),
]


def _point_in(j, rng):
    """A random point inside a jurisdiction's outline (its centre when it has none)."""
    from shapely.geometry import Point, shape

    from shaobao.places.models import Boundary

    b = Boundary.objects.filter(jurisdiction=j).first()
    if b is None:
        return None
    poly = shape(b.geometry)
    for _ in range(50):
        p = Point(rng.uniform(b.min_lng, b.max_lng), rng.uniform(b.min_lat, b.max_lat))
        if poly.contains(p):
            return round(p.y, 6), round(p.x, 6)
    p = poly.representative_point()
    return round(p.y, 6), round(p.x, 6)


def _seed_hotspots(rng, *, now, operator, district, cal) -> int:
    from shaobao.core.workdays import LOCAL_TZ
    from shaobao.hotspots.services import hotspots_detect

    for code, matter_code, texts in BURSTS:
        grid = Jurisdiction.objects.filter(code=code).first()
        matter = _matter(matter_code)
        duty, _l = owners_for(matter=matter, at=now, district_code=district.code)
        if grid is None or duty is None:
            continue
        for i, text in enumerate(texts):
            where = _point_in(grid, rng)
            if where is None:
                continue
            t = (now - dt.timedelta(days=1 + i % 6, hours=rng.uniform(0, 8))).replace(microsecond=0)
            d = S.demand_create(
                actor=operator,
                source="HOTLINE",
                kind="COMPLAINT",
                text=text,
                caller_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                caller_phone="13" + "".join(str(rng.randint(0, 9)) for _ in range(9)),
                address=grid.name,
                lat=where[0],
                lng=where[1],
                district_code=district.code,
                now=t,
                cal=cal,
            )
            if d.status == Demand.RECEIVED:
                S.demand_dispatch(
                    actor=operator,
                    demand_id=d.pk,
                    matter_id=matter.pk,
                    department_id=duty.lead_department_id,
                    now=t + dt.timedelta(minutes=5),
                    cal=cal,
                )
    counts = hotspots_detect(district=district, today=now.astimezone(LOCAL_TZ).date(), now=now)
    return counts["found"]


_MATTERS: dict = {}


def _matter(code):
    from shaobao.duties.models import Matter

    if code not in _MATTERS:
        _MATTERS[code] = Matter.objects.get(code=code)
    return _MATTERS[code]
