from ninja import Router, Schema

from shaobao.core.api_utils import ERRORS, actor
from shaobao.duties.models import Matter
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import prefix_q

router = Router(tags=["organisation"])


class GrantOut(Schema):
    role: str
    jurisdiction_code: str | None
    department_id: int | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    grants: list[GrantOut]


class JurisdictionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    kind: str


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str


class MatterOut(Schema):
    id: int
    code: str
    path: str
    tier: str


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request):
    a = actor(request)
    u = request.auth
    return {
        "id": u.pk,
        "username": u.username,
        "display_name": u.display_name,
        "grants": [g.__dict__ for g in a.grants],
    }


def _district_codes(a) -> list[str]:
    return sorted(
        {c[:6] for c in a.codes(set(R.ALL))}
        | {
            d.district.code
            for d in Department.objects.filter(
                pk__in=a.departments(R.DEPARTMENT_ROLES)
            ).select_related("district")
        }
    )


@router.get("/jurisdictions", response={200: list[JurisdictionOut], **ERRORS})
def jurisdictions(request, level: str = "TOWNSHIP"):
    """Places in the viewer's districts (reference data, not personal)."""
    codes = _district_codes(actor(request))
    qs = Jurisdiction.objects.filter(prefix_q("code", codes), active=True, level=level)
    return list(qs.order_by("code")[:5000])


@router.get("/departments", response={200: list[DepartmentOut], **ERRORS})
def departments(request):
    codes = _district_codes(actor(request))
    return list(Department.objects.filter(active=True, district__code__in=codes).order_by("code"))


@router.get("/matters", response={200: list[MatterOut], **ERRORS})
def matters(request):
    return list(Matter.objects.filter(active=True).order_by("code"))
