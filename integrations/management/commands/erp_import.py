"""``manage.py erp_import FILE``: import one ERP export now (all or nothing; see integrations/erp/SCHEMA.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.erp.services import erp_import_directory, erp_import_file


class Command(BaseCommand):
    help = "Importer ansatte og arbeidsforhold fra en ERP-eksport (CSV eller JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the export file; without it, import new files in ERP_IMPORT_DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["file"]:
            results = erp_import_directory()
            self.stdout.write(f"{len(results)} nye filer behandlet.")
            for result in results:
                self.stdout.write(f"  kjøring {result.run_id}: {result.status} {result.counts}")
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Finner ikke filen {path}.")
        result = erp_import_file(path=path, source="command")
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Filen ble avvist ({len(result.errors)} feil); ingenting ble skrevet.")
        self.stdout.write(self.style.SUCCESS(f"Importert: {result.counts}"))
