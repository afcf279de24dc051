from datetime import datetime

from ninja import Schema
from pydantic import Field

from shaobao.core.api_utils import Id


class ProblemIn(Schema):
    township_id: Id
    title: str = Field(max_length=120)
    description: str = Field(max_length=4000)
    address: str = Field(max_length=200)
    matter_id: Id | None = None
    place_id: Id | None = None
    lat: float | None = None
    lng: float | None = None
    priority: int = 1
    source: str | None = None
    reporting_department_id: Id | None = None


class ProblemPatch(Schema):
    title: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=4000)
    address: str | None = Field(None, max_length=200)
    matter_id: Id | None = None
    priority: int | None = None


class TriageIn(Schema):
    matter_id: Id
    priority: int = 1
    note: str = Field("", max_length=500)


class CloseIn(Schema):
    reason: str = Field(max_length=500)
    merged_into_id: Id | None = None


class ProblemOut(Schema):
    id: int
    number: str
    township_id: int
    township_name: str = Field(alias="township.name")
    matter_id: int | None
    title: str
    description: str
    address: str
    lat: float | None
    lng: float | None
    source: str
    status: str
    priority: int
    merged_into_id: int | None
    close_reason: str
    created_at: datetime
    updated_at: datetime


class ProblemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProblemOut]
