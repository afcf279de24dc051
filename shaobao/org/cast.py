"""A small named world (one district, two townships, five departments, a user for every role),
shared by the test suite and the demo so both speak of the same people."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from shaobao.duties.models import Duty, DutyList, Matter
from shaobao.org import roles as R
from shaobao.org import services as S
from shaobao.org.scoping import SYSTEM

PASSWORD = "shaobao-demo-2026"

DEPARTMENTS = [
    ("CGZF", "区城市管理综合行政执法局", "城管执法局"),
    ("GA", "区公安分局", "公安分局"),
    ("GHZY", "区规划和自然资源分局", "规划自然资源分局"),
    ("SW", "区水务局", "水务局"),
    ("SCJG", "区市场监督管理局", "市场监管局"),
]

MATTERS = [
    # code, level1, level2, name, tier, lead, assists
    ("CX-WJ-01", "城乡建设", "违法建设", "私搭乱建", "WORKING_20D", "CGZF", ["GHZY"]),
    ("CX-HJ-01", "城乡建设", "市容环境", "暴露垃圾", "WORKING_4H", "CGZF", []),
    ("ZY-KC-01", "资源环境", "矿产资源", "非法采砂采金", "EMERGENCY_2H", "GHZY", ["GA", "SW"]),
    ("SW-HD-01", "水务", "河道管理", "河道乱堆乱放", "ORDINARY_7D", "SW", ["CGZF"]),
    ("SC-SP-01", "市场监管", "食品安全", "无证照经营", "ORDINARY_7D", "SCJG", ["CGZF"]),
]

# username -> (display name, role, scope key); scope keys resolve below.
USERS = {
    "commander": ("王建国", R.TOWNSHIP_COMMANDER, "town"),
    "staff": ("李秀英", R.TOWNSHIP_STAFF, "town"),
    "other_commander": ("赵志强", R.TOWNSHIP_COMMANDER, "street"),
    "cg_head": ("张伟", R.DEPARTMENT_DISPATCHER, "CGZF"),
    "cg_officer": ("刘洋", R.DEPARTMENT_OFFICER, "CGZF"),
    "gh_head": ("陈静", R.DEPARTMENT_DISPATCHER, "GHZY"),
    "gh_officer": ("杨磊", R.DEPARTMENT_OFFICER, "GHZY"),
    "ga_head": ("黄勇", R.DEPARTMENT_DISPATCHER, "GA"),
    "sw_head": ("周敏", R.DEPARTMENT_DISPATCHER, "SW"),
    "supervisor": ("吴刚", R.DISTRICT_SUPERVISOR, "district"),
    "legal": ("徐丽", R.LEGAL_OFFICER, "district"),
    "assessor": ("孙浩", R.ASSESSOR, "district"),
    "inspector": ("马超", R.INSPECTOR, "district"),
    "admin": ("朱琳", R.ADMIN, "district"),
    "operator": ("胡娟", R.OPERATOR, "district"),
    "grid": ("郭强", R.GRID_WORKER, "grid"),
}


def build_world(*, now: dt.datetime) -> SimpleNamespace:
    a = SYSTEM
    district = S.jurisdiction_create(
        actor=a, code="110117", name="平谷区", level="DISTRICT", now=now
    )
    town = S.jurisdiction_create(
        actor=a,
        code="110117104",
        name="金海湖镇",
        level="TOWNSHIP",
        kind="TOWN",
        lat=40.183,
        lng=117.290,
        now=now,
    )
    street = S.jurisdiction_create(
        actor=a,
        code="110117001",
        name="兴谷街道",
        level="TOWNSHIP",
        kind="STREET",
        lat=40.150,
        lng=117.110,
        now=now,
    )
    village = S.jurisdiction_create(
        actor=a, code="110117104201", name="海子村", level="COMMUNITY", now=now
    )
    grid = S.jurisdiction_create(
        actor=a, code="110117104201001", name="海子村第1网格", level="GRID", now=now
    )
    depts = {
        code: S.department_create(
            actor=a, code=code, name=name, short_name=short, district_code="110117", now=now
        )
        for code, name, short in DEPARTMENTS
    }
    duty_list = DutyList.objects.create(
        district=district,
        created_at=now - dt.timedelta(days=400),
        published_at=now - dt.timedelta(days=400),
        version=1,
        status=DutyList.PUBLISHED,
        active_from=now - dt.timedelta(days=400),
        note="2025年版",
    )
    matters = {}
    for code, l1, l2, name, tier, lead, assists in MATTERS:
        m = Matter.objects.create(code=code, level1=l1, level2=l2, name=name, tier=tier)
        duty = Duty.objects.create(
            duty_list=duty_list,
            matter=m,
            lead_department=depts[lead],
            law="《北京市街道办事处条例》",
            article="第五条",
        )
        duty.assist_departments.set([depts[x] for x in assists])
        matters[code] = m
    scopes = {"town": town, "street": street, "district": district, "grid": grid}
    users = {}
    for username, (name, role, scope) in USERS.items():
        u = S.user_create(
            actor=a,
            username=username,
            display_name=name,
            password=PASSWORD,
            phone=f"139{1000_0000 + len(users) * 7919:08d}",
            now=now,
        )
        if scope in depts:
            S.membership_grant(actor=a, user=u, role=role, department=depts[scope], now=now)
        else:
            S.membership_grant(actor=a, user=u, role=role, jurisdiction=scopes[scope], now=now)
        users[username] = u
    return SimpleNamespace(
        district=district,
        town=town,
        street=street,
        village=village,
        grid=grid,
        depts=depts,
        matters=matters,
        duty_list=duty_list,
        users=users,
    )
