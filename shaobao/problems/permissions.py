from django.db.models import Q, QuerySet

from shaobao.core import validate as V
from shaobao.core.errors import NotFound
from shaobao.org import roles as R
from shaobao.org.scoping import Actor, prefix_q
from shaobao.problems.models import Problem

CREATE_ROLES = R.TOWNSHIP_ROLES | R.GRID_ROLES | R.DEPARTMENT_ROLES
EDIT_ROLES = R.TOWNSHIP_ROLES


def problems_visible_to(actor: Actor, *, now=None) -> QuerySet[Problem]:
    """The township's problems for its roles and the district's readers; a department's own
    reports; and the problems of the whistles its departments were summoned to, but only of the
    whistles it may see at `now` (default: the clock): a surprise operation's target is as
    sealed as the operation until launch."""
    if actor.user_id is None:
        return Problem.objects.none()
    from shaobao.core.timeutil import now as clock
    from shaobao.whistles.permissions import summonses_visible_to

    depts = actor.departments(R.DEPARTMENT_ROLES)
    summoned = summonses_visible_to(actor, now=now or clock()).filter(department_id__in=depts)
    q = (
        prefix_q("township__code", actor.codes(R.READ_ALL_ROLES | R.TOWNSHIP_ROLES))
        | Q(reported_by_id=actor.user_id)
        | Q(reporting_department_id__in=depts)
        | Q(whistles__in=summoned.values("whistle_id"))
    )
    return Problem.objects.filter(pk__in=Problem.objects.filter(q).values("pk"))


def access_problem(actor: Actor, problem_id) -> Problem:
    try:
        return (
            problems_visible_to(actor)
            .select_related("township", "matter", "place")
            .get(pk=V.pk(problem_id))
        )
    except (Problem.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def may_edit(actor: Actor, problem: Problem) -> bool:
    return actor.covers(EDIT_ROLES, problem.township.code)
