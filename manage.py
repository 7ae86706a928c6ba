#!/usr/bin/env python
"""Django's command-line utility for OAS."""

import os
import sys

# Commands that must work without PostgreSQL/Redis reachable.
_NO_PREFLIGHT = {"help", "version", "makemessages", "compilemessages", "collectstatic", "shell_plus", "stop_embedded"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oas.settings.base")
    from django.core.management import execute_from_command_line

    from oas.env import ConfigurationError

    try:
        import django

        django.setup()
    except ConfigurationError as exc:
        sys.stderr.write(f"OAS: {exc}\n")
        raise SystemExit(2) from None
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command not in _NO_PREFLIGHT and not command.startswith("-"):
        from oas.startup import preflight

        preflight()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
