"""Run in a subprocess by the worker tests: fill a fresh database with one endpoint, a
department subscribed to it, N notifications, and one change that is rolled back.

python -m shaobao.notify.tests.seed_outbox CHANNEL URL SECRET COUNT LIMIT WINDOW"""

import sys


def main(channel, url, secret, count, limit, window):
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from shaobao.notify.models import ChannelEndpoint, Subscription
    from shaobao.notify.services import enqueue
    from shaobao.org.models import Department, Jurisdiction

    now = timezone.now()
    district = Jurisdiction.objects.create(code="110117", name="平谷区", level="DISTRICT")
    dept = Department.objects.create(code="CGZF", name="区城管执法局", district=district)
    ep = ChannelEndpoint.objects.create(
        name="robot",
        channel=channel,
        url=url,
        secret=secret,
        rate_limit=limit,
        rate_window_seconds=window,
        created_at=now,
    )
    Subscription.objects.create(department=dept, channel=channel, endpoint=ep, created_at=now)
    for i in range(count):
        with transaction.atomic():
            enqueue(
                event="whistle_issued",
                dedupe_key=f"whistle_issued:test:{i}",
                title=f"吹哨召集 {i}",
                link=f"/summonses/{i}/",
                department=dept,
                audience=["department_dispatcher"],
                now=now,
            )
    try:
        with transaction.atomic():
            enqueue(
                event="whistle_issued",
                dedupe_key="whistle_issued:rolled-back",
                title="ROLLED BACK",
                department=dept,
                now=now,
            )
            raise RuntimeError("the causing change failed")
    except RuntimeError:
        pass


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], a[2], int(a[3]), int(a[4]), int(a[5]))
