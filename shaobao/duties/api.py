from ninja import Router, Schema
from pydantic import Field

from shaobao.core.api_utils import ERRORS, actor
from shaobao.core.timeutil import now
from shaobao.duties.routing import suggest
from shaobao.org import roles as R

router = Router(tags=["duty list and router"])


class SuggestIn(Schema):
    text: str = Field(max_length=4000)
    subject: str = Field("", max_length=200)
    district_code: str | None = Field(None, pattern=r"^\d{6}$")


class SuggestionOut(Schema):
    matter_code: str
    matter_path: str
    confidence: float
    lead: str
    assists: list[str]
    reasons: list[str]


class RoutingOut(Schema):
    suggestions: list[SuggestionOut]
    version: str
    threshold: float
    auto: bool


@router.post("/router/suggest", response={200: RoutingOut, **ERRORS})
def router_suggest(request, body: SuggestIn):
    """Ranked matters and owners for a text, with confidence and reasons; `auto` says whether the
    router would dispatch by itself."""
    a = actor(request)
    district = body.district_code or next(iter(sorted(c[:6] for c in a.codes(set(R.ALL)))), None)
    r = suggest(text=body.text, subject=body.subject, district_code=district, now=now())
    return {
        "suggestions": [
            {
                "matter_code": s.matter.code,
                "matter_path": s.matter.path,
                "confidence": s.confidence,
                "lead": s.lead,
                "assists": s.assists,
                "reasons": s.reasons,
            }
            for s in r.suggestions
        ],
        "version": r.version,
        "threshold": r.threshold,
        "auto": r.auto,
    }
