from shaobao.org.scoping import Actor
from shaobao.problems.models import Problem
from shaobao.problems.permissions import problems_visible_to


def problem_list(*, viewer: Actor, status: str = "", township_id: int | None = None, q: str = ""):
    qs = problems_visible_to(viewer).select_related("township", "matter")
    if status:
        qs = qs.filter(status__in=[s for s in status.split(",") if s in dict(Problem.STATUSES)])
    if township_id:
        qs = qs.filter(township_id=township_id)
    if q:
        qs = qs.filter(title__icontains=q[:50])
    return qs.order_by("-created_at", "-pk")
