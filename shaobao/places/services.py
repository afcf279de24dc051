"""The only writers of boundaries. A boundary is replaced, never edited in place or deleted: the
old outline goes to BoundaryVersion and every change is audited in the same transaction."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core import validate as V
from shaobao.core.errors import InvalidInput, PermissionDenied
from shaobao.org import roles as R
from shaobao.org import services as org_services
from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import Actor
from shaobao.places import geometry as G
from shaobao.places.models import Boundary, BoundaryVersion

LEVEL_BY_LENGTH = {n: level for level, n in Jurisdiction.CODE_LENGTH.items()}
DEFAULT_TOLERANCE_M = 50.0


def _require_admin(actor: Actor):
    if actor.user_id is not None and R.ADMIN not in actor.roles:
        raise PermissionDenied()


@transaction.atomic
def boundary_set(
    *, actor: Actor, jurisdiction: Jurisdiction, geometry: dict, source: str = "", now
) -> tuple[Boundary, bool]:
    """Set a jurisdiction's outline. The same outline again changes nothing (no new version, no
    audit entry), so imports and the demo generator can be re-run. Returns (boundary, changed)."""
    _require_admin(actor)
    try:
        geom = G.parse(geometry)
    except G.GeometryError as e:
        raise InvalidInput(e.reason, fields={"geometry": "invalid"}) from None
    geojson = G.to_geojson(geom)
    digest = G.digest(geojson)
    source = (source or "")[:100]
    current = Boundary.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
    if current is not None and current.digest == digest:
        return current, False
    previous = None
    if current is None:
        boundary = Boundary(jurisdiction=jurisdiction, version=1)
    else:
        previous = {"version": current.version, "digest": current.digest}
        BoundaryVersion.objects.create(
            jurisdiction=jurisdiction,
            version=current.version,
            geometry=current.geometry,
            source=current.source,
            digest=current.digest,
            valid_from=current.updated_at,
            replaced_at=now,
        )
        boundary = current
        boundary.version = current.version + 1
    boundary.geometry = geojson
    boundary.digest = digest
    boundary.source = source
    boundary.updated_at = now
    for name, value in G.bbox(geom).items():
        setattr(boundary, name, value)
    boundary.save()
    record(
        actor=actor,
        action="boundary.set",
        obj=boundary,
        data={
            "code": jurisdiction.code,
            "version": boundary.version,
            "digest": digest,
            "source": source,
            "bbox": G.bbox(geom),
            "previous": previous,
        },
        now=now,
    )
    return boundary, True


# ---------------------------------------------------------------------------------------------
# Import of a GeoJSON FeatureCollection
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ImportProblem:
    index: int | None  # position in `features`; None for the file as a whole
    code: str
    reason: str

    def __str__(self):
        where = "文件" if self.index is None else f"features[{self.index}]"
        return f"{where}{f'（{self.code}）' if self.code else ''}：{self.reason}"


class BoundaryImportError(InvalidInput):
    """Nothing was imported; `problems` lists every feature that is wrong and why."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__(
            _("边界文件有%(n)s处错误，未导入任何数据") % {"n": len(problems)},
            fields={"features": "invalid"},
        )


@dataclasses.dataclass
class ImportResult:
    jurisdictions_created: list[str] = dataclasses.field(default_factory=list)
    boundaries_changed: list[str] = dataclasses.field(default_factory=list)
    boundaries_unchanged: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Feature:
    index: int
    code: str
    name: str
    kind: str
    geojson: dict
    geom: object = None


def _kind(props: dict, name: str, level: str) -> str:
    if level != Jurisdiction.TOWNSHIP:
        return ""
    kind = str(props.get("kind") or "").strip().upper()
    if kind in dict(Jurisdiction.KINDS):
        return kind
    if name.endswith("街道"):
        return Jurisdiction.STREET
    return Jurisdiction.TOWN if name.endswith(("镇", "乡", "地区")) else ""


