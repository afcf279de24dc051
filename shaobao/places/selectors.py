"""Reads: where a point lies, the chain above a place, and what the map may show a viewer."""

from __future__ import annotations

import math

import shapely
from django.db.models import Max, Min, Q

from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import Actor, prefix_q
from shaobao.places.geometry import PREPARED
from shaobao.places.models import Boundary

# locate() answers with these levels only: a point outside every township is not "placed".
PLACE_LEVELS = (Jurisdiction.GRID, Jurisdiction.COMMUNITY, Jurisdiction.TOWNSHIP)
STAFF_ROLES = frozenset(R.ALL) - {R.CITIZEN}
MAX_FEATURES = 3000
MAX_MARKERS = 5000
OPEN_PROBLEM_STATUSES = ("NEW", "TRIAGED", "WHISTLED")
OPEN_DEMAND_STATUSES = ("RECEIVED", "DISPATCHED", "RESPONDED")


def _prepared(rows: list[Boundary]) -> dict[int, object]:
    """Prepared outlines for these boundary rows (fetched without their geometry): from the
    process cache, the missing ones in one query."""
    out, missing = {}, []
    for b in rows:
        geom = PREPARED.get((b.pk, b.version))
        if geom is None:
            missing.append(b.pk)
        else:
            out[b.pk] = geom
    if missing:
        for pk, version, geojson in Boundary.objects.filter(pk__in=missing).values_list(
            "pk", "version", "geometry"
        ):
            out[pk] = PREPARED.put((pk, version), geojson)
    return out


def locate(lat, lng, *, district_code: str | None = None) -> Jurisdiction | None:
    """The deepest active grid, community or township whose outline covers the point (edges
    count as inside; holes do not). Ties on a shared edge go to the lower code. One query when
    the outlines are cached, two otherwise."""
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return None
    qs = (
        Boundary.objects.filter(
            min_lat__lte=lat,
            max_lat__gte=lat,
            min_lng__lte=lng,
            max_lng__gte=lng,
            jurisdiction__active=True,
            jurisdiction__level__in=PLACE_LEVELS,
        )
        .select_related("jurisdiction")
        .defer("geometry")
    )
    if district_code:
        qs = qs.filter(jurisdiction__code__startswith=district_code)
    rows = sorted(qs, key=lambda b: (-len(b.jurisdiction.code), b.jurisdiction.code))
    if not rows:
        return None
    geoms = _prepared(rows)
    point = shapely.Point(lng, lat)
    for b in rows:
        geom = geoms.get(b.pk)
        if geom is not None and geom.covers(point):
            return b.jurisdiction
    return None


def place_chain(j: Jurisdiction | None):
    """(grid, community, township, district) above and including `j`; None where the place is
    not that deep. One query."""
    if j is None:
        return (None, None, None, None)
    lengths = (15, 12, 9, 6)
    codes = [j.code[:n] for n in lengths if len(j.code) >= n]
    found = {x.code: x for x in Jurisdiction.objects.filter(code__in=codes)}
    found[j.code] = j
    return tuple(found.get(j.code[:n]) if len(j.code) >= n else None for n in lengths)


# ---------------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------------


def map_scope(actor: Actor) -> list[str]:
    """Jurisdiction code prefixes whose places the viewer may see on the map: the places of
    their staff roles; a department's whole district. Empty: no map for this user."""
    codes = set(actor.codes(STAFF_ROLES))
    depts = actor.departments(R.DEPARTMENT_ROLES)
    if depts:
        codes |= set(
            Department.objects.filter(pk__in=depts).values_list("district__code", flat=True)
        )
    # Drop codes already inside another one, so queries stay short.
    return sorted(c for c in codes if not any(c != o and c.startswith(o) for o in codes))


def parse_bbox(text) -> tuple[float, float, float, float] | None:
    """ "west,south,east,north" (Leaflet's toBBoxString) → floats; None if absent. Raises
    ValueError when present but wrong."""
    if text in (None, ""):
        return None
    parts = [float(x) for x in str(text).split(",")]
    if len(parts) != 4 or not all(math.isfinite(x) for x in parts):
        raise ValueError("bbox")
    west, south, east, north = parts
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError("bbox")
    return west, south, east, north


