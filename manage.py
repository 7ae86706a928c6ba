#!/usr/bin/env python
"""Django's command-line utility for OAS."""

import os
import sys

# Commands that must work without PostgreSQL/Redis reachable.
_NO_PREFLIGHT = {
    "help",
    "version",
    "makemessages",
    "compilemessages",
    "compile_translations",
    "collectstatic",
    "shell_plus",
    "stop_embedded",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devtools.settings.development")
    if sys.argv[1:2] == ["stop_embedded"]:
        # Loading the settings would start the embedded services only to stop them again.
        from pathlib import Path

        from devtools.embedded import stop_embedded

        var_dir = Path(os.environ.get("OAS_VAR_DIR") or Path(__file__).resolve().parent / "var")
        stopped = stop_embedded(var_dir)
        sys.stdout.write(f"Stopped: {', '.join(stopped)}\n" if stopped else "No embedded services were running.\n")
        return
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
