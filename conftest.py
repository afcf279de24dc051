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


@pytest.fixture
def actors(world):
    class Actors(dict):
        def __getattr__(self, name):
            return self[name]

    return Actors({name: actor_for(u) for name, u in world.users.items()})


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The cast logs in often; a strong hasher would make every test pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Pages may cache slow, stable figures (hot spots' monthly topics); tests start empty.
    from django.core.cache import cache

    cache.clear()
