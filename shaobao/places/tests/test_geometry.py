import pytest
from shapely.geometry import box

from shaobao.places import geometry as G
from shaobao.places.tests.helpers import square


def test_parse_accepts_polygon_and_rounds():
    geom = G.parse(square(117.123456789, 40.1, 117.2, 40.2))
    assert geom.bounds[0] == pytest.approx(117.1234568)
    assert G.to_geojson(geom)["type"] == "Polygon"


@pytest.mark.parametrize(
    "geojson, reason",
    [
        ({"type": "Point", "coordinates": [117.1, 40.1]}, "Polygon 或 MultiPolygon"),
        ("not a dict", "Polygon 或 MultiPolygon"),
        ({"type": "Polygon", "coordinates": "x"}, "坐标格式无效"),
        ({"type": "Polygon", "coordinates": []}, "几何为空"),
        (square(40.1, 117.1, 40.2, 117.2), "超出经纬度范围"),
        (
            # A bow-tie: its edges cross.
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "多边形无效",
        ),
    ],
)
def test_parse_rejects_with_reason(geojson, reason):
    with pytest.raises(G.GeometryError) as e:
        G.parse(geojson)
    assert reason in e.value.reason


def test_within_tolerance():
    parent = box(117.0, 40.0, 117.1, 40.1)
    assert G.within(box(117.0, 40.0, 117.05, 40.05), parent, 0)
    slightly_out = box(117.0, 40.0, 117.1003, 40.05)  # ~33 m past the east edge
    assert not G.within(slightly_out, parent, 0)
    assert G.within(slightly_out, parent, 50)
    assert not G.within(box(117.0, 40.0, 117.2, 40.05), parent, 50)


def test_prepared_cache_is_keyed_by_version():
    cache = G.PreparedCache(max_size=2)
    a = cache.put((1, 1), square(0, 0, 1, 1))
    assert cache.get((1, 1)) is a
    assert cache.get((1, 2)) is None
    cache.put((2, 1), square(0, 0, 1, 1))
    cache.put((3, 1), square(0, 0, 1, 1))
    assert len(cache) == 2 and cache.get((1, 1)) is None
