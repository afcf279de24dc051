"""The named cast of users per role (shaobao/org/cast.py), available to every test."""

import datetime as dt

import pytest

from shaobao.core.workdays import LOCAL_TZ, WorkCalendar
from shaobao.org.scoping import actor_for

# One Playwright session for every browser test, wherever it lives.
pytest_plugins = ["shaobao.testing.browser"]

# A fixed Wednesday morning, so deadline arithmetic in tests never depends on the real clock.
T0 = dt.datetime(2026, 11, 25, 9, 30, tzinfo=LOCAL_TZ)


@pytest.fixture
def t0():
    return T0


@pytest.fixture
def cal():
    return WorkCalendar()


@pytest.fixture
def world(db):
    from shaobao.org.cast import build_world

    return build_world(now=T0)


# Decided cases for the router: three matters, four phrasings each (duties routing and intake).
ROUTER_PHRASES = {
    "CX-WJ-01": ["私搭乱建彩钢房", "院内违法加盖二层", "违建占用公共通道", "楼顶搭建违章建筑"],
    "CX-HJ-01": ["路边暴露垃圾无人清运", "垃圾堆积发臭", "垃圾桶满溢", "小区门口垃圾成堆"],
    "SW-HD-01": ["河道里堆放渣土", "河边倾倒建筑垃圾堵塞河道", "河道乱堆杂物", "沟渠被渣土填埋"],
}


@pytest.fixture
def decided_history(world, actors, t0, settings, tmp_path):
    """24 triaged problems per matter of ROUTER_PHRASES in 金海湖镇 (what `retrain` learns from);
    models go to a temporary VAR_DIR."""
    import random

    from shaobao.problems.services import problem_create, problem_triage

    settings.VAR_DIR = tmp_path
    rng = random.Random(7)
    for code, phrases in ROUTER_PHRASES.items():
        for i in range(24):
            text = rng.choice(phrases) + rng.choice(
                ["，请尽快处理", "，多次反映无果", "，影响居民生活", ""]
            )
            p = problem_create(
                actor=actors.staff,
                township_id=world.town.pk,
                title=text[:10],
                description=f"{text}（第{i}次）",
                address="金海湖镇",
                now=t0,
            )
            problem_triage(
                actor=actors.commander, problem_id=p.pk, matter_id=world.matters[code].pk, now=t0
            )
    return world


@pytest.fixture
def actors(world):
    class Actors(dict):
        def __getattr__(self, name):
            return self[name]

    return Actors({name: actor_for(u) for name, u in world.users.items()})


@pytest.fixture
def hotline_demand(world, actors, t0, cal):
    """shaobao.testing.demands.hotline_demand, at t0 unless `now` is given:
    `hotline_demand(dept="CGZF", text=…)`."""
    from shaobao.testing.demands import hotline_demand as make

    def hotline_demand(*, now=t0, **kw):
        return make(world, actors, now, cal, **kw)

    return hotline_demand


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The cast logs in often; a strong hasher would make every test pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Pages may cache slow, stable figures (hot spots' monthly topics); tests start empty.
    from django.core.cache import cache

    cache.clear()
