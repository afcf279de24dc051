from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from shaobao.whistles.docs import render_workflow


class Command(BaseCommand):
    help = "Render docs/workflow.md from the transition tables."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")

    def handle(self, *args, check=False, **options):
        path = Path(settings.BASE_DIR) / "docs" / "workflow.md"
        text = render_workflow()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                self.stderr.write("docs/workflow.md is stale: run `shaobao workflow_doc`")
                raise SystemExit(1)
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
