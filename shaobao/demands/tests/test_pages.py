"""The demand pages: operator intake to dispatch, the handler's work, the callback, the citizen's
form and tracking page, and the caller's privacy on every page."""

import pytest
from django.test import Client

from shaobao.demands.models import Demand

pytestmark = pytest.mark.django_db


def login(world, username):
    c = Client()
    c.force_login(world.users[username])
    return c


def test_operator_intake_dispatch_handler_callback(world):
    op = login(world, "operator")
    assert op.get("/demands/intake/").status_code == 200
    assert (
        op.get("/demands/hints/?text=村口垃圾堆积无人清运&caller_phone=13912345678").status_code
        == 200
    )
    r = op.post(
        "/demands/intake/",
        {
            "caller_phone": "13912345678",
            "caller_name": "张三",
            "kind": "COMPLAINT",
            "text": "村口垃圾堆积三天无人清运",
            "address": "海子村口",
            "township": world.town.pk,
        },
    )
    d = Demand.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/demands/{d.pk}/"
    page = op.get(f"/demands/{d.pk}/").content.decode()
    assert "13912345678" in page and "派单" in page
    op.post(
        f"/demands/{d.pk}/dispatch/",
        {"matter": world.matters["CX-HJ-01"].pk, "handler": f"d{world.depts['CGZF'].pk}"},
    )
    d.refresh_from_db()
    assert d.status == "DISPATCHED" and d.handler_department == world.depts["CGZF"]
    cg = login(world, "cg_officer")
    assert (
        "13912345678" in cg.get(f"/demands/{d.pk}/").content.decode()
    )  # the handler calls the caller
    cg.post(f"/demands/{d.pk}/contact/")
    cg.post(f"/demands/{d.pk}/respond/", {"response": "已安排清运"})
    cg.post(
        f"/demands/{d.pk}/callback/", {"reached": "1", "solved": "1", "satisfaction": "SATISFIED"}
    )
    d.refresh_from_db()
    assert d.status == "RESPONDED"  # only the hotline calls back
    op.post(
        f"/demands/{d.pk}/callback/", {"reached": "1", "solved": "1", "satisfaction": "SATISFIED"}
    )
    d.refresh_from_db()
    assert d.status == "CLOSED"
    inspector = login(world, "inspector").get(f"/demands/{d.pk}/").content.decode()
    assert "13912345678" not in inspector and "139****5678" in inspector and "张三" not in inspector
    assert login(world, "gh_head").get(f"/demands/{d.pk}/").status_code == 404


def test_citizen_form_and_tracking(world):
    c = Client()
    r = c.post(
        "/citizen/",
        {
            "kind": "HELP",
            "text": "小区路灯坏了一周，晚上很黑",
            "address": "兴谷街道",
            "township": world.street.pk,
            "caller_name": "王",
            "caller_phone": "13811112222",
        },
    )
    assert r.status_code == 200
    d = Demand.objects.get()
    assert d.source == "WEB" and d.number in r.content.decode()
    r = c.post("/citizen/track/", {"number": d.number, "phone_last4": "2222"})
    assert "诉求已受理" in r.content.decode()
    r = c.post("/citizen/track/", {"number": d.number, "phone_last4": "0000"})
    assert "不正确" in r.content.decode() and "小区路灯" not in r.content.decode()
    for _ in range(5):
        c.post("/citizen/track/", {"number": d.number, "phone_last4": "0000"})
    assert c.post("/citizen/track/", {"number": d.number, "phone_last4": "2222"}).status_code == 429


def test_the_appeal_form_counts_and_obeys_the_same_throttle(world, hotline_demand, settings):
    """The appeal checks the number and the last four digits again: its misses count toward the
    tracking page's limit, and past the limit it answers neither right nor wrong."""
    from shaobao.org.models import LoginAttempt

    d = hotline_demand(dept="CGZF")  # the caller's phone ends in 5678

    def appeal(c, last4):
        r = c.post(
            "/citizen/appeal/",
            {"number": d.number, "phone_last4": last4, "reason": "记录有误"},
            follow=True,
        )
        return " ".join(str(m) for m in r.context["messages"])

    c = Client()
    for guess in ("0000", "0001", "0002", "0003", "0004"):
        assert "不正确" in appeal(c, guess)
    assert LoginAttempt.objects.filter(username=f"track:{d.number}").count() == 5
    assert c.post("/citizen/track/", {"number": d.number, "phone_last4": "5678"}).status_code == 429
    told = appeal(c, "5678")  # the right digits, past the limit: no answer either way
    assert "次数过多" in told and "申诉已提交" not in told and not d.appeals.exists()
    # behind one trusted proxy the client's own address is counted, not the proxy's (else one
    # guesser would lock tracking for every citizen)
    settings.SHAOBAO = {**settings.SHAOBAO, "TRUSTED_PROXIES": 1}
    e = hotline_demand(caller_phone="13700001111")
    Client(HTTP_X_FORWARDED_FOR="203.0.113.7").post(
        "/citizen/track/", {"number": e.number, "phone_last4": "0000"}
    )
    assert LoginAttempt.objects.get(username=f"track:{e.number}").address == "203.0.113.7"


