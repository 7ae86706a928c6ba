"""Import the ERP's payment file (betalingsstatus), or with ``--simulate`` the simulator's for a committed month."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoicing.payments import invoice_payments_import, invoice_payments_simulate
from oas.errors import DomainError


class Command(BaseCommand):
    help = "Import payment status per payer and month from the ERP's file (or --simulate --month YYYY-MM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help="betalingsstatus-<kommune>-<YYYY-MM>.csv")
        parser.add_argument("--simulate", action="store_true", help="The ERP simulator's file for --month.")
        parser.add_argument("--month", help="YYYY-MM (with --simulate).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["simulate"]:
                month = dt.date.fromisoformat(f"{options['month']}-01")
                name, content = f"simulator-{month:%Y-%m}", invoice_payments_simulate(month=month)
            elif options["file"]:
                path = Path(options["file"])
                name, content = path.name, path.read_bytes()
            else:
                raise CommandError("Oppgi --file eller --simulate --month.")
            rows = invoice_payments_import(name=name, content=content)
        except (ValueError, TypeError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Betalingsstatus: {rows} rader fra {name}.")
