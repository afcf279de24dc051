import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shaobao.core.timeutil import now
from shaobao.exports.runner import step


class Command(BaseCommand):
    help = (
        "Run queued export jobs (and delete expired export files) without the full worker. "
        "Several may run at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="run until the queue is empty, then exit"
        )
        parser.add_argument(
            "--interval", type=float, default=2.0, help="pause when the queue is empty (seconds)"
        )

    def handle(self, *args, once=False, interval=2.0, **options):
        while True:
            close_old_connections()
            counts = step(now_fn=now)
            if counts["ran"] or counts["requeued"] or counts["expired"]:
                self.stdout.write(f"exports: {counts}")
            if counts["ran"] is None:
                if once:
                    return
                time.sleep(interval)