def test_township_handler_turns_demand_into_problem_and_follows_the_whistle(world, actors, t0, cal):
    from shaobao.demands import services as DS
    from shaobao.whistles import services as WS

    d = DS.demand_create(
        actor=actors.operator,
        source="HOTLINE",
        kind="COMPLAINT",
        text="河道里堆满渣土",
        district_code="110117",
        now=t0,
        cal=cal,
    )
    DS.demand_dispatch(
        actor=actors.operator, demand_id=d.pk, township_id=world.town.pk, now=t0, cal=cal
    )
    DS.demand_contact(actor=actors.staff, demand_id=d.pk, now=t0)
    DS.demand_to_problem(actor=actors.staff, demand_id=d.pk, now=t0)
    d.refresh_from_db()
    w = WS.whistle_blow(
        actor=actors.commander,
        township_id=world.town.pk,
        title="河道渣土",
        description="d",
        address="a",
        area="CITIZEN_DEMAND",
        kind="MANAGEMENT",
        mode="ROUTINE",
        problem_ids=[d.problem_id],
        summoned=[WS.SummonsSpec(world.depts["SW"].pk, "LEAD")],
        now=t0,
        cal=cal,
    )
    s = w.summonses.get()
    WS.summons_acknowledge(actor=actors.sw_head, summons_id=s.pk, officer_names="周敏", now=t0)
    WS.summons_check_in(actor=actors.sw_head, summons_id=s.pk, now=t0)
    WS.summons_record_outcome(actor=actors.sw_head, summons_id=s.pk, note="清运", now=t0)
    WS.summons_claim_completion(actor=actors.sw_head, summons_id=s.pk, now=t0)
    WS.summons_verify(actor=actors.commander, summons_id=s.pk, accept=True, now=t0)
    d.refresh_from_db()
    assert d.status == "RESPONDED" and d.problem.number in d.response


def test_repeat_hints_find_only_callers_the_user_may_see(world, actors, hotline_demand):
    """The intake form's repeat hints look demands up by the caller's full phone number: only
    the demands whose caller the user may see (the hotline, the handler), else a role that sees
    phones masked could learn who filed what."""
    from shaobao.demands.permissions import callers_seen_by, may_see_caller

    d = hotline_demand(dept="CGZF", caller_phone="13912345678")
    url = "/demands/hints/?caller_phone=13912345678"
    assert d.number in login(world, "operator").get(url).content.decode()
    for username in ("inspector", "assessor", "admin", "supervisor", "commander", "sw_head"):
        assert d.number not in login(world, username).get(url).content.decode(), username
    # the query answers what may_see_caller answers, for every role
    for name, who in actors.items():
        assert Demand.objects.filter(callers_seen_by(who)).exists() == may_see_caller(who, d), name


def test_the_detail_page_title_is_the_number_also_with_an_appeal(world, actors, t0, hotline_demand):
    import re

    from shaobao.demands import services as S

    d = hotline_demand(dept="CGZF")
    S.demand_contact(actor=actors.cg_head, demand_id=d.pk, now=t0)
    S.demand_respond(actor=actors.cg_head, demand_id=d.pk, response="已清运", now=t0)
    S.callback_record(
        actor=actors.operator, demand_id=d.pk, solved=False, satisfaction="UNSATISFIED", now=t0
    )
    S.appeal_raise(demand=d, reason="其实已经解决了", now=t0)
    page = login(world, "operator").get(f"/demands/{d.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert d.number in title and "<" not in title and "csrf" not in title
    assert page.count("其实已经解决了") == 1  # the appeal is shown once, in the page


def test_citizen_form_errors_say_what_is_expected(world):
    c = Client()
    r = c.post(
        "/citizen/",
        {"kind": "HELP", "text": "路灯坏了一周", "caller_phone": "１３８１１１１２２２２"},
    )
    assert "11位手机号码" in r.content.decode() and not Demand.objects.exists()
    r = c.post("/citizen/track/", {"number": "SQ12", "phone_last4": "12a4"})
    page = r.content.decode()
    assert "SQ加9位数字" in page and "后四位数字" in page
    r = c.post(
        "/citizen/track/",
        {"number": "SQ12", "phone_last4": "1"},
        HTTP_COOKIE="shaobao_lang=en",
    )
    assert "9 digits" in r.content.decode()
