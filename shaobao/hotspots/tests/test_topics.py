"""Monthly topic candidates (每月一题), by hand: October 2026 is the last full month before T0."""

import datetime as dt

import pytest

from shaobao.core.workdays import LOCAL_TZ
from shaobao.demands.models import Callback, Demand
from shaobao.hotspots.selectors import last_full_month, monthly_topics

from .conftest import add_demands

pytestmark = pytest.mark.django_db


def at(m, d, h=10):
    return dt.datetime(2026, m, d, h, tzinfo=LOCAL_TZ)


def test_last_full_month():
    assert last_full_month(dt.date(2026, 11, 25)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert last_full_month(dt.date(2026, 1, 1)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_ranking_townships_change_and_satisfaction(world, t0, street_grid):
    rubbish, building = world.matters["CX-HJ-01"], world.matters["CX-WJ-01"]
    a, b, c = add_demands(world, place=world.grid, matter=rubbish, at=at(10, 10), n=3)
    add_demands(world, place=street_grid, matter=rubbish, at=at(10, 31, 23))  # last evening
    add_demands(world, place=world.grid, matter=rubbish, at=at(9, 30))  # September: 1
    add_demands(world, place=world.grid, matter=rubbish, at=at(11, 1, 0))  # November: not
    original = Demand.objects.filter(matter=rubbish).first()
    add_demands(
        world,
        place=world.grid,
        matter=rubbish,
        at=at(10, 11),
        n=4,
        status=Demand.DUPLICATE,
        duplicate_of=original,
    )  # repeats: never counted
    add_demands(world, place=world.grid, matter=building, at=at(10, 5), n=2)
    add_demands(world, place=world.grid, matter=building, at=at(9, 5), n=2)
    op = world.users["operator"]
    # a: satisfied; b: basic (0.8), corrected from unsatisfied (the latest version counts);
    # c: not reached → not rated
    Callback.objects.create(demand=a, reached=True, satisfaction="SATISFIED", by=op, at=t0)
    Callback.objects.create(demand=b, reached=True, satisfaction="UNSATISFIED", by=op, at=t0)
    Callback.objects.create(demand=b, version=2, reached=True, satisfaction="BASIC", by=op, at=t0)
    Callback.objects.create(demand=c, reached=False, by=op, at=t0)
    r = monthly_topics(world.district, today=t0.date())
    assert r["month"] == dt.date(2026, 10, 1)
    first, second = r["topics"]
    assert (first.matter, first.count, first.townships, first.previous) == (rubbish, 4, 2, 1)
    assert first.change == 3.0  # 4 vs 1: +300 %
    assert first.rated == 2 and first.satisfaction_rate == pytest.approx(0.9)
    assert (second.matter, second.count, second.townships, second.change) == (building, 2, 1, 0.0)
    assert second.satisfaction_rate is None
