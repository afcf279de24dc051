import datetime as dt

from django.db.models import Q

from shaobao.duties.models import Duty, DutyList, Matter


def duty_list_in_force(*, at: dt.datetime, district_code: str | None = None) -> DutyList | None:
    qs = DutyList.objects.all()
    if district_code:
        qs = qs.filter(district__code=district_code[:6])
    return (
        qs.filter(status=DutyList.PUBLISHED, active_from__lte=at)
        .filter(Q(active_to__isnull=True) | Q(active_to__gt=at))
        .order_by("-version")
        .first()
    )


def owners_for(
    *, matter: Matter, at: dt.datetime, district_code: str | None = None
) -> tuple[Duty | None, DutyList | None]:
    """The duty (lead and assisting departments) for a matter under the district's list in
    force at `at`."""
    duty_list = duty_list_in_force(at=at, district_code=district_code)
    if duty_list is None:
        return None, None
    duty = (
        Duty.objects.filter(duty_list=duty_list, matter=matter)
        .select_related("lead_department")
        .prefetch_related("assist_departments")
        .order_by("pk")
        .first()
    )
    return duty, duty_list


def active_matters():
    return Matter.objects.filter(active=True).order_by("code")
