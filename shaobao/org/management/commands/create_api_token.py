from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shaobao.org.models import User
from shaobao.org.scoping import SYSTEM
from shaobao.org.services import api_token_create


class Command(BaseCommand):
    help = "Create a bearer token for a machine client acting as USERNAME; prints it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. 'hotline bridge'")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        _token, raw = api_token_create(actor=SYSTEM, user=user, name=name, now=timezone.now())
        self.stdout.write(raw)
