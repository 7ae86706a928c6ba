"""``manage.py admission_export <round> --out FILE``: write a round as JSON so anyone can check the result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kindergarten.models import AdmissionRound
from kindergarten.selectors import round_export
from oas.audit.services import audit_record


class Command(BaseCommand):
    help = "Eksporter et opptak (programmer, søkere, prioritet og tildeling) som JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="Opptakets kode eller id.")
        parser.add_argument("--out", required=True, help="Filen som skal skrives.")

    def handle(self, *args: Any, **options: Any) -> None:
        key = str(options["round"])
        admission_round = AdmissionRound.objects.filter(code=key).first()
        if admission_round is None and key.isdigit():
            admission_round = AdmissionRound.objects.filter(pk=int(key)).first()
        if admission_round is None:
            raise CommandError(f"Fant ikke opptaket {key!r}.")
        data = round_export(admission_round=admission_round)
        audit_record(
            action="export",
            event="kindergarten.round.export",
            object_type="kindergarten.admissionround",
            object_id=admission_round.pk,
            details={"applicants": len(data["applicants"])},
        )
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"Skrev {len(data['applicants'])} søkere og {len(data['programs'])} programmer til {out}.")
