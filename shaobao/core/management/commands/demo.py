import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from shaobao.org.cast import PASSWORD
from shaobao.org.models import User


class Command(BaseCommand):
    help = (
        "The demo: migrate, seed a sample district with a year of history (first run only), "
        "then serve http://127.0.0.1:8000 with a background worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="prepare the database only")
        parser.add_argument("--scale", type=float, default=1.0)

    def handle(self, *args, addr, no_serve, scale, **options):
        call_command("migrate", verbosity=0)
        if not User.objects.exists():
            self.stdout.write("Seeding the demo district (first run only)…")
            call_command("seed_demo", scale=scale)
            # The router learns the demo district's matters from its year of decided problems.
            call_command("router_retrain")
            from shaobao.core.timeutil import now
            from shaobao.demo.demands import seed_demands
            from shaobao.open311.services import ensure_demo_client

            ensure_demo_client(now=now(), district_code="110117")  # key: demo-open311-key
            counts = seed_demands(now=now())
            self.stdout.write(f"demands: {counts['demands']}")
            from shaobao.demo.assessments import seed_assessments

            self.stdout.write(f"assessment runs: {seed_assessments(now=now())}")
        if no_serve:
            return
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings")
        worker = subprocess.Popen([sys.executable, "-m", "shaobao.cli", "worker"], env=env)
        self.stdout.write(
            f"哨报 demo at http://{addr}/ — logins in README.md (password {PASSWORD})"
        )
        try:
            call_command("runserver", addr, use_reloader=False, skip_checks=True)
        finally:
            worker.terminate()
