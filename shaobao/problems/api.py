from django.http import HttpResponse
from ninja import Router

from shaobao.core.api_utils import ERRORS, Id, Limit, Offset, actor, create, page
from shaobao.core.timeutil import now
from shaobao.problems import services
from shaobao.problems.exports import XLSX, problems_xlsx
from shaobao.problems.permissions import access_problem
from shaobao.problems.schemas import (
    CloseIn,
    ProblemIn,
    ProblemOut,
    ProblemPage,
    ProblemPatch,
    TriageIn,
)
from shaobao.problems.selectors import problem_list

router = Router(tags=["problems"])


@router.get("", response={200: ProblemPage, **ERRORS})
def list_problems(
    request,
    status: str = "",
    township_id: Id | None = None,
    q: str = "",
    limit: Limit = 50,
    offset: Offset = 0,
):
    return page(
        problem_list(viewer=actor(request), status=status, township_id=township_id, q=q),
        limit,
        offset,
    )


@router.post("", response={201: ProblemOut, **ERRORS})
def create_problem(request, body: ProblemIn):
    return create(
        request,
        endpoint="problems.create",
        payload=body.dict(),
        out_schema=ProblemOut,
        make=lambda: services.problem_create(actor=actor(request), now=now(), **body.dict()),
    )


@router.get("/export.xlsx", response={200: None, **ERRORS})
def export_problems(request, status: str = "", township_id: Id | None = None):
    data = problems_xlsx(
        problem_list(viewer=actor(request), status=status, township_id=township_id)
    )
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="problems.xlsx"'
    return resp


@router.get("/{int:problem_id}", response={200: ProblemOut, **ERRORS})
def get_problem(request, problem_id: Id):
    return access_problem(actor(request), problem_id)


@router.patch("/{int:problem_id}", response={200: ProblemOut, **ERRORS})
def update_problem(request, problem_id: Id, body: ProblemPatch):
    changes = body.dict(exclude_unset=True)
    return services.problem_update(
        actor=actor(request), problem_id=problem_id, now=now(), **changes
    )


@router.post("/{int:problem_id}/triage", response={200: ProblemOut, **ERRORS})
def triage_problem(request, problem_id: Id, body: TriageIn):
    return services.problem_triage(
        actor=actor(request), problem_id=problem_id, now=now(), **body.dict()
    )


@router.post("/{int:problem_id}/close", response={200: ProblemOut, **ERRORS})
def close_problem(request, problem_id: Id, body: CloseIn):
    return services.problem_close(
        actor=actor(request), problem_id=problem_id, now=now(), **body.dict()
    )
