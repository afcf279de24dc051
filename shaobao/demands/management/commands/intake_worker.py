import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from shaobao.core.timeutil import now, work_calendar
from shaobao.demands.intake import BATCH, drain, pending_count, process_pending

log = logging.getLogger("shaobao.intake")


class Command(BaseCommand):
    help = (
        "Intake worker: places, routes, de-duplicates and dispatches demands received through "
        "Open311 (those marked intake_pending), in batches claimed with SKIP LOCKED. Several may "
        "run at once; `shaobao worker` also runs this step with its periodic jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="settle what is pending, then exit")
        parser.add_argument("--batch", type=int, default=BATCH, help="demands per transaction")
        parser.add_argument(
            "--interval", type=float, default=0.2, help="pause when nothing is pending (seconds)"
        )
        parser.add_argument(
            "--stats", action="store_true", help="print demands settled per second while busy"
        )

    def handle(self, *args, once=False, batch=BATCH, interval=0.2, stats=False, **options):
        cal = work_calendar()
        if once:
            n = drain(now_fn=now, cal=cal, batch=batch)
            self.stdout.write(f"intake: {n} settled, {pending_count()} pending")
            return
        stop = []
        signal.signal(signal.SIGTERM, lambda *_a: stop.append(1))  # finish the batch, then exit
        busy_since, settled = None, 0
        while not stop:
            close_old_connections()
            try:
                counts = process_pending(now=now(), cal=cal, batch=batch)
            except Exception:  # a lost connection, a deadlock victim: the batch rolled back
                log.exception("intake batch failed; retrying")
                connection.close()
                time.sleep(max(interval, 1.0))
                continue
            done = sum(n for k, n in counts.items() if k != "failed")
            if done:
                if busy_since is None:
                    busy_since, settled = time.monotonic(), 0
                settled += done
                continue
            if busy_since is not None and stats:
                secs = time.monotonic() - busy_since
                self.stdout.write(
                    f"intake: settled {settled} in {secs:.1f} s ({settled / max(secs, 1e-9):.0f}/s)"
                )
            busy_since = None
            time.sleep(interval)
