"""Assessment runs: freeze a period's facts, score them, publish.

`run_create` copies, in one transaction, every demand and summons of the period into fact rows
(`INSERT … SELECT` in the database: a district-year of two million demands is not read into
Python), then counts them per unit and scores them (`scoring.score`). `run_recompute` scores the
frozen facts again and compares digests: a run is reproducible by construction, and this is how
anyone can check it. A published run is never changed; a later run of the same period supersedes
it and both stay readable.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time

from django.db import connection, transaction
from django.utils.translation import gettext as _

from shaobao.assessments import indicators as I
from shaobao.assessments.models import DemandFact, Result, Run, Scheme, SummonsFact
from shaobao.assessments.scoring import digest, score
from shaobao.audit.services import record
from shaobao.core import validate as V
from shaobao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shaobao.core.sql import db_datetime, table
from shaobao.core.workdays import LOCAL_TZ
from shaobao.demands import sql as DS
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import Actor

MANAGERS = {R.ASSESSOR, R.ADMIN}
RETRY_WINDOW = dt.timedelta(minutes=1)


def period_bounds(period: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """Validate a period's first day; returns (first day, last day inclusive)."""
    if not 2000 <= start.year <= 2999:
        raise InvalidInput(_("考核周期不正确"), fields={"period_start": "out_of_range"})
    if period == Run.MONTH:
        if start.day != 1:
            raise InvalidInput(_("月度考核须从每月1日开始"), fields={"period_start": "not_aligned"})
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    elif period == Run.QUARTER:
        if start.day != 1 or start.month not in (1, 4, 7, 10):
            raise InvalidInput(
                _("季度考核须从1、4、7、10月的1日开始"), fields={"period_start": "not_aligned"}
            )
        last_month = start.month + 2
        end = start.replace(month=last_month, day=calendar.monthrange(start.year, last_month)[1])
    elif period == Run.YEAR:
        if (start.month, start.day) != (1, 1):
            raise InvalidInput(_("年度考核须从1月1日开始"), fields={"period_start": "not_aligned"})
        end = start.replace(month=12, day=31)
    else:
        raise InvalidInput(_("考核周期不正确"), fields={"period": "invalid"})
    return start, end


def _utc_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    a = dt.datetime.combine(start, dt.time(), tzinfo=LOCAL_TZ).astimezone(dt.UTC)
    b = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
    return a, b.astimezone(dt.UTC)


def check_manager(actor: Actor, district: Jurisdiction):
    if not actor.covers(MANAGERS, district.code):
        raise PermissionDenied(_("只有考核办可以管理考核"))


def _freeze_demands(run: Run, a, b) -> int:
    unit = (
        "d.handler_department_id" if run.subject == Scheme.DEPARTMENT else "d.handler_township_id"
    )
    sql = f"""
        INSERT INTO {table(DemandFact)} (run_id, demand_id, unit, source, kind, counted, excluded,
            response_due, on_time, reached, solved, satisfaction, closing_due, closed_on_time)
        SELECT %s, d.id, {unit}, d.source, d.kind,
            COALESCE({DS.COUNTED}, FALSE),
            d.excluded,
            COALESCE({DS.RESPONSE_DUE}, FALSE),
            COALESCE({DS.CONTACTED_ON_TIME}, FALSE),
            COALESCE(c.reached, FALSE),
            COALESCE(c.reached AND c.solved, FALSE),
            CASE WHEN c.reached THEN COALESCE(c.satisfaction, '') ELSE '' END,
            COALESCE(d.responded_at IS NOT NULL OR d.deadline_at <= %s, FALSE),
            COALESCE(d.responded_at <= d.deadline_at, FALSE)
        {DS.demands_with_latest_callback()}
        WHERE d.district_id = %s AND d.created_at >= %s AND d.created_at < %s
            AND {unit} IS NOT NULL
    """
    with connection.cursor() as cur:
        f = db_datetime(run.frozen_at)
        cur.execute(sql, [run.pk, f, f, run.district_id, db_datetime(a), db_datetime(b)])
        return cur.rowcount


