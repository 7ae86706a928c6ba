"""``manage.py compile_translations``: compile locale/*.po to .mo, with or without GNU gettext.

Django's ``compilemessages`` needs ``msgfmt``; a fresh machine with only Python has none, so Babel
compiles the catalogues instead.
"""

from __future__ import annotations

import shutil
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from oas.ops.translations import compile_catalogues


class Command(BaseCommand):
    help = "Compile the project's translations (msgfmt when installed, else Babel)."

    def handle(self, *args: Any, **options: Any) -> None:
        if shutil.which("msgfmt"):
            call_command("compilemessages", ignore_patterns=[".venv", "var", "node_modules"], verbosity=0)
            message = "Translations compiled with msgfmt."
        else:
            message = f"Translations compiled with Babel ({len(compile_catalogues())} catalogues)."
        if options["verbosity"] > 0:
            self.stdout.write(message)
