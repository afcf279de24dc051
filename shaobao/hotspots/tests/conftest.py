"""A district with demands clustered in place and time: the town's grid has a burst of demands
about exposed rubbish (暴露垃圾) in the last week, the street's grid another about illegal
building (私搭乱建); both are new, so both are hot spots."""

import datetime as dt
import itertools

import pytest

from shaobao.demands.models import Demand
from shaobao.org import services as O
from shaobao.org.scoping import SYSTEM

_phones = itertools.count(1)


def add_demands(world, *, place, matter, at, n=1, township=None, text="垃圾堆放无人清运", **kw):
    township = township or (world.street if place.code.startswith("110117001") else world.town)
    return Demand.objects.bulk_create(
        Demand(
            source="HOTLINE",
            kind="COMPLAINT",
            caller_name="张三丰",
            caller_phone=f"1390000{next(_phones):04d}",
            subject=kw.pop("subject", ""),
            text=text,
            address=f"{place.name}门口",
            district=world.district,
            township=township,
            place=place,
            matter=matter,
            status=kw.get("status", Demand.DISPATCHED),
            handler_township=township,
            created_at=at - dt.timedelta(minutes=i),
            updated_at=at,
            **{k: v for k, v in kw.items() if k != "status"},
        )
        for i in range(n)
    )


@pytest.fixture
def street_grid(world, t0):
    O.jurisdiction_create(
        actor=SYSTEM, code="110117001001", name="新平社区", level="COMMUNITY", now=t0
    )
    return O.jurisdiction_create(
        actor=SYSTEM, code="110117001001001", name="新平社区第1网格", level="GRID", now=t0
    )


@pytest.fixture
def clustered(world, t0, street_grid):
    """Town grid: 6 demands about 暴露垃圾 over the last 6 days (+ a repeat, + one today, + 2 in
    the baseline). Street grid: 5 about 私搭乱建 yesterday."""
    rubbish, building = world.matters["CX-HJ-01"], world.matters["CX-WJ-01"]
    for k in range(1, 7):
        add_demands(world, place=world.grid, matter=rubbish, at=t0 - dt.timedelta(days=k))
    original = Demand.objects.filter(place=world.grid).earliest("created_at")
    add_demands(
        world,
        place=world.grid,
        matter=rubbish,
        at=t0 - dt.timedelta(days=2),
        status=Demand.DUPLICATE,
        duplicate_of=original,
    )
    add_demands(world, place=world.grid, matter=rubbish, at=t0)  # today: not in the window
    add_demands(world, place=world.grid, matter=rubbish, at=t0 - dt.timedelta(days=20), n=2)
    add_demands(
        world,
        place=street_grid,
        matter=building,
        at=t0 - dt.timedelta(days=1),
        n=5,
        text="小区内私搭乱建",
    )
    return world
