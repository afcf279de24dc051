"""Assessment runs over the API: list the runs a client may see, read a run's ranking, and (for
the assessment office) compute a run — e.g. a city-level system collecting its districts'
published township rankings every month."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from shaobao.assessments import runs as RUNS
from shaobao.assessments import schemes as SCHEMES
from shaobao.assessments import selectors as SEL
from shaobao.assessments.models import Result, Run, Scheme
from shaobao.core.api_utils import ERRORS, Id, Limit, Offset, actor, create, page
from shaobao.core.errors import InvalidInput, NotFound
from shaobao.core.timeutil import now
from shaobao.org.models import Jurisdiction

router = Router(tags=["assessments"])


class RunOut(Schema):
    id: int
    district_code: str
    subject: str
    period: str
    period_start: dt.date
    period_end: dt.date
    state: str
    scheme_version: int
    frozen_at: dt.datetime
    published_at: dt.datetime | None
    demand_facts: int
    summons_facts: int
    results_digest: str

    @staticmethod
    def resolve_district_code(obj):
        return obj.district.code

    @staticmethod
    def resolve_scheme_version(obj):
        return obj.scheme.version


class RunPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RunOut]


class ResultOut(Schema):
    unit: int
    unit_name: str
    rank: int | None
    total: float | None
    volume: int
    detail: dict
    reasons: list


class RunIn(Schema):
    district_code: str
    subject: str
    period: str
    period_start: dt.date


@router.get("/assessments/runs", response={200: RunPage, **ERRORS})
def list_runs(
    request,
    subject: str = "",
    period: str = "",
    state: str = "",
    limit: Limit = 50,
    offset: Offset = 0,
):
    qs = SEL.runs_visible_to(actor(request)).order_by("-period_start", "-pk")
    if subject:
        qs = qs.filter(subject=subject)
    if period:
        qs = qs.filter(period=period)
    if state:
        qs = qs.filter(state=state)
    return page(qs, limit, offset)


def _visible_run(request, run_id) -> Run:
    run = SEL.runs_visible_to(actor(request)).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


@router.get("/assessments/runs/{int:run_id}", response={200: RunOut, **ERRORS})
def get_run(request, run_id: Id):
    return _visible_run(request, run_id)


@router.get("/assessments/runs/{int:run_id}/results", response={200: list[ResultOut], **ERRORS})
def get_results(request, run_id: Id):
    run = _visible_run(request, run_id)
    return list(Result.objects.filter(run=run).order_by("rank", "unit_name"))


@router.post("/assessments/runs", response={201: RunOut, **ERRORS})
def create_run(request, body: RunIn):
    def make():
        district = Jurisdiction.objects.filter(
            code=body.district_code[:15], level=Jurisdiction.DISTRICT
        ).first()
        if district is None:
            raise NotFound()
        if body.subject not in dict(Scheme.SUBJECTS):
            raise InvalidInput(_("考核对象不正确"), fields={"subject": "invalid"})
        RUNS.check_manager(actor(request), district)
        scheme = SCHEMES.current(district, body.subject)
        if scheme is None:
            raise NotFound()
        return RUNS.run_create(
            actor=actor(request),
            scheme_id=scheme.pk,
            period=body.period,
            period_start=body.period_start,
            now=now(),
        )

    return create(
        request,
        endpoint="assessments.run",
        payload=body.model_dump(mode="json"),
        out_schema=RunOut,
        make=make,
    )
