import itertools
import time

import pytest
from shapely.geometry import shape

from shaobao.audit.models import AuditEntry
from shaobao.org.models import Jurisdiction
from shaobao.places.demo import demo_boundaries
from shaobao.places.geometry import PREPARED
from shaobao.places.models import Boundary
from shaobao.places.selectors import locate, place_chain


@pytest.fixture
def demo_tree(world, t0):
    """The demo seeder's organisation (16 townships, their villages and grids)."""
    from shaobao.demo.seed import Sim

    sim = Sim(now=t0, scale=0.01, rng_seed=7, stdout=None)
    sim.cast = world.users
    sim.world = world
    # build_org makes its own world through cast.build_world; reuse the test's instead.
    import shaobao.org.cast as cast_module

    original = cast_module.build_world
    cast_module.build_world = lambda now: world
    try:
        sim.build_org()
    finally:
        cast_module.build_world = original
    return sim


def outlines():
    return {
        b.jurisdiction.code: shape(b.geometry)
        for b in Boundary.objects.select_related("jurisdiction")
    }


def test_demo_outlines_nest_without_overlap_and_are_idempotent(demo_tree, t0):
    # The demo's organisation step draws the outlines itself; every active place has one.
    demo_boundaries(now=t0)
    assert Boundary.objects.count() == Jurisdiction.objects.filter(active=True).count() > 100
    geoms = outlines()
    by_parent = {}
    for code, geom in geoms.items():
        assert geom.is_valid and geom.area > 0
        if len(code) > 6:
            parent = geoms[code[:-3]]
            assert parent.buffer(1e-6).covers(geom), code
            by_parent.setdefault(code[:-3], []).append(geom)
    for siblings in by_parent.values():
        for a, b in itertools.combinations(siblings, 2):
            assert a.intersection(b).area < 1e-9
    audit = AuditEntry.objects.count()
    assert demo_boundaries(now=t0) == 0
    assert AuditEntry.objects.count() == audit


def test_demo_leaves_imported_outlines_alone(world, t0):
    from shaobao.org.scoping import SYSTEM
    from shaobao.places.services import boundary_set
    from shaobao.places.tests.helpers import square

    boundary_set(
        actor=SYSTEM,
        jurisdiction=world.town,
        geometry=square(117.2, 40.1, 117.4, 40.3),
        source="survey.geojson",
        now=t0,
    )
    demo_boundaries(now=t0)
    assert Boundary.objects.get(jurisdiction=world.town).source == "survey.geojson"
    assert Boundary.objects.get(jurisdiction=world.street).source == "demo"


def test_demo_points_are_placed_quickly(demo_tree, t0):
    demo_boundaries(now=t0)
    PREPARED.clear()
    for town in demo_tree.towns.values():
        j = locate(town.j.lat, town.j.lng)
        assert j is not None and j.code.startswith(town.j.code)
        assert place_chain(j)[2] == town.j
    rng = demo_tree.rng
    points = [(rng.uniform(40.05, 40.32), rng.uniform(116.96, 117.35)) for _ in range(500)]
    for lat, lng in points:  # warm the per-process cache
        locate(lat, lng)
    t = time.perf_counter()
    placed = sum(locate(lat, lng) is not None for lat, lng in points)
    per_lookup_ms = (time.perf_counter() - t) / len(points) * 1000
    print(f"locate: {per_lookup_ms:.3f} ms per lookup, {placed}/{len(points)} placed")
    assert placed > 100
    assert per_lookup_ms < 20  # generous for slow CI; measured ~0.5 ms (docs/places.md)
