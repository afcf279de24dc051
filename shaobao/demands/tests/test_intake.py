"""Asynchronous intake: the request stores a pending demand with one audit entry; the intake
worker (demands.intake) places, routes, de-duplicates and dispatches it exactly once — run twice,
run concurrently (PostgreSQL), or with one demand of a batch failing."""

import datetime as dt
import threading

import pytest
from django.db import connection

from shaobao.audit.models import AuditEntry
from shaobao.audit.services import verify
from shaobao.demands import intake
from shaobao.demands import services as S
from shaobao.demands.models import Demand, Dispatch
from shaobao.duties.routing import retrain, suggest
from shaobao.notify.models import Notification
from shaobao.org.scoping import SYSTEM, Actor

pytestmark = pytest.mark.django_db
CLIENT = Actor(user_id=None, label="open311:test")
OUTCOMES = ("demand.route", "demand.duplicate", "demand.dispatch")


def receive(world, t0, **kw):
    args = dict(
        actor=CLIENT,
        source="OPEN311",
        kind="COMPLAINT",
        text="村口垃圾堆积三天无人清运，气味很大",
        subject="暴露垃圾",
        district_code=world.district.code,
        caller_phone="13912345678",
        township_id=world.town.pk,
        now=t0,
    )
    args.update(kw)
    return S.demand_receive(**args)


def run(t, cal, **kw):
    return intake.drain(now_fn=lambda: t, cal=cal, **kw)


