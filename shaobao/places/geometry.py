"""Pure geometry helpers: GeoJSON in, checked shapely geometry out, and a per-process cache of
prepared outlines. No database access here."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

# Seven decimals of a degree is about a centimetre: finer digits are noise from the source, and
# rounding keeps stored JSON (and digests) stable between imports of the same file.
PRECISION = 7
POLYGONAL = ("Polygon", "MultiPolygon")
METRES_PER_DEGREE = 111_320.0


class GeometryError(ValueError):
    """A geometry that cannot be stored; `reason` is shown to the person importing it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse(geojson) -> BaseGeometry:
    """A GeoJSON Polygon/MultiPolygon (lng, lat order) → a valid shapely geometry, rounded to
    PRECISION. Raises GeometryError naming what is wrong."""
    if not isinstance(geojson, dict) or geojson.get("type") not in POLYGONAL:
        got = geojson.get("type") if isinstance(geojson, dict) else type(geojson).__name__
        raise GeometryError(f"几何类型须为 Polygon 或 MultiPolygon（实际为 {got}）")
    try:
        geom = shape(geojson)
    except Exception as e:  # shapely raises several types for malformed coordinates
        raise GeometryError(f"坐标格式无效：{e}") from None
    if geom.is_empty:
        raise GeometryError("几何为空")
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise GeometryError("坐标含有非数值")
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    if min_lng < -180 or max_lng > 180 or min_lat < -90 or max_lat > 90:
        raise GeometryError("坐标超出经纬度范围（GeoJSON 顺序应为 [经度, 纬度]）")
    geom = shapely.transform(geom, lambda c: np.round(c, PRECISION))
    if not geom.is_valid:
        raise GeometryError(f"多边形无效：{explain_validity(geom)}")
    if geom.area <= 0:
        raise GeometryError("多边形面积为零")
    return geom


def load(geojson: dict) -> BaseGeometry:
    """A stored outline (already checked when it was written) → shapely."""
    return shape(geojson)


def to_geojson(geom: BaseGeometry) -> dict:
    """Plain JSON (lists, not tuples), so what is stored equals what is read back."""
    return json.loads(json.dumps(mapping(geom)))


def digest(geojson: dict) -> str:
    body = json.dumps(geojson, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def bbox(geom: BaseGeometry) -> dict:
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    return {"min_lat": min_lat, "max_lat": max_lat, "min_lng": min_lng, "max_lng": max_lng}


def within(child: BaseGeometry, parent: BaseGeometry, tolerance_m: float) -> bool:
    """The child lies inside the parent, allowing `tolerance_m` metres of slack along the edge
    (surveyed outlines of neighbouring levels rarely agree to the centimetre)."""
    if tolerance_m <= 0:
        return parent.covers(child)
    return parent.buffer(tolerance_m / METRES_PER_DEGREE).covers(child)


class PreparedCache:
    """Prepared outlines keyed by (boundary id, version). A replaced outline has a new version,
    so a stale entry is never used, only aged out: correct with any number of processes, each
    holding its own read-only copy."""

    def __init__(self, max_size: int = 20_000):
        self.max_size = max_size
        self._data: OrderedDict[tuple[int, int], BaseGeometry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            geom = self._data.get(key)
            if geom is not None:
                self._data.move_to_end(key)
            return geom

    def put(self, key, geojson: dict) -> BaseGeometry:
        geom = shape(geojson)
        shapely.prepare(geom)
        with self._lock:
            self._data[key] = geom
            self._data.move_to_end(key)
            while len(self._data) > self.max_size:
                self._data.popitem(last=False)
        return geom

    def clear(self):
        with self._lock:
            self._data.clear()

    def __len__(self):
        return len(self._data)


PREPARED = PreparedCache()
