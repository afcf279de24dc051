from django.core.management.base import BaseCommand, CommandError

from shaobao.core.errors import DomainError
from shaobao.core.timeutil import now
from shaobao.duties.routing import retrain
from shaobao.org.scoping import SYSTEM


class Command(BaseCommand):
    help = (
        "Retrain the dispatch router from the district's decided cases and make it the active "
        "version (the old versions stay, and decisions keep the version that made them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-activate", action="store_true", help="train and register only")

    def handle(self, *args, no_activate=False, **options):
        try:
            rv = retrain(now=now(), actor=SYSTEM, activate=not no_activate)
        except DomainError as e:
            raise CommandError(str(e.message)) from None
        self.stdout.write(
            f"router {rv.version}: {rv.rows} cases, {len(rv.labels)} matters, "
            f"threshold {rv.threshold:.3f}{' (active)' if rv.active else ''}"
        )
