"""Demands as tests need them, built through the services (the cast of shaobao.org.cast)."""

import datetime as dt

from shaobao.demands import services as S


def hotline_demand(world, actors, now, cal, *, dept: str | None = None, **kw):
    """A demand taken by the hotline operator (`demand_create`: 金海湖镇, a caller, at `now`);
    keyword arguments replace the defaults. With `dept` (a department code, e.g. "CGZF") it is
    also dispatched there at `now` for the matter CX-HJ-01 (暴露垃圾), unless intake already
    settled it (the router may dispatch by itself)."""
    args = dict(
        actor=actors.operator,
        source="HOTLINE",
        kind="COMPLAINT",
        text="村口垃圾堆积三天无人清运，气味很大",
        caller_name="张三",
        caller_phone="13912345678",
        district_code=world.district.code,
        township_id=world.town.pk,
        now=now,
        cal=cal,
    )
    args.update(kw)
    d = S.demand_create(**args)
    if dept is None:
        return d
    d.refresh_from_db()
    if d.status == "RECEIVED":
        S.demand_dispatch(
            actor=actors.operator,
            demand_id=d.pk,
            matter_id=world.matters["CX-HJ-01"].pk,
            department_id=world.depts[dept].pk,
            now=now,
            cal=cal,
        )
        d.refresh_from_db()
    return d


def handled(
    world,
    actors,
    now,
    cal,
    *,
    contact_after: dt.timedelta,
    sat,
    solved=True,
    reached=True,
    phone="13900000001",
):
    """A demand dispatched to 城管 at `now`, contacted and answered after `contact_after`, and
    called back 30 hours after `now`."""
    d = hotline_demand(
        world,
        actors,
        now,
        cal,
        dept="CGZF",
        text=f"路灯不亮{phone}",
        caller_name="",
        caller_phone=phone,
        township_id=None,
    )
    S.demand_contact(actor=actors.cg_head, demand_id=d.pk, now=now + contact_after)
    S.demand_respond(
        actor=actors.cg_head, demand_id=d.pk, response="已修复", now=now + contact_after
    )
    S.callback_record(
        actor=actors.operator,
        demand_id=d.pk,
        reached=reached,
        solved=solved,
        satisfaction=sat,
        now=now + dt.timedelta(hours=30),
    )
    return d