def _freeze_summons(run: Run, a, b) -> int:
    from shaobao.assessments.models import Evaluation
    from shaobao.whistles.models import Objection, Summons, Whistle

    unit = "s.department_id" if run.subject == Scheme.DEPARTMENT else "w.township_id"
    # A township answers for the whistles it blew; one a department blew in its area is verified
    # and evaluated by that department, not by the township.
    blown_by = "" if run.subject == Scheme.DEPARTMENT else "AND w.blown_by_department_id IS NULL"
    live = "s.state NOT IN ('CANCELLED', 'RELEASED')"
    sql = f"""
        INSERT INTO {table(SummonsFact)} (run_id, summons_id, whistle_id, unit, whistle_kind,
            whistle_mode, state, report_due, checked_in_on_time, refused, finish_due,
            finished_on_time, claimed, reworked, verified, objection_lost, evaluation_id,
            evaluation_score)
        SELECT %s, s.id, w.id, {unit}, w.kind, w.mode, s.state,
            COALESCE({live} AND (s.checked_in_at IS NOT NULL OR s.report_by_at <= %s), FALSE),
            COALESCE(s.checked_in_at <= s.report_by_at, FALSE),
            COALESCE({live} AND s.checked_in_at IS NULL AND s.report_by_at <= %s, FALSE),
            COALESCE({live} AND (s.claimed_at IS NOT NULL OR s.finish_by_at <= %s), FALSE),
            COALESCE(s.claimed_at <= s.finish_by_at, FALSE),
            COALESCE(s.claimed_at IS NOT NULL, FALSE),
            COALESCE(s.rework_count > 0, FALSE),
            COALESCE(s.state = 'VERIFIED', FALSE),
            EXISTS (SELECT 1 FROM {table(Objection)} o
                    WHERE o.summons_id = s.id AND o.state = 'DISMISSED'),
            e.id,
            (e.timeliness + e.cooperation + e.effectiveness - 3) / 12.0
        FROM {table(Summons)} s
        JOIN {table(Whistle)} w ON w.id = s.whistle_id
        JOIN {table(Jurisdiction)} t ON t.id = w.township_id
        LEFT JOIN {table(Evaluation)} e ON e.summons_id = s.id AND NOT EXISTS (
            SELECT 1 FROM {table(Evaluation)} e2
            WHERE e2.summons_id = e.summons_id AND e2.version > e.version)
        WHERE t.code LIKE %s AND s.created_at >= %s AND s.created_at < %s
            AND NOT (w.mode = 'SURPRISE' AND w.launched_at IS NULL) {blown_by}
    """
    prefix = run.district.code[:6] + "%"
    with connection.cursor() as cur:
        f = db_datetime(run.frozen_at)
        cur.execute(sql, [run.pk, f, f, f, prefix, db_datetime(a), db_datetime(b)])
        return cur.rowcount


def count_facts(run: Run, confs: list[dict]) -> dict:
    """unit → {code: (numerator, denominator)}, counted in the database from the run's facts."""
    counts: dict[int, dict] = {}
    for facts, model in ((I.DEMAND, DemandFact), (I.SUMMONS, SummonsFact)):
        mine = [c for c in confs if I.CATALOGUE[c["code"]].facts == facts]
        if not mine:
            continue
        aggs = {}
        for conf in mine:
            aggs.update(I.aggregates(conf))
        for row in model.objects.filter(run=run).values("unit").annotate(**aggs).order_by():
            unit = counts.setdefault(row["unit"], {})
            for conf in mine:
                code = conf["code"]
                unit[code] = (row[f"{code}__num"] or 0, row[f"{code}__den"] or 0)
    return counts


def _units(run: Run) -> dict[int, str]:
    if run.subject == Scheme.DEPARTMENT:
        qs = Department.objects.filter(district=run.district, active=True)
        return {d.pk: str(d) for d in qs}
    qs = Jurisdiction.objects.filter(
        level=Jurisdiction.TOWNSHIP, code__startswith=run.district.code[:6], active=True
    )
    return {j.pk: j.name for j in qs}


def compute(run: Run, units=None) -> dict:
    """Score a run from its frozen facts, for `units` (default: every unit of the district now,
    data or not — what a new run lists)."""
    confs = run.scheme.indicators
    counts = count_facts(run, confs)
    for unit in _units(run) if units is None else units:
        counts.setdefault(unit, {})
    return score(confs, counts)


def _store(run: Run, result: dict):
    names = _units(run)
    missing = set(result["units"]) - set(names)
    if missing:  # a unit since deactivated, or of another district: name it anyway
        model = Department if run.subject == Scheme.DEPARTMENT else Jurisdiction
        names.update({o.pk: str(o) for o in model.objects.filter(pk__in=missing)})
    rows = []
    for unit, u in result["units"].items():
        volume = max((d["den"] for d in u["detail"].values()), default=0)
        rows.append(
            Result(
                run=run,
                unit=unit,
                unit_name=names.get(unit, str(unit))[:100],
                total=u["total"],
                rank=u["rank"],
                volume=volume,
                detail=u["detail"],
                reasons=u["reasons"],
            )
        )
    Result.objects.bulk_create(rows, batch_size=500)


