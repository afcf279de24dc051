"""Small outlines around the test world (conftest.py / org/cast.py)."""

from shapely.geometry import Polygon, box, mapping


def square(w, s, e, n, holes=()):
    if holes:
        shell = box(w, s, e, n).exterior.coords
        return mapping(Polygon(shell, [box(*h).exterior.coords for h in holes]))
    return mapping(box(w, s, e, n))


def feature(code, name, geometry, **props):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, **props},
        "geometry": geometry,
    }


def world_collection():
    """District, both townships, 海子村, its grid 1 (with a pond as a hole) and a new grid 2."""
    return {
        "type": "FeatureCollection",
        "features": [
            feature("110117", "平谷区", square(117.0, 40.0, 117.5, 40.4)),
            feature("110117104", "金海湖镇", square(117.2, 40.1, 117.4, 40.3)),
            feature("110117001", "兴谷街道", square(117.05, 40.1, 117.15, 40.2)),
            feature("110117104201", "海子村", square(117.25, 40.15, 117.35, 40.25)),
            feature(
                "110117104201001",
                "海子村第1网格",
                square(117.25, 40.15, 117.30, 40.25, holes=[(117.26, 40.16, 117.27, 40.17)]),
            ),
            feature("110117104201002", "海子村第2网格", square(117.30, 40.15, 117.35, 40.25)),
        ],
    }
