"""The duty list: versions, publishing, analysis, diff, and the Excel template round trip."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from shaobao.audit.models import AuditEntry
from shaobao.core.errors import Conflict, NotFound, PermissionDenied
from shaobao.duties import analysis, excel, services
from shaobao.duties.excel import COLUMNS, ImportRejected
from shaobao.duties.models import Duty, DutyList, Matter
from shaobao.whistles import services as WS

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def xlsx(rows, header=COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROW = [
    "CX-WJ-01",
    "城乡建设",
    "违法建设",
    "私搭乱建",
    "WORKING_20D",
    "CGZF",
    "GHZY",
    "《北京市禁止违法建设若干规定》",
    "第十二条",
    "街道办事处应当……",
    "",
    "拆除到位",
    "违建 私搭",
    "仅配合",
]


def test_draft_copy_edit_publish_and_freeze(world, actors, t0):
    draft = services.draft_create(actor=actors.legal, district_id=world.district.pk, now=t0)
    assert draft.version == 2 and draft.duties.count() == world.duty_list.duties.count()
    with pytest.raises(Conflict):
        services.draft_create(actor=actors.legal, district_id=world.district.pk, now=t0)
    duty = draft.duties.get(matter=world.matters["SW-HD-01"])
    services.duty_save(
        actor=actors.legal,
        duty_list_id=draft.pk,
        duty_id=duty.pk,
        matter_id=duty.matter_id,
        lead_department_id=world.depts["CGZF"].pk,
        assist_department_ids=[world.depts["SW"].pk],
        tier="WORKING_4H",
        now=t0,
    )
    published = services.publish(
        actor=actors.legal, duty_list_id=draft.pk, active_from=t0 + H, now=t0
    )
    world.duty_list.refresh_from_db()
    assert world.duty_list.active_to == t0 + H and published.status == DutyList.PUBLISHED
    with pytest.raises(Conflict):  # a published version is frozen
        services.duty_save(
            actor=actors.legal,
            duty_list_id=draft.pk,
            matter_id=duty.matter_id,
            lead_department_id=world.depts["SW"].pk,
            now=t0,
        )
    with pytest.raises(Conflict):
        services.duty_remove(actor=actors.legal, duty_list_id=draft.pk, duty_id=duty.pk, now=t0)
    assert AuditEntry.objects.filter(action="duty_list.publish").count() == 1


def test_whistles_use_and_record_the_version_in_force(world, actors, t0, cal):
    draft = services.draft_create(actor=actors.legal, district_id=world.district.pk, now=t0)
    duty = draft.duties.get(matter=world.matters["SW-HD-01"])
    services.duty_save(
        actor=actors.legal,
        duty_list_id=draft.pk,
        duty_id=duty.pk,
        matter_id=duty.matter_id,
        lead_department_id=world.depts["CGZF"].pk,
        tier="WORKING_4H",
        now=t0,
    )
    services.publish(actor=actors.legal, duty_list_id=draft.pk, active_from=t0 + H, now=t0)

    def blow(at):
        return WS.whistle_blow(
            actor=actors.commander,
            township_id=world.town.pk,
            title="河道",
            description="d",
            address="a",
            area="KEY_TASK",
            kind="MANAGEMENT",
            mode="ROUTINE",
            summoned=[],
            matter_id=world.matters["SW-HD-01"].pk,
            now=at,
            cal=cal,
        )

    before, after = blow(t0), blow(t0 + 2 * H)
    assert (
        before.duty_list.version == 1 and before.summonses.get(role="LEAD").department.code == "SW"
    )
    assert (
        after.duty_list.version == 2 and after.summonses.get(role="LEAD").department.code == "CGZF"
    )
    # the new version's own tier: 4 working hours from Wednesday 11:30 → 15:30 (lunch skipped... 16:00)
    assert after.finish_by_at < before.finish_by_at


def test_only_the_legal_office_edits(world, actors, t0):
    for who in ["commander", "admin", "inspector", "cg_head", "supervisor"]:
        with pytest.raises(PermissionDenied):
            services.draft_create(actor=actors[who], district_id=world.district.pk, now=t0)
    with pytest.raises(NotFound):
        services.publish(actor=actors.commander, duty_list_id=world.duty_list.pk, now=t0)


def test_analysis_finds_gaps_overlaps_and_idle_departments(world, actors, t0):
    orphan = Matter.objects.create(
        code="ZZ-01", level1="其他", level2="其他", name="无人认领", tier="ORDINARY_7D"
    )
    draft = services.draft_create(actor=actors.legal, district_id=world.district.pk, now=t0)
    services.duty_save(
        actor=actors.legal,
        duty_list_id=draft.pk,
        matter_id=world.matters["CX-HJ-01"].pk,
        lead_department_id=world.depts["SCJG"].pk,
        now=t0,
    )
    result = analysis.analyse(draft)
    assert orphan in result.gaps
    assert [m.code for m, _ in result.overlaps] == ["CX-HJ-01"]
    assert result.idle_departments == []
    base = analysis.analyse(world.duty_list)
    assert not base.overlaps
    d = analysis.diff(world.duty_list, draft)
    assert [x.matter.code for x in d.added] == ["CX-HJ-01"] and not d.removed and not d.changed


def test_export_import_round_trip(world, actors, t0):
    data = excel.export(world.duty_list)
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert list(rows[0]) == COLUMNS and len(rows) == 1 + world.duty_list.duties.count()
    draft = excel.import_draft(actor=actors.legal, district_id=world.district.pk, data=data, now=t0)
    d = analysis.diff(world.duty_list, draft)
    assert not d.added and not d.removed and not d.changed


@pytest.mark.parametrize(
    "bad_row, column",
    [
        (ROW[:5] + ["NOPE"] + ROW[6:], "牵头部门编码"),
        (ROW[:6] + ["CGZF"] + ROW[7:], "配合部门编码"),
        (["CX-WJ-01", "城乡建设", "违法建设", "改了名字"] + ROW[4:], "事项名称"),
        (ROW[:10] + ["THREE_YEARS"] + ROW[11:], "时限档位"),
        (ROW[:13] + ["随便"], "社区职责"),
        ([""] + ROW[1:], "事项编码"),
        (["NEW-01", "新类", "新类", "新事项", ""] + ROW[5:10] + [""] + ROW[11:], "默认时限档位"),
    ],
)
def test_import_reports_row_column_reason_and_changes_nothing(world, actors, t0, bad_row, column):
    before = (
        DutyList.objects.count(),
        Duty.objects.count(),
        Matter.objects.count(),
        AuditEntry.objects.count(),
    )
    good = [
        "SW-HD-01",
        "水务",
        "河道管理",
        "河道乱堆乱放",
        "ORDINARY_7D",
        "SW",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "仅配合",
    ]
    with pytest.raises(ImportRejected) as exc:
        excel.import_draft(
            actor=actors.legal, district_id=world.district.pk, data=xlsx([good, bad_row]), now=t0
        )
    errors = exc.value.errors
    assert any(e.row == 3 and e.column == column for e in errors), errors
    assert not any(e.row == 2 for e in errors)
    after = (
        DutyList.objects.count(),
        Duty.objects.count(),
        Matter.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


def test_import_rejects_non_xlsx_and_wrong_header(world, actors, t0):
    with pytest.raises(ImportRejected) as exc:
        excel.import_draft(
            actor=actors.legal, district_id=world.district.pk, data=b"PK\x03\x04junk", now=t0
        )
    assert ".xlsx" in exc.value.errors[0].reason
    with pytest.raises(ImportRejected):
        excel.import_draft(
            actor=actors.legal,
            district_id=world.district.pk,
            data=xlsx([ROW], header=["a", "b"]),
            now=t0,
        )
    with pytest.raises(ImportRejected):
        excel.import_draft(
            actor=actors.legal, district_id=world.district.pk, data=xlsx([ROW, ROW]), now=t0
        )
    assert DutyList.objects.count() == 1


def test_import_creates_new_matters(world, actors, t0):
    row = [
        "NEW-01",
        "公共安全",
        "燃气安全",
        "瓶装液化气违规使用",
        "UTILITY_24H",
        "SCJG",
        "CGZF",
        "",
        "",
        "",
        "",
        "整改到位",
        "液化气",
        "不承担",
    ]
    draft = excel.import_draft(
        actor=actors.legal, district_id=world.district.pk, data=xlsx([ROW, row]), now=t0
    )
    assert draft.duties.count() == 2
    duty = draft.duties.get(matter__code="NEW-01")
    assert duty.effective_tier == "UTILITY_24H" and duty.community_role == "NONE"


def test_legal_office_pages(world, actors, t0):
    from django.test import Client

    c = Client()
    c.force_login(world.users["legal"])
    assert c.get("/duties/").status_code == 200
    r = c.post("/duties/new/", {"district": world.district.pk})
    draft = DutyList.objects.get(status=DutyList.DRAFT)
    page = c.get(f"/duties/{draft.pk}/").content.decode()
    assert "添加职责" in page and "缺位事项" in page
    assert c.get(f"/duties/{draft.pk}/?format=xlsx")["Content-Type"].startswith(
        "application/vnd.openxml"
    )
    assert c.get(f"/duties/diff/?a={world.duty_list.pk}&b={draft.pk}").status_code == 200
    bad = xlsx([ROW[:5] + ["NOPE"] + ROW[6:]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(
        "/duties/import/",
        {"district": world.district.pk, "file": SimpleUploadedFile("d.xlsx", bad)},
    )
    assert r.status_code == 422 and "牵头部门编码" in r.content.decode()
    r = c.post(f"/duties/{draft.pk}/publish/", {})
    draft.refresh_from_db()
    assert draft.status == DutyList.PUBLISHED
    viewer = Client()
    viewer.force_login(world.users["commander"])
    assert (
        viewer.post(f"/duties/{draft.pk}/publish/", {}).status_code == 302
    )  # refused with a message
