"""The demo generator: a year of history through the real services, with something on every
page. Runs at a small scale; `make demo` runs it at full scale."""

import datetime as dt

import pytest

from shaobao.assessments.models import Evaluation
from shaobao.audit.services import verify
from shaobao.core.workdays import LOCAL_TZ
from shaobao.demo.seed import seed
from shaobao.org.models import User
from shaobao.org.scoping import actor_for
from shaobao.problems.models import Problem
from shaobao.whistles import selectors
from shaobao.whistles.models import Campaign, Objection, Summons, Whistle

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 16, 20, tzinfo=LOCAL_TZ)


def test_a_year_of_history_with_something_on_every_page():
    # One seed for all the checks: seeding is what takes the time.
    seeded = seed(now=NOW, scale=0.05)
    assert {m for m, _ in Whistle._meta.get_field("mode").choices} <= set(
        Whistle.objects.values_list("mode", flat=True)
    )
    assert {s for s, _ in Summons.STATES} <= set(Summons.objects.values_list("state", flat=True))
    assert Whistle.objects.filter(status=Whistle.CANCELLED).exclude(cancel_reason="").exists()
    assert Summons.objects.filter(escalated_at__isnull=False).exists()
    assert Summons.objects.filter(report_overdue_at__isnull=False).exists()
    assert Evaluation.objects.filter(version=2).exclude(correction_reason="").exists()
    assert Objection.objects.filter(state=Objection.PENDING).exists()
    assert Objection.objects.filter(state__in=[Objection.DISMISSED, Objection.REASSIGNED]).exists()
    assert Campaign.objects.count() >= 2
    statuses = set(Problem.objects.values_list("status", flat=True))
    assert {"NEW", "TRIAGED", "WHISTLED", "SOLVED", "CLOSED", "MERGED"} <= statuses
    assert seeded["whistles"] == Whistle.objects.count() > 0
    assert verify().ok

    # The sealed surprise operation at 金海湖镇 is visible to the summoned heads only.
    sealed = Whistle.objects.filter(
        mode="SURPRISE", launched_at__isnull=True, launch_at__gt=NOW, township__code="110117104"
    )
    assert sealed.exists()
    assert {"GHZY", "GA"} <= set(sealed.values_list("summonses__department__code", flat=True))

    def actor(username):
        return actor_for(User.objects.get(username=username))

    assert selectors.whistle_list(viewer=actor("gh_head"), now=NOW).filter(pk__in=sealed).exists()
    assert (
        not selectors.whistle_list(viewer=actor("cg_head"), now=NOW).filter(pk__in=sealed).exists()
    )
    cg_states = set(
        selectors.summons_inbox(viewer=actor("cg_officer"), now=NOW).values_list("state", flat=True)
    )
    assert {"ISSUED", "ACKNOWLEDGED", "CHECKED_IN"} <= cg_states
    town = Summons.objects.filter(whistle__township__code="110117104")
    assert town.filter(state="CLAIMED").exists()
    assert town.filter(state="VERIFIED", evaluations__isnull=True).exists()
    assert selectors.escalated(viewer=actor("supervisor"), now=NOW).exists()
    assert selectors.objection_queue(viewer=actor("legal"), now=NOW).exists()
    # Every service was called with simulated time: nothing lies after `now`, except deadlines.
    assert not Whistle.objects.filter(created_at__gt=NOW).exists()
    assert User.objects.get(username="commander").check_password("shaobao-demo-2026")

    # An inspector's check of the demo log: any one row altered with SQL is named.
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    from shaobao.audit.models import AuditEntry

    victim = AuditEntry.objects.filter(action="evaluation.submit").order_by("seq")[1]
    with connection.cursor() as c:
        c.execute(
            "UPDATE audit_auditentry SET data = %s WHERE seq = %s",
            ['{"timeliness": 5}', victim.seq],
        )
    result = verify()
    assert not result.ok and result.broken_seq == victim.seq
    with pytest.raises(CommandError, match=f"#{victim.seq}"):
        call_command("audit_verify")


def test_demo_demands_reach_every_state(db):
    from shaobao.demands.models import Demand
    from shaobao.demo.demands import seed_demands

    seed(now=NOW, scale=0.02)
    seed_demands(now=NOW, count=120, days=20)
    statuses = set(Demand.objects.values_list("status", flat=True))
    assert {"CLOSED_BY_ROUTE", "DISPATCHED", "RESPONDED", "CLOSED"} <= statuses
    # assessment history: published monthly runs with ranked units, and the dashboards' rollup
    from shaobao.assessments.models import Result, Run
    from shaobao.dashboards.models import DemandDay
    from shaobao.demo.assessments import seed_assessments

    assert seed_assessments(now=NOW) == 2 * 6 + 2 + 1
    nov_town = Run.objects.get(
        subject="TOWNSHIP", period="MONTH", period_start=dt.date(2026, 11, 1)
    )
    assert nov_town.state == Run.DRAFT
    published = Run.objects.filter(state=Run.PUBLISHED)
    assert published.count() == 14
    assert Result.objects.filter(run__in=published, rank__isnull=False).exists()
    assert DemandDay.objects.exists()
    assert verify().ok
