"""接诉即办 in a real browser: operator intake to dispatch; a citizen's web form to the tracking
page; a grid worker's report from a phone."""

import re

import pytest
from playwright.sync_api import expect

from shaobao.demands.models import Demand
from shaobao.problems.models import Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_intake_to_dispatch(login, live_server, world):
    page = login("operator")
    expect(page).to_have_url(re.compile(r"/demands/intake/$"))
    page.fill("#id_caller_phone", "13912345678")  # keyboard first: the phone field has focus
    page.fill("#id_caller_name", "张三")
    page.select_option("#id_kind", "COMPLAINT")
    page.fill("#id_text", "海子村口路边暴露垃圾三天没人清运，气味很大")
    # the hints panel answers while the operator types (router suggestions, the caller's repeats)
    expect(page.locator("#hints")).not_to_contain_text("输入诉求内容后")
    page.select_option("#id_township", str(world.town.pk))
    page.get_by_role("button", name=re.compile("受理")).click()
    expect(page.locator(".messages")).to_contain_text("已受理")
    d = Demand.objects.get()
    page.select_option("#id_matter", str(world.matters["CX-HJ-01"].pk))
    page.select_option("#id_handler", f"d{world.depts['CGZF'].pk}")
    page.get_by_role("button", name="派单", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已派单")
    d.refresh_from_db()
    assert d.status == "DISPATCHED" and d.handler_department == world.depts["CGZF"]


def test_citizen_form_to_tracking_page(browser, live_server, world):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/citizen/")
    page.fill("#id_text", "兴谷街道小区路灯坏了一周，晚上很黑")
    page.fill("#id_caller_phone", "13811112222")
    page.get_by_role("button", name="提交").click()
    number = page.locator("#tracking-number").inner_text()
    assert number == Demand.objects.get().number
    page.get_by_role("link", name="查询进展").click()
    page.fill("#id_number", number)
    page.fill("#id_phone_last4", "2222")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#track-status")).to_have_text("待分派")
    ctx.close()


def test_grid_worker_reports_from_a_phone(login, live_server, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    page = login("grid", phone=True)
    expect(page).to_have_url(re.compile(r"/problems/new/$"))
    page.fill("#id_title", "井盖缺失")
    page.fill("#id_description", "海子村口井盖缺失，夜间危险")
    page.fill("#id_address", "海子村口")
    page.get_by_role("button", name="获取当前位置").click()
    expect(page.locator("[data-locate-status]")).to_contain_text("已定位")
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    page.set_input_files("#id_photos", str(png))
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("问题已上报")
    p = Problem.objects.get()
    assert (
        p.source == "GRID_PATROL"
        and p.lat == pytest.approx(40.183, abs=1e-3)
        and p.photos.count() == 1
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_operator_filters_the_demand_list_and_downloads_it(
    login, live_server, world, actors, t0, cal, tmp_path
):
    from openpyxl import load_workbook

    from shaobao.demands.services import demand_create

    made = {
        source: demand_create(
            actor=actors.operator,
            source=source,
            kind="COMPLAINT",
            text=text,
            district_code=world.district.code,
            caller_phone="13912345678",
            township_id=world.town.pk,
            now=t0,
            cal=cal,
        )
        for source, text in (("HOTLINE", "村口垃圾堆积无人清运"), ("WEB", "小区路灯坏了一周"))
    }
    page = login("operator")
    page.goto(f"{live_server.url}/demands/")
    expect(page.locator("table")).to_contain_text(made["HOTLINE"].number)
    page.select_option("select[name=source]", "WEB")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table")).to_contain_text(made["WEB"].number)
    expect(page.locator("table")).not_to_contain_text(made["HOTLINE"].number)
    with page.expect_download() as info:
        page.get_by_role("link", name="导出Excel").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = list(load_workbook(path).active.values)
    assert info.value.suggested_filename == "demands.xlsx"
    assert [r[0] for r in rows[1:]] == [made["WEB"].number] and rows[1][9] == "13912345678"
