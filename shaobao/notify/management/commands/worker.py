import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shaobao.core.timeutil import now, work_calendar
from shaobao.dashboards.rollup import refresh_due as rollup_refresh_due
from shaobao.demands.intake import drain as intake_drain
from shaobao.exports.runner import step as exports_step
from shaobao.hotspots.services import hotspots_detect_due
from shaobao.notify.delivery import next_due_at, run_once
from shaobao.notify.reminders import callbacks_due, remind_deadlines
from shaobao.org.scoping import SYSTEM
from shaobao.whistles.services import launch_due, routine_run_due, sweep_deadlines

INTAKE_BATCHES_PER_ROUND = 8  # 8 × 64 demands, then deliveries get their turn


def run_schedule(t) -> dict:
    """The periodic jobs, each safe to run twice or concurrently (also `worker --once`)."""
    launched = launch_due(now=t, actor=SYSTEM)
    counts = sweep_deadlines(now=t, actor=SYSTEM)
    blown = routine_run_due(now=t, cal=work_calendar(), actor=SYSTEM)
    reminded = remind_deadlines(now=t)
    callbacks = callbacks_due(now=t)
    hotspots = hotspots_detect_due(now=t)  # once a day per district (its run row for today)
    rollup = rollup_refresh_due(now=t)  # dashboards' daily counts, every 10 minutes
    return {
        **counts,
        "rollup": rollup,
        "launched": launched,
        "routine": blown,
        "reminders": reminded,
        "callbacks_due": callbacks,
        "hotspots": hotspots,
    }


log = logging.getLogger(__name__)


def intake_step(everything: bool = False) -> int:
    """Settle pending intake (Open311): a few batches, so that deliveries and the schedule keep
    their turn under a backlog (`--once`: all of it). A failed batch is logged and retried next
    round; it never stops the worker."""
    try:
        return intake_drain(
            now_fn=now,
            cal=work_calendar(),
            max_batches=None if everything else INTAKE_BATCHES_PER_ROUND,
        )
    except Exception:
        log.exception("intake batch failed; retried next round")
        return 0


class Command(BaseCommand):
    help = (
        "Background worker: delivers queued notifications and runs the periodic jobs "
        "(surprise launches, deadline sweep, routine whistles, deadline reminders). "
        "Several may run at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="longest pause between rounds (seconds)"
        )
        parser.add_argument(
            "--sweep-every", type=float, default=60.0, help="seconds between periodic jobs"
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="deliver only (cron runs the jobs)"
        )
        parser.add_argument(
            "--no-deliver", action="store_true", help="periodic jobs only, no delivery"
        )

    def handle(self, *args, once=False, interval=5.0, sweep_every=60.0, **options):
        schedule, deliver = not options["no_schedule"], not options["no_deliver"]
        last_sweep = None
        while True:
            close_old_connections()
            if schedule and (
                once or last_sweep is None or time.monotonic() - last_sweep >= sweep_every
            ):
                counts = run_schedule(now())
                last_sweep = time.monotonic()
                if any(counts.values()):
                    self.stdout.write(f"schedule: {counts}")
            if schedule:  # Open311 demands waiting to be settled: a few batches every round
                intake_step(once)
            if deliver:
                run_once(now_fn=now)
            exports_step(now_fn=now)  # one queued export job per round (shaobao/exports)
            if once:
                return
            pause = interval
            due = next_due_at() if deliver else None
            if due is not None:
                pause = min(interval, max(0.05, (due - now()).total_seconds()))
            time.sleep(pause)