def scope_bounds(scope: list[str]) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around the viewer's outlines, for the first view."""
    if not scope:
        return None
    agg = Boundary.objects.filter(prefix_q("jurisdiction__code", scope)).aggregate(
        s=Min("min_lat"), w=Min("min_lng"), n=Max("max_lat"), e=Max("max_lng")
    )
    if agg["s"] is None:
        return None
    return agg["s"], agg["w"], agg["n"], agg["e"]


def scope_center(scope: list[str]) -> tuple[float, float] | None:
    j = (
        Jurisdiction.objects.filter(code__in=scope, lat__isnull=False, lng__isnull=False)
        .order_by("code")
        .first()
    )
    return (j.lat, j.lng) if j else None


def boundaries_for(
    *, scope: list[str], level: str, bbox=None, limit: int = MAX_FEATURES
) -> tuple[list[dict], bool]:
    """GeoJSON features of one level inside the viewer's scope (and the map view). Returns
    (features, truncated)."""
    if not scope:
        return [], False
    qs = Boundary.objects.filter(
        prefix_q("jurisdiction__code", scope),
        jurisdiction__level=level,
        jurisdiction__active=True,
    ).select_related("jurisdiction")
    if bbox is not None:
        west, south, east, north = bbox
        qs = qs.filter(max_lng__gte=west, min_lng__lte=east, max_lat__gte=south, min_lat__lte=north)
    rows = list(qs.order_by("jurisdiction__code")[: limit + 1])
    features = [
        {
            "type": "Feature",
            "geometry": b.geometry,
            "properties": {
                "code": b.jurisdiction.code,
                "name": b.jurisdiction.name,
                "level": b.jurisdiction.level,
                "version": b.version,
            },
        }
        for b in rows[:limit]
    ]
    return features, len(rows) > limit


def _in_bbox(bbox) -> Q:
    q = Q(lat__isnull=False, lng__isnull=False)
    if bbox is not None:
        west, south, east, north = bbox
        q &= Q(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
    return q


def markers_for(*, actor: Actor, bbox=None, limit: int = MAX_MARKERS) -> tuple[list[dict], bool]:
    """Open problems and demands with a position that the viewer may see. Only what a marker
    needs: never a caller's name, phone, e-mail, address or text."""
    from shaobao.demands.models import Demand
    from shaobao.demands.permissions import demands_visible_to
    from shaobao.problems.models import Problem
    from shaobao.problems.permissions import problems_visible_to

    problem_status = dict(Problem.STATUSES)
    demand_status = dict(Demand.STATUSES)
    problems = list(
        problems_visible_to(actor)
        .filter(_in_bbox(bbox), status__in=OPEN_PROBLEM_STATUSES)
        .order_by("-created_at")
        .values("pk", "title", "status", "priority", "lat", "lng", "township__name")[: limit + 1]
    )
    demands = list(
        demands_visible_to(actor)
        .filter(_in_bbox(bbox), status__in=OPEN_DEMAND_STATUSES)
        .order_by("-created_at")
        .values("pk", "subject", "kind", "status", "lat", "lng", "township__name")[: limit + 1]
    )
    truncated = len(problems) > limit or len(demands) > limit
    out = [
        {
            "kind": "problem",
            "id": p["pk"],
            "number": f"WT{p['pk']:07d}",
            "title": p["title"],
            "status": str(problem_status.get(p["status"], p["status"])),
            "priority": p["priority"],
            "township": p["township__name"] or "",
            "lat": p["lat"],
            "lng": p["lng"],
        }
        for p in problems[:limit]
    ]
    out += [
        {
            "kind": "demand",
            "id": d["pk"],
            "number": f"SQ{d['pk']:09d}",
            "title": d["subject"],
            "status": str(demand_status.get(d["status"], d["status"])),
            "township": d["township__name"] or "",
            "lat": d["lat"],
            "lng": d["lng"],
        }
        for d in demands[:limit]
    ]
    return out, truncated
