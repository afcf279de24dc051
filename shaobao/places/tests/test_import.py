import copy
import json

import pytest
from django.core.management import CommandError, call_command

from shaobao.audit.models import AuditEntry
from shaobao.audit.services import verify
from shaobao.core.errors import PermissionDenied
from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import SYSTEM
from shaobao.places.models import Boundary, BoundaryVersion
from shaobao.places.services import BoundaryImportError, boundaries_import, boundary_set
from shaobao.places.tests.helpers import feature, square, world_collection


def counts():
    return (
        Jurisdiction.objects.count(),
        Boundary.objects.count(),
        BoundaryVersion.objects.count(),
        AuditEntry.objects.count(),
    )


def test_import_creates_missing_jurisdictions_and_sets_outlines(world, t0):
    result = boundaries_import(actor=SYSTEM, collection=world_collection(), source="t", now=t0)
    assert result.jurisdictions_created == ["110117104201002"]
    assert len(result.boundaries_changed) == 6
    new = Jurisdiction.objects.get(code="110117104201002")
    assert new.level == "GRID" and new.parent == world.village and new.lat is not None
    b = Boundary.objects.get(jurisdiction=world.town)
    assert (b.min_lat, b.max_lat, b.min_lng, b.max_lng) == (40.1, 40.3, 117.2, 117.4)
    assert b.version == 1 and b.source == "t"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"boundary.set", "boundary.import", "jurisdiction.create"} <= actions
    assert verify().ok


def test_reimport_is_idempotent_and_replacement_is_versioned(world, t0):
    boundaries_import(actor=SYSTEM, collection=world_collection(), now=t0)
    before = counts()
    result = boundaries_import(actor=SYSTEM, collection=world_collection(), now=t0)
    assert result.boundaries_changed == [] and len(result.boundaries_unchanged) == 6
    assert counts()[:3] == before[:3]

    b, changed = boundary_set(
        actor=SYSTEM, jurisdiction=world.street, geometry=square(117.05, 40.1, 117.16, 40.2), now=t0
    )
    assert changed and b.version == 2 and b.max_lng == 117.16
    old = BoundaryVersion.objects.get(jurisdiction=world.street)
    assert old.version == 1 and old.geometry["coordinates"][0][0][0] in (117.05, 117.15)
    entry = AuditEntry.objects.filter(action="boundary.set").order_by("-seq").first()
    assert entry.data["version"] == 2 and entry.data["previous"]["version"] == 1


def test_only_admin_or_system_sets_outlines(world, actors, t0):
    with pytest.raises(PermissionDenied):
        boundary_set(
            actor=actors.commander,
            jurisdiction=world.town,
            geometry=square(117.2, 40.1, 117.4, 40.3),
            now=t0,
        )
    boundary_set(
        actor=actors.admin,
        jurisdiction=world.town,
        geometry=square(117.2, 40.1, 117.4, 40.3),
        now=t0,
    )


def bad_collection():
    fc = world_collection()
    fc["features"] += [
        # 3 digits: no level has that length.
        feature("110", "坏代码", square(117.2, 40.1, 117.3, 40.2)),
        # Its township 110117999 exists neither in the database nor in the file.
        feature("110117999201", "孤儿村", square(117.2, 40.1, 117.3, 40.2)),
        # Bow-tie.
        feature(
            "110117104202",
            "自交村",
            {
                "type": "Polygon",
                "coordinates": [
                    [[117.2, 40.1], [117.3, 40.2], [117.3, 40.1], [117.2, 40.2], [117.2, 40.1]]
                ],
            },
        ),
        # Well outside 金海湖镇 (117.2–117.4).
        feature("110117104203", "越界村", square(117.45, 40.1, 117.48, 40.2)),
        # Same code twice.
        feature("110117001", "兴谷街道", square(117.05, 40.1, 117.15, 40.2)),
        # A new community without a name.
        feature("110117104204", "", square(117.21, 40.11, 117.22, 40.12)),
    ]
    return fc


def test_bad_file_changes_nothing_and_names_each_feature(world, t0):
    before = counts()
    with pytest.raises(BoundaryImportError) as e:
        boundaries_import(actor=SYSTEM, collection=bad_collection(), now=t0)
    assert counts() == before
    lines = [str(p) for p in e.value.problems]
    text = "\n".join(lines)
    assert "features[6]（110）：区划代码" in text
    assert "features[7]（110117999201）：上级区划 110117999 不存在" in text
    assert "features[8]（110117104202）：多边形无效" in text
    assert "features[9]（110117104203）：超出上级区划 110117104 的边界" in text
    assert "features[10]（110117001）：区划代码与 features[2] 重复" in text
    assert "features[11]（110117104204）：新区划须有名称" in text
    assert len(lines) == 6


def test_child_checked_against_outline_already_stored(world, t0):
    boundaries_import(actor=SYSTEM, collection=world_collection(), now=t0)
    fc = {
        "type": "FeatureCollection",
        "features": [feature("110117104201003", "第3网格", square(117.36, 40.15, 117.38, 40.2))],
    }
    before = counts()
    with pytest.raises(BoundaryImportError) as e:
        boundaries_import(actor=SYSTEM, collection=fc, now=t0)
    assert "超出上级区划 110117104201" in str(e.value.problems[0])
    assert counts() == before


def test_error_while_writing_rolls_back_everything(world, t0):
    """A jurisdiction disabled between check and write still leaves nothing half-imported."""
    fc = world_collection()
    before = counts()
    Jurisdiction.objects.filter(code="110117104201001").update(active=False)
    with pytest.raises(BoundaryImportError) as e:
        boundaries_import(actor=SYSTEM, collection=fc, now=t0)
    assert "已停用" in str(e.value.problems[0])
    assert counts() == before


@pytest.mark.parametrize(
    "collection, reason",
    [
        ({"type": "Feature"}, "FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "没有要素"),
    ],
)
def test_file_level_errors(world, t0, collection, reason):
    with pytest.raises(BoundaryImportError) as e:
        boundaries_import(actor=SYSTEM, collection=collection, now=t0)
    assert reason in str(e.value.problems[0])


def test_command_reports_and_changes_nothing(world, tmp_path, capsys):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(bad_collection(), ensure_ascii=False), encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match="6处错误"):
        call_command("places_import", str(bad))
    err = capsys.readouterr().err
    assert "features[8]（110117104202）：多边形无效" in err
    assert counts() == before

    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(world_collection()), encoding="utf-8")
    call_command("places_import", str(good), "--dry-run")
    assert counts() == before
    call_command("places_import", str(good))
    assert "新建区划 1 个" in capsys.readouterr().out
    assert Boundary.objects.count() == 6
    assert Boundary.objects.get(jurisdiction__code="110117").source == "good.geojson"


def test_command_rejects_unreadable_json(db, tmp_path):
    p = tmp_path / "x.geojson"
    p.write_text("{nope", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        call_command("places_import", str(p))


def test_tolerance_allows_small_slack(world, t0):
    fc = copy.deepcopy(world_collection())
    # 金海湖镇 ends at 117.4; this grid's community reaches ~20 m past it.
    fc["features"][3]["geometry"] = square(117.25, 40.15, 117.4002, 40.25)
    fc["features"][5]["geometry"] = square(117.30, 40.15, 117.4002, 40.25)
    boundaries_import(actor=SYSTEM, collection=fc, now=t0)
    with pytest.raises(BoundaryImportError):
        boundaries_import(actor=SYSTEM, collection=fc, tolerance_m=1, now=t0)
