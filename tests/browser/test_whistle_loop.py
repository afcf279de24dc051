"""The whole loop through the UI, in a real Chromium: the township blows the whistle; the
department acknowledges, checks in, records an outcome and claims completion; the township
rejects once, the department reworks, the township verifies and evaluates."""

import re

import pytest
from playwright.sync_api import expect

from shaobao.assessments.models import Evaluation
from shaobao.whistles.models import Summons, Whistle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def blow_whistle(page, world, base):
    page.goto(f"{base}/whistles/new/")
    page.select_option("#id_township", str(world.town.pk))
    page.fill("#id_title", "海子村河道乱堆渣土")
    page.fill("#id_description", "河道东岸堆放大量渣土，影响行洪")
    page.fill("#id_address", "海子村东河道")
    page.select_option("#id_area", "KEY_TASK")
    page.select_option("#id_kind", "MANAGEMENT")
    # choosing the matter asks the duty list (htmx) and pre-selects the lead department
    page.select_option("#id_matter", str(world.matters["SW-HD-01"].pk))
    expect(page.locator("#id_lead")).to_have_value(str(world.depts["SW"].pk))
    assist = page.locator(f"#dept-block input[value='{world.depts['CGZF'].pk}']")
    expect(assist).to_be_checked()  # the duty list's assisting department
    assist.uncheck()  # this time the water bureau goes alone
    page.click("#whistle-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("海子村河道乱堆渣土")
    return Whistle.objects.get(title="海子村河道乱堆渣土")


def department_works(page, base, summons, first_time=True):
    page.goto(f"{base}/inbox/")
    page.get_by_role("link", name=re.compile("海子村河道乱堆渣土")).click()
    if first_time:
        page.fill("#id_officer_names", "周敏、李强")
        page.get_by_role("button", name="签收").click()
        expect(page.locator(".messages")).to_contain_text("已签收")
        page.get_by_role("button", name="获取当前位置").click()
        expect(page.locator("[data-locate-status]")).to_contain_text("已定位")
        page.get_by_role("button", name="报到", exact=True).click()
        expect(page.locator("#summons-state")).to_have_text("已报到")
    page.fill("#id_items_removed", "3")
    page.fill("#id_note", "清运渣土三车")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("执法效果已登记")
    page.locator("form button.ok").click()
    expect(page.locator("#summons-state")).to_have_text("待核查")


def township_verifies(page, base, whistle, accept, reason=""):
    page.goto(f"{base}/whistles/{whistle.pk}/")
    card = page.locator(f"#summons-{whistle.summonses.get(role='LEAD').pk}")
    card.locator("[name=decision]").select_option("ACCEPT" if accept else "REJECT")
    if reason:
        card.locator("[name=reason]").fill(reason)
    card.get_by_role("button", name="提交核查").click()
    expect(page.locator(".messages")).to_contain_text("核查结果已保存")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_whistle_loop_through_the_ui(login, live_server, world, phone):
    base = live_server.url
    town = login("commander")
    whistle = blow_whistle(town, world, base)
    summons = whistle.summonses.get(role="LEAD")
    assert summons.department == world.depts["SW"]

    dept = login("sw_head", phone=phone)
    department_works(dept, base, summons)
    summons.refresh_from_db()
    assert summons.check_ins.get().lat == pytest.approx(40.183, abs=1e-3)

    township_verifies(town, base, whistle, accept=False, reason="东岸仍有两处渣土")
    summons.refresh_from_db()
    assert summons.state == Summons.REWORK

    department_works(dept, base, summons, first_time=False)
    township_verifies(town, base, whistle, accept=True)
    expect(town.locator("h1 .badge").first).to_have_text("已办结")

    card = town.locator(f"#summons-{summons.pk}")
    card.locator("[name=timeliness]").select_option("4")
    card.locator("[name=cooperation]").select_option("5")
    card.locator("[name=effectiveness]").select_option("4")
    card.locator("[name=comment]").fill("返工后清理彻底")
    card.get_by_role("button", name="提交评价").click()
    expect(town.locator(".messages")).to_contain_text("评价已提交")
    ev = Evaluation.objects.get(summons=summons)
    assert (ev.timeliness, ev.cooperation, ev.effectiveness) == (4, 5, 4)
    summons.refresh_from_db()
    assert summons.state == Summons.VERIFIED and summons.rework_count == 1
    # the timeline shows the whole story
    timeline = town.locator(".timeline").inner_text()
    for step in ["吹哨", "签收", "报到", "登记执法效果", "核查不通过，返工", "核查通过", "评价"]:
        assert step in timeline


def test_phone_layout_has_no_horizontal_scroll(login, live_server, world):
    page = login("cg_officer", phone=True)
    page.goto(f"{live_server.url}/inbox/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_login_is_throttled(browser, live_server, world):
    ctx = browser.new_context()
    page = ctx.new_page()
    for _ in range(5):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "commander")
        page.fill("#id_password", "wrong")
        page.click("main button[type=submit]")
        expect(page.locator(".messages")).to_contain_text("用户名或密码错误")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "commander")
    page.fill("#id_password", "shaobao-demo-2026")
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("登录失败次数过多")
    ctx.close()