def run_create(*, actor: Actor, scheme_id, period: str, period_start: dt.date, now) -> Run:
    t0 = time.perf_counter()
    try:
        scheme = Scheme.objects.select_related("district").get(pk=int(scheme_id))
    except (Scheme.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(_("考核方案不存在")) from None
    check_manager(actor, scheme.district)
    if scheme.is_draft:
        raise Conflict(_("考核方案尚未发布"), code="scheme_not_published")
    start, end = period_bounds(period, period_start)
    if start > now.astimezone(LOCAL_TZ).date():
        raise InvalidInput(_("考核周期尚未开始"), fields={"period_start": "future"})
    a, b = _utc_bounds(start, end)
    with transaction.atomic():
        # a double submit (or a retried request) gets the draft it just made, not a second one
        Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
        recent = Run.objects.filter(
            scheme=scheme,
            period=period,
            period_start=start,
            state=Run.DRAFT,
            created_by_id=actor.user_id,
            frozen_at__gte=now - RETRY_WINDOW,
            frozen_at__lte=now,
        ).first()
        if recent is not None:
            return recent
        run = Run.objects.create(
            scheme=scheme,
            district=scheme.district,
            subject=scheme.subject,
            period=period,
            period_start=start,
            period_end=end,
            frozen_at=now,
            created_by_id=actor.user_id,
        )
        run.demand_facts = _freeze_demands(run, a, b)
        run.summons_facts = _freeze_summons(run, a, b)
        result = compute(run)
        _store(run, result)
        run.summary = result["indicators"]
        run.results_digest = digest(result)
        run.seconds = round(time.perf_counter() - t0, 3)
        run.save(
            update_fields=[
                "demand_facts",
                "summons_facts",
                "summary",
                "results_digest",
                "seconds",
            ]
        )
        record(
            actor=actor,
            action="assessment.run",
            obj=run,
            data={
                "scheme": scheme.pk,
                "scheme_version": scheme.version,
                "period": period,
                "period_start": start.isoformat(),
                "demand_facts": run.demand_facts,
                "summons_facts": run.summons_facts,
                "results_digest": run.results_digest,
            },
            now=now,
        )
    return run


def run_recompute(run: Run) -> tuple[str, bool]:
    """Score the frozen facts again: (digest, equal to the stored one)."""
    # the units the run listed when it was made (departments created or closed since do not
    # belong to it)
    units = Result.objects.filter(run=run).values_list("unit", flat=True)
    d = digest(compute(run, units=list(units)))
    return d, d == run.results_digest


def _locked_run(actor: Actor, run_id) -> Run:
    try:
        run = (
            Run.objects.select_for_update(of=("self",))
            .select_related("district")
            .get(pk=int(run_id))
        )
    except (Run.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(_("考核批次不存在")) from None
    check_manager(actor, run.district)
    return run


@transaction.atomic
def run_publish(*, actor: Actor, run_id, now) -> Run:
    # Publishing is ordered per district (its row is the lock), so two drafts of one period
    # published at once cannot both end up published (a constraint also forbids it).
    district_id = Run.objects.filter(pk=V.pk(run_id)).values_list("district_id", flat=True).first()
    Jurisdiction.objects.select_for_update().filter(pk=district_id).first()
    run = _locked_run(actor, run_id)
    if run.state != Run.DRAFT:
        raise Conflict(_("该批次已发布"), code="already_published")
    superseded = list(
        Run.objects.select_for_update()
        .filter(
            district=run.district,
            subject=run.subject,
            period=run.period,
            period_start=run.period_start,
            state=Run.PUBLISHED,
        )
        .values_list("pk", flat=True)
    )
    Run.objects.filter(pk__in=superseded).update(state=Run.SUPERSEDED)
    run.state, run.published_at, run.published_by_id = Run.PUBLISHED, now, actor.user_id
    run.save(update_fields=["state", "published_at", "published_by"])
    record(
        actor=actor,
        action="assessment.publish",
        obj=run,
        data={"supersedes": superseded, "results_digest": run.results_digest},
        now=now,
    )
    return run


@transaction.atomic
def run_discard(*, actor: Actor, run_id, now) -> None:
    run = _locked_run(actor, run_id)
    if run.state != Run.DRAFT:
        raise Conflict(_("已发布的考核批次不能删除"), code="published_is_final")
    record(
        actor=actor,
        action="assessment.discard",
        obj=run,
        data={"period": run.period, "period_start": run.period_start.isoformat()},
        now=now,
    )
    DemandFact.objects.filter(run=run).delete()
    SummonsFact.objects.filter(run=run).delete()
    run.results.all().delete()
    run.delete()
