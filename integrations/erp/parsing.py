"""Read an ERP export (CSV or JSON, see SCHEMA.md) into our dataclasses, collecting every error with its place."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from oas.people.national_id import InvalidNationalId, parse_national_id

SCHEMA_PATH = Path(__file__).with_name("schema.json")
EMPLOYEE_COLUMNS = ("ansattnummer", "fodselsnummer", "fornavn", "etternavn", "epost", "mobil", "entra_oid", "feide_id")
EMPLOYMENT_COLUMNS = (
    "arbeidsforhold_id",
    "enhetskode",
    "stillingskode",
    "stillingstittel",
    "stillingsprosent",
    "fra",
    "til",
)
CSV_COLUMNS = EMPLOYEE_COLUMNS + EMPLOYMENT_COLUMNS


@dataclass(frozen=True)
class RowError:
    """Where (``line`` for CSV, ``location`` path for JSON), which field, and what is wrong."""

    location: str
    field: str
    message: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "location": self.location, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = f"linje {self.line}" if self.line is not None else self.location
        return f"{where}, {self.field}: {self.message}"


@dataclass
class ErpEmployment:
    external_id: str
    unit_code: str
    position_code: str
    position_title: str
    percentage: Decimal
    valid_from: dt.date
    valid_to: dt.date | None
    location: str
    line: int | None


@dataclass
class ErpEmployee:
    employee_number: str
    national_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    entra_object_id: str
    feide_id: str
    location: str
    line: int | None
    employments: list[ErpEmployment] = field(default_factory=list)


@dataclass
class ParsedExport:
    employees: list[ErpEmployee]
    errors: list[RowError]


@functools.cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _date(value: str, *, field_name: str, errors: list[RowError], location: str, line: int | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors.append(
            RowError(
                location, field_name, _("Ugyldig dato %(value)s (bruk ÅÅÅÅ-MM-DD).") % {"value": repr(value)}, line
            )
        )
        return None


def _employee(raw: dict[str, Any], *, errors: list[RowError], location: str, line: int | None) -> ErpEmployee:
    def text(name: str) -> str:
        value = raw.get(name)
        return "" if value is None else str(value).strip()

    errors.extend(
        RowError(location, name, _("Påkrevd felt mangler."), line)
        for name in ("ansattnummer", "fodselsnummer", "fornavn", "etternavn")
        if not text(name)
    )
    national_id = text("fodselsnummer")
    if national_id:
        try:
            parse_national_id(national_id)
        except InvalidNationalId as exc:
            errors.append(RowError(location, "fodselsnummer", exc.message, line))
    email = text("epost")
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.append(
                RowError(location, "epost", _("Ugyldig e-postadresse %(email)s.") % {"email": repr(email)}, line)
            )
    for name, limit in (
        ("ansattnummer", 40),
        ("fornavn", 100),
        ("etternavn", 100),
        ("mobil", 20),
        ("entra_oid", 64),
        ("feide_id", 200),
    ):
        if len(text(name)) > limit:
            errors.append(RowError(location, name, _("For langt (maks %(limit)s tegn).") % {"limit": limit}, line))
    return ErpEmployee(
        employee_number=text("ansattnummer"),
        national_id=national_id,
        first_name=text("fornavn"),
        last_name=text("etternavn"),
        email=email,
        phone=text("mobil"),
        entra_object_id=text("entra_oid"),
        feide_id=text("feide_id"),
        location=location,
        line=line,
    )


def _employment(
    raw: dict[str, Any], *, errors: list[RowError], location: str, line: int | None
) -> ErpEmployment | None:
    def text(name: str) -> str:
        value = raw.get(name)
        return "" if value is None else str(value).strip()

    before = len(errors)
    errors.extend(
        RowError(location, name, _("Påkrevd felt mangler."), line)
        for name in ("arbeidsforhold_id", "enhetskode", "stillingskode", "stillingsprosent", "fra")
        if not text(name)
    )
    percentage = Decimal(0)
    if text("stillingsprosent"):
        try:
            percentage = Decimal(text("stillingsprosent").replace(",", "."))
        except InvalidOperation:
            errors.append(
                RowError(
                    location,
                    "stillingsprosent",
                    _("Ikke et tall: %(value)s.") % {"value": repr(text("stillingsprosent"))},
                    line,
                )
            )
        else:
            if not (0 < percentage <= 100):
                errors.append(RowError(location, "stillingsprosent", _("Må være større enn 0 og høyst 100."), line))
    valid_from = (
        _date(text("fra"), field_name="fra", errors=errors, location=location, line=line) if text("fra") else None
    )
    valid_to = (
        _date(text("til"), field_name="til", errors=errors, location=location, line=line) if text("til") else None
    )
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(RowError(location, "til", _("Sluttdato er før startdato."), line))
    if len(errors) > before or valid_from is None:
        return None
    return ErpEmployment(
        external_id=text("arbeidsforhold_id"),
        unit_code=text("enhetskode"),
        position_code=text("stillingskode"),
        position_title=text("stillingstittel"),
        percentage=percentage.quantize(Decimal("0.01")),
        valid_from=valid_from,
        valid_to=valid_to,
        location=location,
        line=line,
    )


def parse_json(content: bytes) -> ParsedExport:
    """Parse the JSON form; structure errors come from ``schema.json``, content errors from our checks."""
    import jsonschema

    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return ParsedExport([], [RowError("fil", "", _("Ugyldig JSON: %(error)s") % {"error": exc})])
    validator = jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker())
    schema_errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if schema_errors:
        found = []
        for err in schema_errors:
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path).lstrip(".")
            field_name = next((str(p) for p in reversed(err.absolute_path) if isinstance(p, str)), "")
            if err.validator in ("required", "additionalProperties") and "'" in err.message:
                field_name = err.message.split("'")[1]  # the property the message names
            found.append(RowError(path or "dokument", field_name, err.message))
        return ParsedExport([], found)
    errors: list[RowError] = []
    employees = []
    for index, raw in enumerate(document["ansatte"]):
        location = f"ansatte[{index}]"
        employee = _employee(raw, errors=errors, location=location, line=None)
        for job_index, job in enumerate(raw.get("arbeidsforhold") or []):
            employment = _employment(
                {**job, "stillingsprosent": str(job.get("stillingsprosent", ""))},
                errors=errors,
                location=f"{location}.arbeidsforhold[{job_index}]",
                line=None,
            )
            if employment is not None:
                employee.employments.append(employment)
        employees.append(employee)
    return ParsedExport(employees, errors)


def parse_csv(content: bytes) -> ParsedExport:
    """Parse the CSV form (``;``, UTF-8, header row, one row per employment)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ParsedExport([], [RowError("fil", "", _("Filen er ikke UTF-8: %(error)s") % {"error": exc})])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, None)
    if header is None:
        return ParsedExport([], [RowError("linje 1", "", _("Filen er tom."), 1)])
    header = [h.strip() for h in header]
    missing = [c for c in CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        problems = ([_("mangler kolonnene %(columns)s") % {"columns": ", ".join(missing)}] if missing else []) + (
            [_("ukjente kolonner %(columns)s") % {"columns": ", ".join(unknown)}] if unknown else []
        )
        message = _("Feil i overskriftsraden: %(problems)s.") % {"problems": "; ".join(problems)}
        return ParsedExport([], [RowError("linje 1", "", message, 1)])
    errors: list[RowError] = []
    by_number: dict[str, ErpEmployee] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(
                RowError(
                    f"linje {line}",
                    "",
                    _("Forventet %(expected)s felt, fikk %(got)s.") % {"expected": len(header), "got": len(values)},
                    line,
                )
            )
            continue
        row = dict(zip(header, values, strict=True))
        location = f"linje {line}"
        employee = _employee(row, errors=errors, location=location, line=line)
        existing = by_number.get(employee.employee_number)
        if existing is not None:
            for name, attr in (
                ("fodselsnummer", "national_id"),
                ("fornavn", "first_name"),
                ("etternavn", "last_name"),
                ("epost", "email"),
                ("mobil", "phone"),
                ("entra_oid", "entra_object_id"),
                ("feide_id", "feide_id"),
            ):
                if getattr(existing, attr) != getattr(employee, attr):
                    errors.append(
                        RowError(
                            location,
                            name,
                            _("Ulik verdi for ansatt %(number)s (se linje %(line)s).")
                            % {"number": employee.employee_number, "line": existing.line},
                            line,
                        )
                    )
            employee = existing
        elif employee.employee_number:
            by_number[employee.employee_number] = employee
        if any(row[c].strip() for c in EMPLOYMENT_COLUMNS):
            employment = _employment(row, errors=errors, location=location, line=line)
            if employment is not None:
                employee.employments.append(employment)
    return ParsedExport(list(by_number.values()), errors)


def check_consistency(parsed: ParsedExport) -> None:
    """Add errors for what only the whole file shows: duplicates and an empty export."""
    if not parsed.employees and not parsed.errors:
        parsed.errors.append(
            RowError("fil", "ansatte", _("Eksporten inneholder ingen ansatte; avvist for ikke å avslutte alle."))
        )
    seen_numbers: dict[str, ErpEmployee] = {}
    seen_ids: dict[str, ErpEmployee] = {}
    seen_jobs: dict[str, ErpEmployment] = {}
    for employee in parsed.employees:
        if employee.employee_number in seen_numbers and employee.line is None:
            parsed.errors.append(
                RowError(
                    employee.location,
                    "ansattnummer",
                    _("Ansattnummer %(number)s finnes flere ganger.") % {"number": employee.employee_number},
                )
            )
        seen_numbers[employee.employee_number] = employee
        other = seen_ids.get(employee.national_id)
        if employee.national_id and other is not None and other.employee_number != employee.employee_number:
            parsed.errors.append(
                RowError(
                    employee.location,
                    "fodselsnummer",
                    _("Samme fødselsnummer som ansatt %(number)s.") % {"number": other.employee_number},
                    employee.line,
                )
            )
        seen_ids[employee.national_id] = employee
        for job in employee.employments:
            if job.external_id in seen_jobs:
                parsed.errors.append(
                    RowError(
                        job.location,
                        "arbeidsforhold_id",
                        _("Arbeidsforhold %(id)s finnes flere ganger.") % {"id": job.external_id},
                        job.line,
                    )
                )
            seen_jobs[job.external_id] = job


def parse_export(*, name: str, content: bytes) -> ParsedExport:
    """Parse by file extension (``.csv`` or ``.json``) and run the whole-file checks."""
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        parsed = parse_json(content)
    elif suffix == ".csv":
        parsed = parse_csv(content)
    else:
        return ParsedExport(
            [], [RowError("fil", "", _("Ukjent filtype %(suffix)s; bruk .csv eller .json.") % {"suffix": repr(suffix)})]
        )
    check_consistency(parsed)
    return parsed
