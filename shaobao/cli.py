"""The `shaobao` command: Django's manage.py with two-word aliases (`shaobao audit verify`)."""

import os
import sys

# Two-word commands map onto management commands; the rest pass through unchanged.
ALIASES = {("audit", "verify"): ["audit_verify"], ("deadlines", "sweep"): ["sweep"]}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["router"]:
        # The router's command line needs no database: it runs before Django starts.
        from shaobao.duties.router.cli import main as router_main

        return router_main(argv[1:])
    if len(argv) >= 2 and (argv[0], argv[1]) in ALIASES:
        argv = ALIASES[(argv[0], argv[1])] + argv[2:]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shaobao", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
