"""Plausible outlines for a jurisdiction tree that has none, so the demo map shows real shapes.

Townships get the Voronoi cells of their centres inside a rounded hull (so neighbours share edges
and never overlap); each township cell is cut west→east into equal-area strips for its
communities, each community north→south for its grids (the order in which grid codes are
numbered, domain.md §4); the district is the union of its townships. Deterministic: run it again
on the same tree and nothing changes (no new version, no audit entry)."""

from __future__ import annotations

import shapely
from django.db import transaction
from shapely.geometry import MultiPoint, Point, box
from shapely.ops import unary_union

from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import SYSTEM, Actor
from shaobao.places.models import Boundary
from shaobao.places.services import boundary_set

SOURCE = "demo"
MARGIN_DEG = 0.045  # how far the district reaches beyond its outermost township centres
MAX_REACH_DEG = 0.07  # no township cell reaches further than this from its centre


def _split(poly, n: int, axis: str) -> list:
    """Cut a convex polygon into n pieces of equal area along x (west→east) or y
    (north→south)."""
    if n <= 1:
        return [poly][:n]
    minx, miny, maxx, maxy = poly.bounds
    total = poly.area
    cuts = []
    for k in range(1, n):
        lo, hi = (minx, maxx) if axis == "x" else (miny, maxy)
        for _ in range(40):
            mid = (lo + hi) / 2
            part = (
                shapely.clip_by_rect(poly, minx, miny, mid, maxy)
                if axis == "x"
                # north→south: the first piece is the northern one
                else shapely.clip_by_rect(poly, minx, mid, maxx, maxy)
            )
            share = part.area / total
            if axis == "x":
                lo, hi = (mid, hi) if share < k / n else (lo, mid)
            else:
                lo, hi = (lo, mid) if share < k / n else (mid, hi)
        cuts.append(round((lo + hi) / 2, 6))
    pieces = []
    if axis == "x":
        edges = [minx, *cuts, maxx]
        for a, b in zip(edges, edges[1:], strict=False):
            pieces.append(shapely.clip_by_rect(poly, a, miny, b, maxy))
    else:
        edges = [maxy, *cuts, miny]
        for a, b in zip(edges, edges[1:], strict=False):
            pieces.append(shapely.clip_by_rect(poly, minx, b, maxx, a))
    return [shapely.normalize(p) for p in pieces]


def _township_cells(towns: list[Jurisdiction]) -> dict[str, object]:
    points = [Point(t.lng, t.lat) for t in towns]
    hull = MultiPoint(points).convex_hull.buffer(MARGIN_DEG, quad_segs=3)
    if len(towns) == 1:
        cells = [hull]
    else:
        regions = shapely.voronoi_polygons(MultiPoint(points), extend_to=hull).geoms
        cells = []
        for p in points:
            region = next(r for r in regions if r.covers(p))
            cells.append(region)
    out = {}
    for t, p, cell in zip(towns, points, cells, strict=True):
        reach = box(
            p.x - MAX_REACH_DEG, p.y - MAX_REACH_DEG, p.x + MAX_REACH_DEG, p.y + MAX_REACH_DEG
        )
        out[t.code] = shapely.normalize(cell.intersection(hull).intersection(reach))
    return out


def demo_outlines(district: Jurisdiction) -> dict[str, object]:
    """code → shapely outline for the district's active tree; townships without a position and
    everything under them are left out."""
    tree = list(
        Jurisdiction.objects.filter(code__startswith=district.code, active=True).order_by("code")
    )
    towns = [
        j
        for j in tree
        if j.level == Jurisdiction.TOWNSHIP and j.lat is not None and j.lng is not None
    ]
    if not towns:
        return {}
    outlines = _township_cells(towns)
    for town in towns:
        communities = [
            j for j in tree if j.level == Jurisdiction.COMMUNITY and j.code[:9] == town.code
        ]
        for c, piece in zip(
            communities, _split(outlines[town.code], len(communities), "x"), strict=True
        ):
            outlines[c.code] = piece
            grids = [j for j in tree if j.level == Jurisdiction.GRID and j.code[:12] == c.code]
            for g, cell in zip(grids, _split(piece, len(grids), "y"), strict=True):
                outlines[g.code] = cell
    outlines[district.code] = shapely.normalize(
        unary_union([outlines[t.code] for t in towns]).simplify(0)
    )
    return outlines


@transaction.atomic
def demo_boundaries(*, now, district_code: str | None = None, actor: Actor = SYSTEM) -> int:
    """Give every active jurisdiction of the district(s) a demo outline, through the audited
    service. Outlines from a real import (any source other than "demo") are left alone. Returns
    how many outlines were set or changed."""
    districts = Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT, active=True)
    if district_code:
        districts = districts.filter(code=district_code)
    changed = 0
    for district in districts:
        outlines = demo_outlines(district)
        if not outlines:
            continue
        imported = set(
            Boundary.objects.filter(jurisdiction__code__in=list(outlines))
            .exclude(source=SOURCE)
            .values_list("jurisdiction__code", flat=True)
        )
        by_code = {j.code: j for j in Jurisdiction.objects.filter(code__in=list(outlines))}
        for code in sorted(outlines):
            if code in imported:
                continue
            _b, did = boundary_set(
                actor=actor,
                jurisdiction=by_code[code],
                geometry=shapely.geometry.mapping(outlines[code]),
                source=SOURCE,
                now=now,
            )
            changed += did
    return changed
