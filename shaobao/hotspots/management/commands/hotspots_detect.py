import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from shaobao.core.timeutil import now
from shaobao.hotspots.services import hotspots_detect, local_today
from shaobao.org.models import Jurisdiction


class Command(BaseCommand):
    help = (
        "Detect hot spots (热点) for a day: demands clustered by grid/community and matter over "
        "the window before it, against the baseline weeks. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", help="district code (6 digits); default: every one")
        parser.add_argument(
            "--date", help="YYYY-MM-DD; the window ends the day before (default: today)"
        )

    def handle(self, *args, district=None, date=None, **options):
        t = now()
        try:
            today = dt.date.fromisoformat(date) if date else local_today(t)
        except ValueError:
            raise CommandError(f"invalid --date: {date!r} (YYYY-MM-DD)") from None
        districts = Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT, active=True)
        if district:
            districts = districts.filter(code=district)
            if not districts.exists():
                raise CommandError(f"no active district {district!r}")
        for d in districts.order_by("code"):
            counts = hotspots_detect(district=d, today=today, now=t)
            self.stdout.write(f"{d.code} {d.name} {today}: {counts}")
