"""Small helpers shared by the app routers."""

from typing import Annotated

from django.http import JsonResponse
from ninja import Query, Schema
from pydantic import Field

from shaobao.core import idempotency
from shaobao.core.timeutil import now
from shaobao.org.scoping import Actor, actor_for

MAX_PAGE = 200
# Every id a client sends: positive and within a bigint, so no request can overflow the database.
Id = Annotated[int, Field(ge=1, le=2**62)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict = {}


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def actor(request) -> Actor:
    return actor_for(request.auth)


def page(qs, limit: int, offset: int):
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": list(qs[offset : offset + limit]),
    }


def create(request, *, endpoint: str, payload, make, out_schema, status=201):
    """Run a create once per Idempotency-Key and answer with the serialised object."""

    def _do():
        obj = make()
        return status, out_schema.from_orm(obj).model_dump(mode="json")

    code, body = idempotency.run(
        user=request.auth,
        key=request.headers.get("Idempotency-Key"),
        endpoint=endpoint,
        payload=payload,
        create=_do,
        now=now(),
    )
    return JsonResponse(body, status=code, json_dumps_params={"ensure_ascii": False})
