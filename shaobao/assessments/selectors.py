"""Who sees which assessment runs, and the reads behind the ranking and drill-down pages.

Published results are shared inside the district's government (every township sees the township
ranking, every department the department ranking: that is the point of publishing them); drafts
only the assessment office and administrators. The items behind a score (drill-down) are shown to
the district's read-all roles, and to a unit for its own row only.
"""

from __future__ import annotations

from django.db.models import Q

from shaobao.assessments import indicators as I
from shaobao.assessments.models import DemandFact, Result, Run, Scheme, SummonsFact
from shaobao.org import roles as R
from shaobao.org.models import Department
from shaobao.org.scoping import Actor, prefix_q

GOVERNMENT_ROLES = set(R.ALL) - {R.CITIZEN, R.OPERATOR}


def district_codes(actor: Actor, wanted=None) -> set[str]:
    wanted = wanted or GOVERNMENT_ROLES
    codes = {c[:6] for c in actor.codes(wanted)}
    dept_ids = actor.departments(wanted)
    if dept_ids:
        codes |= set(
            Department.objects.filter(pk__in=dept_ids).values_list("district__code", flat=True)
        )
    return {c[:6] for c in codes}


def runs_visible_to(actor: Actor):
    managed = (
        district_codes(actor, {R.ASSESSOR, R.ADMIN})
        if actor.has_any({R.ASSESSOR, R.ADMIN})
        else set()
    )
    shared = district_codes(actor)
    q = prefix_q("district__code", managed) | (
        prefix_q("district__code", shared) & ~Q(state=Run.DRAFT)
    )
    return Run.objects.filter(q).select_related("scheme", "district")


def can_manage(actor: Actor, run_or_district) -> bool:
    district = getattr(run_or_district, "district", run_or_district)
    return actor.covers({R.ASSESSOR, R.ADMIN}, district.code)


def drillable_units(actor: Actor, run: Run) -> set[int] | None:
    """None: every unit of the run; otherwise the units whose items this viewer may list."""
    if actor.covers(R.READ_ALL_ROLES, run.district.code):
        return None
    if run.subject == Scheme.DEPARTMENT:
        return actor.departments(R.DEPARTMENT_ROLES)
    from shaobao.org.models import Jurisdiction

    codes = {c[:9] for c in actor.codes(R.TOWNSHIP_ROLES) if len(c) >= 9}
    return set(
        Jurisdiction.objects.filter(code__in=codes, level=Jurisdiction.TOWNSHIP).values_list(
            "pk", flat=True
        )
    )


def trend(run: Run, periods: int = 5) -> dict[int, list[int | None]]:
    """Ranks of each unit in the previous published runs of the same kind, oldest first."""
    earlier = list(
        Run.objects.filter(
            district=run.district,
            subject=run.subject,
            period=run.period,
            state=Run.PUBLISHED,
            period_start__lt=run.period_start,
        )
        .order_by("-period_start")
        .values_list("pk", flat=True)[:periods]
    )[::-1]
    ranks = {}
    for run_id, unit, rank in Result.objects.filter(run_id__in=earlier).values_list(
        "run_id", "unit", "rank"
    ):
        ranks[(run_id, unit)] = rank
    units = Result.objects.filter(run=run).values_list("unit", flat=True)
    return {u: [ranks.get((r, u)) for r in earlier] for u in units}


def facts_behind(run: Run, unit: int, conf: dict, outcome: str = ""):
    """The frozen items one figure counted: all of them, or only the hits / misses."""
    ind = I.CATALOGUE[conf["code"]]
    model = DemandFact if ind.facts == I.DEMAND else SummonsFact
    qs = model.objects.filter(run=run, unit=unit).filter(I.denominator_q(conf))
    hit = I.numerator_q(conf)
    if ind.satisfaction:
        hit = Q(satisfaction__in=["SATISFIED", "BASIC"])
    elif ind.value_field:
        hit = None
    if hit is not None and outcome == "hit":
        qs = qs.filter(hit)
    elif hit is not None and outcome == "miss":
        qs = qs.exclude(hit)
    return qs.order_by("pk")
