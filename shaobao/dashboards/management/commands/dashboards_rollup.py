from django.core.management.base import BaseCommand

from shaobao.core.timeutil import now
from shaobao.dashboards.rollup import RECOUNT_DAYS, refresh


class Command(BaseCommand):
    help = "Recount the daily demand rollup behind the dashboards (recent days, or --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rebuild every day")
        parser.add_argument("--days", type=int, default=RECOUNT_DAYS)

    def handle(self, *args, **options):
        n = refresh(now=now(), days=None if options["all"] else options["days"])
        self.stdout.write(f"{n} rows")
