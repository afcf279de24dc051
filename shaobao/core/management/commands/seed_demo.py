import time

from django.core.management.base import BaseCommand, CommandError

from shaobao.core.timeutil import now
from shaobao.org.models import User
from shaobao.whistles.models import Whistle


class Command(BaseCommand):
    help = (
        "Fill an empty database with a sample Pinggu District and a year of whistle-and-report "
        "history up to now (logins in README.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="volume of history (1.0 ≈ 1,500 problems)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args, scale, seed, **options):
        from shaobao.demo.seed import seed as run_seed

        if scale <= 0:
            raise CommandError("--scale must be positive")
        # The history is written through the audited services; mixing it into existing data
        # would interleave two timelines in one hash chain.
        if User.objects.exists() or Whistle.objects.exists():
            raise CommandError(
                "The database already has data. seed_demo only fills an empty database: delete "
                "the database file (e.g. demo.sqlite3), run `shaobao migrate`, then run it again."
            )
        started = time.monotonic()
        run_seed(now=now(), scale=scale, rng_seed=seed, stdout=self.stdout)
        self.stdout.write(f"seeded in {time.monotonic() - started:.1f} s")
