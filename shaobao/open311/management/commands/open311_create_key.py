"""Create an Open311 client application and print its API key (shown once)."""

from django.core.management.base import BaseCommand, CommandError

from shaobao.core.errors import DomainError
from shaobao.core.timeutil import now
from shaobao.open311.services import client_create
from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import SYSTEM


class Command(BaseCommand):
    help = "Create an Open311 client application and print its API key."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--key", help="use this key instead of a random one (≥ 12 chars)")
        parser.add_argument(
            "--district", help="district code (6 digits); default: the only/first district"
        )

    def handle(self, *args, name, key=None, district=None, **options):
        if not district:
            d = Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT, active=True)
            first = d.order_by("code").first()
            if first is None:
                raise CommandError("no district exists yet")
            district = first.code
        try:
            client, key = client_create(
                actor=SYSTEM, name=name, district_code=district, key=key, now=now()
            )
        except DomainError as e:
            raise CommandError(str(e.message)) from None
        self.stdout.write(f"client {client.pk} {client.name} ({client.district.code})")
        self.stdout.write(key)
