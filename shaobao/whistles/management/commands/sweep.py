from django.core.management.base import BaseCommand

from shaobao.core.timeutil import now, work_calendar
from shaobao.org.scoping import SYSTEM
from shaobao.whistles.services import launch_due, routine_run_due, sweep_deadlines


class Command(BaseCommand):
    help = (
        "Mark overdue summonses, escalate them to the district, and blow due routine whistles. "
        "Safe to run twice or concurrently."
    )

    def handle(self, *args, **options):
        t = now()
        launched = launch_due(now=t, actor=SYSTEM)
        counts = sweep_deadlines(now=t, actor=SYSTEM)
        created = routine_run_due(now=t, cal=work_calendar(), actor=SYSTEM)
        self.stdout.write(
            f"overdue (report-by): {counts['report_overdue_at']}, overdue (finish-by): "
            f"{counts['finish_overdue_at']}, routine whistles blown: {created}, "
            f"surprise operations launched: {launched}"
        )
