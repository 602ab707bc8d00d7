"""The `wastegrid` console script: a front for the management commands.

Commands are spelled with hyphens on the command line (`wastegrid demo-logins`) and map to Django
management commands with underscores (`demo_logins`).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["wastegrid", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