def validate_collection(
    collection, *, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> tuple[list[_Feature], list[ImportProblem]]:
    """Check every feature against the file and the database; changes nothing."""
    problems: list[ImportProblem] = []
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return [], [ImportProblem(None, "", "文件须为 GeoJSON FeatureCollection")]
    raw = collection.get("features")
    if not isinstance(raw, list) or not raw:
        return [], [ImportProblem(None, "", "FeatureCollection 中没有要素（features）")]

    features: list[_Feature] = []
    seen: dict[str, int] = {}
    for i, f in enumerate(raw):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            problems.append(ImportProblem(i, "", "不是 GeoJSON Feature"))
            continue
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        code = props.get("code")
        code = str(code).strip() if isinstance(code, str | int) else ""
        if not V.is_digits(code) or len(code) not in LEVEL_BY_LENGTH:
            problems.append(
                ImportProblem(
                    i, code, "区划代码（code）须为6、9、12或15位数字（区/街乡/社区村/网格）"
                )
            )
            continue
        if code in seen:
            problems.append(ImportProblem(i, code, f"区划代码与 features[{seen[code]}] 重复"))
            continue
        seen[code] = i
        name = props.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if len(name) > 100:
            problems.append(ImportProblem(i, code, "名称（name）超过100字"))
            continue
        level = LEVEL_BY_LENGTH[len(code)]
        features.append(_Feature(i, code, name, _kind(props, name, level), f.get("geometry")))

    codes = [f.code for f in features]
    parent_codes = {f.code[:-3] for f in features if len(f.code) > 6}
    existing = {j.code: j for j in Jurisdiction.objects.filter(code__in=set(codes) | parent_codes)}
    db_outlines = {
        b.jurisdiction.code: b.geometry
        for b in Boundary.objects.filter(jurisdiction__code__in=parent_codes).select_related(
            "jurisdiction"
        )
    }
    in_file = {f.code: f for f in features}

    for f in features:
        j = existing.get(f.code)
        if j is None and not f.name:
            problems.append(ImportProblem(f.index, f.code, "新区划须有名称（name）"))
        if j is not None and not j.active:
            problems.append(ImportProblem(f.index, f.code, "该区划已停用"))
        if len(f.code) > 6:
            parent = f.code[:-3]
            pj = existing.get(parent)
            if parent not in in_file and (pj is None or not pj.active):
                problems.append(
                    ImportProblem(
                        f.index, f.code, f"上级区划 {parent} 不存在（数据库和文件中均无）"
                    )
                )
        try:
            f.geom = G.parse(f.geojson)
        except G.GeometryError as e:
            problems.append(ImportProblem(f.index, f.code, e.reason))

    for f in features:
        if f.geom is None or len(f.code) == 6:
            continue
        parent = f.code[:-3]
        if parent in in_file:
            parent_geom = in_file[parent].geom  # None when the parent's own outline is bad
        elif parent in db_outlines:
            parent_geom = G.load(db_outlines[parent])
        else:
            parent_geom = None
        if parent_geom is not None and not G.within(f.geom, parent_geom, tolerance_m):
            outside = f.geom.difference(parent_geom).area / f.geom.area
            problems.append(
                ImportProblem(
                    f.index,
                    f.code,
                    f"超出上级区划 {parent} 的边界（约{outside:.0%}面积在外，容差{tolerance_m:g}米）",
                )
            )
    problems.sort(key=lambda p: -1 if p.index is None else p.index)
    return features, problems


def boundaries_import(
    *,
    actor: Actor,
    collection,
    source: str = "",
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    dry_run: bool = False,
    now,
) -> ImportResult:
    """Validate the whole file, then create missing jurisdictions and set every outline in one
    transaction. Any error: BoundaryImportError, and nothing has changed."""
    _require_admin(actor)
    features, problems = validate_collection(collection, tolerance_m=tolerance_m)
    if problems:
        raise BoundaryImportError(problems)
    result = ImportResult()
    if dry_run:
        return result
    with transaction.atomic():
        existing = {
            j.code: j for j in Jurisdiction.objects.filter(code__in=[f.code for f in features])
        }
        # Parents before children, so jurisdiction_create finds each parent.
        for f in sorted(features, key=lambda f: (len(f.code), f.code)):
            try:
                j = existing.get(f.code)
                if j is None:
                    point = f.geom.representative_point()
                    j = org_services.jurisdiction_create(
                        actor=actor,
                        code=f.code,
                        name=f.name,
                        level=LEVEL_BY_LENGTH[len(f.code)],
                        kind=f.kind,
                        lat=round(point.y, 6),
                        lng=round(point.x, 6),
                        now=now,
                    )
                    result.jurisdictions_created.append(f.code)
                _b, changed = boundary_set(
                    actor=actor, jurisdiction=j, geometry=f.geojson, source=source, now=now
                )
            except InvalidInput as e:
                # Rolls back everything written so far in this import.
                raise BoundaryImportError([ImportProblem(f.index, f.code, str(e.message))]) from e
            (result.boundaries_changed if changed else result.boundaries_unchanged).append(f.code)
        record(
            actor=actor,
            action="boundary.import",
            object_type="boundary_import",
            object_id=G.digest(collection)[:16],
            data={
                "source": source[:100],
                "features": len(features),
                "jurisdictions_created": len(result.jurisdictions_created),
                "boundaries_changed": len(result.boundaries_changed),
                "boundaries_unchanged": len(result.boundaries_unchanged),
            },
            now=now,
        )
    return result