def entries(d):
    return list(
        AuditEntry.objects.filter(object_type="demand", object_id=str(d.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def confident(world, code="CX-HJ-01"):
    """A router stand-in that is sure of `code` (the real one is trained below)."""

    def route_many(items, *, now, books):
        for _t, _s, district_code in items:
            intake._duty_book(district_code, now, books)
        return [
            intake.Route(version="test-v1", matter=world.matters[code], confidence=0.99, auto=True)
            for _ in items
        ]

    return route_many


def test_receive_stores_a_pending_demand_with_one_audit_entry(world, t0, cal):
    d = receive(world, t0)
    assert d.status == "RECEIVED" and d.intake_pending and d.number.startswith("SQ")
    assert d.router_version == "" and d.dispatched_at is None
    assert [e.kind for e in d.events.all()] == ["received"]
    assert entries(d) == ["demand.create"]
    assert (
        AuditEntry.objects.get(object_type="demand", object_id=str(d.pk)).data["intake"]
        == "pending"
    )
    assert intake.pending_count() == 1


def test_worker_routes_and_dispatches_exactly_once(world, t0, cal, monkeypatch):
    monkeypatch.setattr(intake, "route_many", confident(world))
    d = receive(world, t0)
    t1 = t0 + dt.timedelta(seconds=2)
    assert run(t1, cal) == 1
    assert run(t1, cal) == 0  # nothing left: a second run changes nothing
    d.refresh_from_db()
    assert not d.intake_pending and d.router_version == "test-v1"
    assert d.status == "DISPATCHED" and d.handler_department.code == "CGZF"
    assert d.matter.code == "CX-HJ-01" and d.dispatched_at == t1
    assert Dispatch.objects.filter(demand=d, auto=True).count() == 1
    assert (
        Notification.objects.filter(event="demand_dispatched", link=f"/demands/{d.pk}/").count()
        == 1
    )
    assert entries(d) == ["demand.create", "demand.dispatch"]
    entry = AuditEntry.objects.get(
        object_type="demand", object_id=str(d.pk), action="demand.dispatch"
    )
    assert entry.data["intake"] == "settled" and entry.data["router_version"] == "test-v1"
    assert entry.actor_label == SYSTEM.label
    assert [e.kind for e in d.events.all()] == ["received", "dispatched"]
    assert verify().ok


def test_worker_links_repeats_in_order(world, t0, cal):
    first = receive(world, t0)
    second = receive(world, t0 + dt.timedelta(minutes=1))
    third = receive(world, t0 + dt.timedelta(minutes=2), caller_phone="13800000000")
    assert run(t0 + dt.timedelta(minutes=3), cal) == 3
    for d in (first, second, third):
        d.refresh_from_db()
        assert not d.intake_pending
    assert first.status == "RECEIVED" and first.duplicate_of is None
    assert second.status == "DUPLICATE" and second.duplicate_of == first
    assert third.duplicate_of == first  # similar text, same township
    assert entries(first) == ["demand.create", "demand.route"]
    assert entries(second) == ["demand.create", "demand.duplicate"]
    assert first.number in second.reply


def test_a_later_demand_is_never_the_original(world, t0, cal):
    # Both pending; the later one is settled in the same batch, after the earlier one.
    later_pk = receive(world, t0).pk
    Demand.objects.filter(pk=later_pk).update(created_at=t0 + dt.timedelta(minutes=5))
    earlier = receive(world, t0 + dt.timedelta(minutes=6))
    run(t0 + dt.timedelta(minutes=7), cal)
    earlier.refresh_from_db()
    assert earlier.duplicate_of_id == later_pk  # only demands filed before it (by number) count
    assert Demand.objects.get(pk=later_pk).duplicate_of is None


def test_operator_first_then_worker_only_records_routing(world, actors, t0, cal, monkeypatch):
    monkeypatch.setattr(intake, "route_many", confident(world))
    d = receive(world, t0)
    S.demand_dispatch(
        actor=actors.operator, demand_id=d.pk, township_id=world.town.pk, now=t0, cal=cal
    )
    assert run(t0 + dt.timedelta(seconds=5), cal) == 1
    d.refresh_from_db()
    assert d.handler_township == world.town and d.handler_department is None
    assert not d.intake_pending and d.router_version == "test-v1"
    assert Dispatch.objects.filter(demand=d).count() == 1
    assert entries(d) == ["demand.create", "demand.dispatch", "demand.route"]


def test_one_failing_demand_leaves_the_others_settled_and_is_retried(world, t0, cal, monkeypatch):
    texts = ["路灯不亮已经一周了", "河道里堆放大量渣土", "小区门口有人占道经营", "楼顶违法加盖"]
    demands = [
        receive(world, t0, text=tx, caller_phone=f"1390000000{i}") for i, tx in enumerate(texts)
    ]
    bad = demands[1]
    real = S._settle

    def flaky(demand, **kw):
        if demand.pk == bad.pk:
            S._log(demand, "half-done", "written, then rolled back", kw["now"])
            raise RuntimeError("boom")
        return real(demand, **kw)

    monkeypatch.setattr(S, "_settle", flaky)
    t1 = t0 + dt.timedelta(seconds=1)
    assert run(t1, cal) == 3
    bad.refresh_from_db()
    assert bad.intake_pending and bad.intake_attempts == 1 and "boom" in bad.intake_error
    assert bad.intake_retry_at == t1 + dt.timedelta(seconds=intake.RETRY_BASE_SECONDS)
    assert entries(bad) == ["demand.create"]  # its savepoint (and its entries) rolled back
    assert [e.kind for e in bad.events.all()] == ["received"]
    assert bad.router_version == ""
    for d in demands:
        if d.pk != bad.pk:
            # settled once: the batch's first pass (all in one savepoint) was rolled back whole
            # and the batch settled again one demand per savepoint
            d.refresh_from_db()
            assert not d.intake_pending and entries(d)[-1] in OUTCOMES
            assert len([a for a in entries(d) if a in OUTCOMES]) == 1
            assert [e.kind for e in d.events.all()][0] == "received"
            assert len([e for e in d.events.all() if e.kind == "received"]) == 1
            assert d.intake_attempts == 0
    assert run(t1 + dt.timedelta(seconds=10), cal) == 0  # not due yet
    monkeypatch.setattr(S, "_settle", real)
    assert run(t1 + dt.timedelta(seconds=31), cal) == 1  # retried later, settled
    bad.refresh_from_db()
    assert not bad.intake_pending and bad.intake_error == "" and bad.intake_retry_at is None
    assert len([a for a in entries(bad) if a in OUTCOMES]) == 1
    assert verify().ok


def test_a_clean_batch_takes_no_savepoint_per_demand(world, t0, cal, monkeypatch):
    """Savepoints cost two statements each: a batch without failures settles its demands (and
    queues their dispatch notifications) inside one, whatever its size."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(intake, "route_many", confident(world))
    demands = [
        receive(
            world, t0, text=f"第{i}号路口井盖缺失，{i}人险些摔倒", caller_phone=f"1380000000{i}"
        )
        for i in range(5)
    ]
    with CaptureQueriesContext(connection) as q:
        counts = intake.process_pending(now=t0 + dt.timedelta(seconds=1), cal=cal)
    assert sum(counts.values()) == 5 and "failed" not in counts
    savepoints = [x["sql"] for x in q.captured_queries if x["sql"].startswith("SAVEPOINT")]
    # the batch's transaction (a savepoint inside the test's own) and the settling pass
    assert len(savepoints) == 2
    dispatched = Demand.objects.filter(pk__in=[d.pk for d in demands], status="DISPATCHED")
    assert dispatched.count() >= 1
    assert Notification.objects.filter(event="demand_dispatched").count() == dispatched.count()
    assert verify().ok


def test_settling_writes_every_field_it_changed(world, t0, cal, monkeypatch):
    """The worker saves only the fields settling changed (not the whole row): after it, each
    demand in the database equals the one settling left in memory — dispatched, repeat and
    left for the operator alike."""
    monkeypatch.setattr(intake, "route_many", confident(world))
    settled = []
    real = S._settle

    def capture(demand, **kw):
        outcome = real(demand, **kw)
        settled.append((outcome, demand))
        return outcome

    monkeypatch.setattr(S, "_settle", capture)
    receive(world, t0, text="第一大街路灯全部不亮已经一周", caller_phone="13700000001")
    intake.drain(now_fn=lambda: t0 + dt.timedelta(seconds=1), cal=cal)
    receive(world, t0, text="第一大街路灯全部不亮已经一周了", caller_phone="13700000002")
    receive(world, t0, kind="CONSULTATION", text="请问办理居住证需要什么材料")
    intake.drain(now_fn=lambda: t0 + dt.timedelta(seconds=2), cal=cal)
    assert sorted(o for o, _d in settled) == ["dispatched", "duplicate", "received"]
    fields = [f.attname for f in Demand._meta.concrete_fields]
    for _o, d in settled:
        stored = Demand.objects.get(pk=d.pk)
        assert {f: getattr(stored, f) for f in fields} == {f: getattr(d, f) for f in fields}
        assert not stored.intake_pending and stored.router_version == "test-v1"


def test_worker_settles_pending_intake_every_round(world, t0, cal, monkeypatch):
    from shaobao.notify.management.commands import worker

    d = receive(world, t0)
    monkeypatch.setattr(worker, "now", lambda: t0 + dt.timedelta(seconds=1))
    assert worker.intake_step() == 1
    d.refresh_from_db()
    assert not d.intake_pending
    # a failing batch is logged, never stops the worker
    monkeypatch.setattr(worker, "intake_drain", lambda **kw: 1 / 0)
    assert worker.intake_step() == 0


def test_repeats_never_chain(world, actors, t0, cal):
    """A hotline repeat of an Open311 demand still waiting for the worker is not linked to it
    (it may itself be a repeat); a repeat of a repeat points at the original."""
    first = S.demand_create(
        actor=actors.operator,
        source="HOTLINE",
        kind="COMPLAINT",
        text="金海湖镇政府门口的路灯坏了三盏，晚上很黑",
        caller_phone="13900000009",
        district_code="110117",
        township_id=world.town.pk,
        now=t0,
        cal=cal,
    )
    pending = receive(
        world, t0 + dt.timedelta(minutes=1), text=first.text + "！", caller_phone="13900000011"
    )
    hotline = S.demand_create(
        actor=actors.operator,
        source="HOTLINE",
        kind="COMPLAINT",
        text=first.text + "。",
        caller_phone="13900000010",
        district_code="110117",
        township_id=world.town.pk,
        now=t0 + dt.timedelta(minutes=2),
        cal=cal,
    )
    assert hotline.duplicate_of_id == first.pk  # not the pending one
    run(t0 + dt.timedelta(minutes=3), cal)
    pending.refresh_from_db()
    assert pending.duplicate_of_id == first.pk
    chained = Demand.objects.filter(duplicate_of__duplicate_of__isnull=False)
    assert not chained.exists()


def test_synchronous_create_is_settled_at_once(world, actors, t0, cal):
    d = S.demand_create(
        actor=actors.operator,
        source="HOTLINE",
        kind="COMPLAINT",
        text="村口垃圾堆积三天无人清运，气味很大",
        caller_phone="13912345678",
        district_code="110117",
        township_id=world.town.pk,
        now=t0,
        cal=cal,
    )
    assert not d.intake_pending and intake.pending_count() == 0
    assert entries(d) == ["demand.create"]


@pytest.mark.parametrize("load", [1000, 3])
def test_batch_repeat_candidates_answer_what_the_query_answers(world, t0, cal, monkeypatch, load):
    """The worker's per-batch candidates (RepeatCandidates) find the same original as the
    repeat check's own queries — same caller and matter, or similar text — for every demand and
    window, also when a township has more open demands than it caches (it then falls back to
    the query) or the caller is not one of the batch's."""
    monkeypatch.setattr(S.RepeatCandidates, "LOAD", load)
    hj, wj = world.matters["CX-HJ-01"], world.matters["CX-WJ-01"]
    rows = [
        ("金海湖镇政府门口的路灯坏了三盏，晚上很黑", "13700000001", hj),
        ("金海湖镇政府门口的路灯坏了两盏，晚上很黑", "13700000002", hj),
        ("河道里堆放大量渣土，堵塞河道", "13700000001", hj),
        ("河道里堆放大量渣土，堵塞河道！！", "13700000001", wj),
        ("小区门口有人占道经营，噪音很大", "13700000003", hj),
        ("楼顶违法加盖二层彩钢房", "13700000003", wj),
    ]
    made = []
    for i, (tx, phone, matter) in enumerate(rows):
        d = receive(world, t0 + dt.timedelta(days=i * 4), text=tx, caller_phone=phone)
        Demand.objects.filter(pk=d.pk).update(intake_pending=False, matter=matter)
        made.append(d)
    Demand.objects.filter(pk=made[4].pk).update(status=Demand.CLOSED)  # closed: never an original
    phones = ["13700000001", "13700000003", "13700000009", ""]
    cache = S.RepeatCandidates(phones=phones[:2])  # the third is not one of the batch's callers
    probes = [r[0] for r in rows] + ["河道里堆放大量渣土，堵塞河道。", "今天天气不错"]
    seen = set()
    for days in (1, 12, 25, 40):
        for exclude in [None, *(d.pk for d in made)]:
            for text in probes:
                for phone in phones:
                    for matter in (None, hj, wj):
                        args = dict(
                            district=world.district,
                            township=world.town,
                            phone=phone,
                            text=text,
                            matter=matter,
                            now=t0 + dt.timedelta(days=days),
                            exclude_pk=exclude,
                        )
                        expected = S.find_original(**args)
                        got = S.find_original(**args, candidates=cache)
                        assert got == expected, (days, exclude, text, phone, matter)
                        seen.add(expected.pk if expected else None)
    assert {made[0].pk, made[2].pk, made[3].pk, made[5].pk, None} <= seen
    assert made[4].pk not in seen
    # a demand the batch settles becomes a candidate for the checks after it
    later = receive(
        world,
        t0 + dt.timedelta(days=26),
        text="村委会后面有一处污水井满溢，臭味很大",
        caller_phone="13700000003",
    )
    Demand.objects.filter(pk=later.pk).update(intake_pending=False, matter=hj)
    later.refresh_from_db()
    cache.add(later)
    args = dict(
        district=world.district,
        township=world.town,
        phone="13700000003",
        text="村委会后面有一处污水井满溢，臭味很大。",
        matter=None,
        now=t0 + dt.timedelta(days=27),
    )
    assert S.find_original(**args, candidates=cache) == S.find_original(**args) == later
    args.update(text="完全不同的一件事情，需要处理", matter=hj)
    assert S.find_original(**args, candidates=cache) == S.find_original(**args) == later


@pytest.fixture
def trained(decided_history, t0):
    return retrain(now=t0, actor=SYSTEM)


def test_batch_routing_agrees_with_suggest(world, trained, t0):
    texts = [
        ("路边垃圾堆积发臭没人管", ""),
        ("河边有人倾倒建筑垃圾", "河道乱堆乱放"),
        ("楼顶搭建违章建筑", ""),
        ("私搭乱建，垃圾桶满溢", ""),
        ("今天天气不错", ""),
    ]
    routes = intake.route_many([(t, s, "110117") for t, s in texts], now=t0, books={})
    for (text, subject), route in zip(texts, routes, strict=True):
        r = suggest(text=text, subject=subject, district_code="110117", now=t0)
        top = r.suggestions[0] if r.suggestions else None
        assert route.version == r.version == trained.version
        assert route.matter == (top.matter if top else None), text
        assert route.confidence == (top.confidence if top else None), text
        assert route.auto == r.auto, text


def test_real_router_end_to_end(world, trained, t0, cal):
    d = receive(world, t0, text="小区门口垃圾成堆，请尽快处理", caller_phone="13700000000")
    assert run(t0 + dt.timedelta(seconds=1), cal) == 1
    d.refresh_from_db()
    assert d.router_version == trained.version and d.router_matter.code == "CX-HJ-01"
    assert entries(d)[-1] in OUTCOMES


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL (SQLite: one writer)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_settle_each_demand_once(t0, cal, monkeypatch):
    from shaobao.org.cast import build_world

    world = build_world(now=t0)
    monkeypatch.setattr(intake, "route_many", confident(world))
    demands = [
        receive(world, t0, text=f"第{i}处路边暴露垃圾无人清运", caller_phone=f"1380000{i:04d}")
        for i in range(40)
    ]
    real, started = S._settle, threading.Barrier(2, timeout=30)

    def slow(demand, **kw):
        import time

        time.sleep(0.01)  # keep the batch's row locks held while the other worker claims
        return real(demand, **kw)

    monkeypatch.setattr(S, "_settle", slow)
    done, errors = [], []

    def worker():
        from django.db import connections

        try:
            started.wait()
            done.append(run(t0 + dt.timedelta(seconds=1), cal, batch=8))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert sum(done) == 40 and all(n > 0 for n in done), done  # both took part, no demand twice
    for d in demands:
        assert len([a for a in entries(d) if a in OUTCOMES]) == 1, d.pk
    assert Demand.objects.filter(intake_pending=True).count() == 0
    assert (
        Dispatch.objects.filter(demand__in=demands).count()
        == Demand.objects.filter(pk__in=[d.pk for d in demands], status="DISPATCHED").count()
    )
    assert verify().ok


def test_a_demand_that_keeps_failing_is_left_to_the_operators(world, t0, cal, monkeypatch):
    d = receive(world, t0)
    monkeypatch.setattr(S, "_settle", lambda demand, **kw: 1 / 0)
    t = t0
    for attempt in range(1, intake.MAX_ATTEMPTS + 1):
        t = t + dt.timedelta(days=1)  # past any back-off
        assert run(t, cal) == 0
        d.refresh_from_db()
        assert d.intake_attempts == attempt
        assert d.intake_pending == (attempt < intake.MAX_ATTEMPTS)
    assert d.status == "RECEIVED" and "ZeroDivisionError" in d.intake_error
    assert (
        run(t + dt.timedelta(days=1), cal) == 0
        and Demand.objects.get(pk=d.pk).intake_attempts == intake.MAX_ATTEMPTS
    )


def test_batch_candidates_see_other_transactions_within_a_second(world, t0):
    """What another worker or the hotline commits after the batch read its candidates is found
    once the candidates are older than REFRESH_SECONDS (the rows above the highest id read)."""
    clock = [100.0]
    cache = S.RepeatCandidates(phones=["13700000005"], clock=lambda: clock[0])
    args = dict(
        district=world.district,
        township=world.town,
        phone="13700000005",
        text="村委会后面有一处污水井满溢，臭味很大。",
        matter=world.matters["CX-HJ-01"],
        now=t0 + dt.timedelta(hours=1),
        candidates=cache,
    )
    assert S.find_original(**args) is None  # reads the (empty) candidates
    other = receive(
        world, t0, text="村委会后面有一处污水井满溢，臭味很大", caller_phone="13700000009"
    )
    Demand.objects.filter(pk=other.pk).update(intake_pending=False)
    same = receive(world, t0, text="完全无关的一件事情，需要处理", caller_phone="13700000005")
    Demand.objects.filter(pk=same.pk).update(intake_pending=False, matter=world.matters["CX-HJ-01"])
    clock[0] += S.RepeatCandidates.REFRESH_SECONDS / 2
    assert S.find_original(**args) is None  # still the batch's own view
    clock[0] += S.RepeatCandidates.REFRESH_SECONDS
    assert S.find_original(**args) == same  # same caller and matter first
    assert S.find_original(**{**args, "phone": ""}) == other  # similar text


def test_an_original_closed_after_the_batch_read_it_is_not_linked(world, t0, cal):
    original = receive(world, t0, text="村委会后面有一处污水井满溢，臭味很大", caller_phone="")
    Demand.objects.filter(pk=original.pk).update(intake_pending=False)
    cache = S.RepeatCandidates()
    repeat = receive(world, t0 + dt.timedelta(minutes=5), text=original.text + "。")
    check = dict(
        district=world.district,
        township=world.town,
        phone="",
        text=repeat.text,
        matter=None,
        now=repeat.created_at,
        exclude_pk=repeat.pk,
    )
    assert S.find_original(**check, candidates=cache) == original  # read into the candidates
    Demand.objects.filter(pk=original.pk).update(status=Demand.CLOSED)  # by an operator, meanwhile
    assert S.find_original(**check, candidates=cache) == original  # the batch's view is older
    repeat.refresh_from_db()
    outcome = S._settle(
        repeat,
        actor=SYSTEM,
        matter=None,
        auto=False,
        hint=None,
        since=repeat.created_at,
        candidates=cache,
        now=t0 + dt.timedelta(minutes=6),
        cal=cal,
    )
    repeat.refresh_from_db()
    assert outcome == "received" and repeat.duplicate_of is None and repeat.status == "RECEIVED"


def test_auto_dispatch_compares_the_unrounded_confidence(world, t0, monkeypatch):
    """A confidence just under the threshold that rounds up to it (0.94996 → 0.95) is shown as
    0.95 but not dispatched automatically, here and on the operator's screen."""
    from types import SimpleNamespace

    from shaobao.duties import routing
    from shaobao.duties.router.engine import Prediction

    code = "CX-HJ-01"

    class Model:
        def predict(self, texts, subjects):
            return [Prediction(code, 0.94996, [(code, 0.94996)], False) for _ in texts]

        def explain(self, text, subject, k=8):
            return []

    rv = SimpleNamespace(version="stub", threshold=0.95)
    monkeypatch.setattr(intake, "active_model", lambda: (rv, Model()))
    monkeypatch.setattr(routing, "active_model", lambda: (rv, Model()))
    route = intake.route_many([("垃圾", "", "110117")], now=t0, books={})[0]
    assert route.matter.code == code and route.confidence == 0.95 and not route.auto
    r = routing.suggest(text="垃圾", subject="", district_code="110117", now=t0)
    assert r.suggestions[0].confidence == 0.95 and not r.auto
