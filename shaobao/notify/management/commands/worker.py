import time

from django.core.management.base import BaseCommand

from shaobao.core.timeutil import now, work_calendar
from shaobao.notify.delivery import deliver_due
from shaobao.org.scoping import SYSTEM
from shaobao.whistles.services import launch_due, routine_run_due, sweep_deadlines


class Command(BaseCommand):
    help = (
        "Background worker: delivers queued notifications and runs the periodic sweeps "
        "(deadlines, routine whistles). Several may run at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
        parser.add_argument(
            "--sweep-every", type=float, default=60.0, help="seconds between sweeps"
        )

    def handle(self, *args, once=False, interval=5.0, sweep_every=60.0, **options):
        last_sweep = 0.0
        while True:
            if time.monotonic() - last_sweep >= sweep_every or once:
                t = now()
                launch_due(now=t, actor=SYSTEM)
                counts = sweep_deadlines(now=t, actor=SYSTEM)
                blown = routine_run_due(now=t, cal=work_calendar(), actor=SYSTEM)
                last_sweep = time.monotonic()
                if any(counts.values()) or blown:
                    self.stdout.write(f"sweep: {counts}, routine whistles: {blown}")
            while deliver_due(now=now()):
                pass
            if once:
                return
            time.sleep(interval)
