from django.core.management.base import BaseCommand, CommandError

from shaobao.audit.services import verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; report the first broken entry (exit 1)."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(
                f"audit log BROKEN at entry #{result.broken_seq}: {result.reason} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(f"audit log OK: {result.checked} entries verified")
