"""Import ERP employee master data: all or nothing, then roles follow (see SCHEMA.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from integrations.erp.parsing import ErpEmployee, ErpEmployment, ParsedExport, RowError, parse_export
from integrations.models import ErpImportRun, ErpImportStatus
from oas import clock
from oas.audit.services import audit_record
from oas.errors import DomainError
from oas.organisation.models import OrgUnit
from oas.people.models import Employee, Employment, Person
from oas.people.national_id import parse_national_id

logger = logging.getLogger(__name__)


@dataclass
class ErpImportResult:
    run_id: int
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    employee_ids: list[int] = field(default_factory=list)
    skipped: bool = False


class _Rejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} feil")
        self.errors = errors


def _recompute_roles(employee_ids: list[int]) -> None:
    """Call the access kernel's role recomputation when it exists (issue "Identity…"); optional by design."""
    try:
        from oas.access.services import roles_recompute_for_employees
    except ImportError:
        logger.info("erp: oas.access.services.roles_recompute_for_employees not available; roles not recomputed")
        return
    roles_recompute_for_employees(employee_ids=employee_ids)


COUNT_KEYS = (
    "persons_created",
    "employees_created",
    "employees_updated",
    "employees_deactivated",
    "employments_created",
    "employments_updated",
    "employments_ended",
    "employments_removed",
)


class _Importer:
    """Writes one parsed export; collects every refusal so the caller can roll back and report them all.

    Rows are validated in memory against maps loaded up front (no query per row); new persons, employees and
    employments are written with ``bulk_create``, changes with ``save(update_fields=...)``.
    """

    def __init__(self, parsed: ParsedExport, *, today: dt.date):
        self.parsed = parsed
        self.today = today
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.errors: list[RowError] = []
        rows = parsed.employees
        self.units = {
            u.code: u for u in OrgUnit.objects.filter(code__in={j.unit_code for e in rows for j in e.employments})
        }
        self.persons = {p.national_id: p for p in Person.objects.filter(national_id__in=[e.national_id for e in rows])}
        self.employees = {e.employee_number: e for e in Employee.objects.all()}
        self.number_by_person = {e.person_id: number for number, e in self.employees.items()}
        self.employments = {
            e.external_id: e
            for e in Employment.objects.filter(external_id__in=[j.external_id for e in rows for j in e.employments])
        }
        self.new_persons: list[Person] = []
        self.new_employees: list[Employee] = []
        self.new_employments: list[Employment] = []
        self.changed_employments: list[tuple[Employment, list[str]]] = []
        self.seen_employees: list[Employee] = []
        self.touched: set[int] = set()

    def run(self) -> None:
        for row in self.parsed.employees:
            person = self._person(row)
            employee = self._employee(row, person) if person is not None else None
            if employee is not None:
                self.seen_employees.append(employee)
                for job in row.employments:
                    self._employment(job, employee)
        if self.errors:
            raise _Rejected(self.errors)
        Person.objects.bulk_create(self.new_persons, batch_size=1000)
        Employee.objects.bulk_create(self.new_employees, batch_size=1000)
        Employment.objects.bulk_create(self.new_employments, batch_size=1000)
        for employment, fields in self.changed_employments:
            employment.save(update_fields=fields)
        self.touched.update(e.id for e in self.seen_employees)
        self._end_missing()

    def _person(self, row: ErpEmployee) -> Person | None:
        person = self.persons.get(row.national_id)
        if person is None:
            person = Person(
                national_id=row.national_id,
                first_name=row.first_name,
                last_name=row.last_name,
                birth_date=parse_national_id(row.national_id).birth_date,
            )
            if not _valid(person, row, self.errors):
                return None
            self.new_persons.append(person)
            self.persons[row.national_id] = person
            self.counts["persons_created"] += 1
        elif person.freg_synced_at is None and (person.first_name, person.last_name) != (row.first_name, row.last_name):
            # Folkeregisteret is the source for names once a person is synchronised; before that, the ERP.
            person.first_name, person.last_name = row.first_name, row.last_name
            if _valid(person, row, self.errors):
                person.save(update_fields=["first_name", "last_name", "updated_at"])
        return person

    def _employee(self, row: ErpEmployee, person: Person) -> Employee | None:
        employee = self.employees.get(row.employee_number)
        wanted: dict[str, Any] = {
            "email": row.email,
            "phone": row.phone,
            "entra_object_id": row.entra_object_id,
            "feide_id": row.feide_id,
            "active": True,
        }
        other = self.number_by_person.get(person.pk) if person.pk else None
        if employee is None and other is not None:
            message = _("Fødselsnummeret tilhører allerede ansatt %(number)s.") % {"number": other}
            self.errors.append(RowError(row.location, "fodselsnummer", message, row.line))
            return None
        if employee is not None and employee.person_id != person.pk:
            message = _("Ansatt %(number)s er registrert med et annet fødselsnummer.") % {"number": row.employee_number}
            self.errors.append(RowError(row.location, "fodselsnummer", message, row.line))
            return None
        if employee is None:
            employee = Employee(person=person, employee_number=row.employee_number, **wanted)
            if not _valid(employee, row, self.errors):
                return None
            self.new_employees.append(employee)
            self.employees[row.employee_number] = employee
            self.counts["employees_created"] += 1
        else:
            changed = _assign(employee, wanted)
            if changed and _valid(employee, row, self.errors):
                employee.save(update_fields=changed)
                self.counts["employees_updated"] += 1
        return employee

    def _employment(self, job: ErpEmployment, employee: Employee) -> None:
        unit = self.units.get(job.unit_code)
        if unit is None:
            self.errors.append(
                RowError(
                    job.location,
                    "enhetskode",
                    _("Ukjent enhetskode %(code)s.") % {"code": repr(job.unit_code)},
                    job.line,
                )
            )
            return
        values: dict[str, Any] = {
            "employee": employee,
            "unit": unit,
            "position_code": job.position_code,
            "position_title": job.position_title,
            "percentage": job.percentage,
            "valid_from": job.valid_from,
            "valid_to": job.valid_to,
        }
        existing = self.employments.get(job.external_id)
        if existing is None:
            employment = Employment(external_id=job.external_id, **values)
            if _valid(employment, job, self.errors):
                self.new_employments.append(employment)
                self.counts["employments_created"] += 1
            return
        previous_employee = existing.employee_id
        changed = _assign(existing, values)
        if changed and _valid(existing, job, self.errors):
            self.touched.add(previous_employee)  # it may have moved from another employee
            self.changed_employments.append((existing, changed))
            self.counts["employments_updated"] += 1

    def _end_missing(self) -> None:
        """The file is the full truth: end the employments and deactivate the employees it no longer lists."""
        listed_jobs = {j.external_id for e in self.parsed.employees for j in e.employments}
        listed_numbers = {e.employee_number for e in self.parsed.employees}
        gone = (
            Employment.objects.filter(external_id__isnull=False)
            .exclude(external_id__in=listed_jobs)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.today))
        )
        yesterday = self.today - dt.timedelta(days=1)
        for employment in gone:
            self.touched.add(employment.employee_id)
            if employment.valid_from > yesterday:  # had not started: nothing to keep
                employment.delete()
                self.counts["employments_removed"] += 1
            else:
                employment.valid_to = yesterday
                employment.save(update_fields=["valid_to"])
                self.counts["employments_ended"] += 1
        leavers = list(
            Employee.objects.filter(active=True)
            .exclude(employee_number__in=listed_numbers)
            .values_list("id", flat=True)
        )
        self.counts["employees_deactivated"] = Employee.objects.filter(id__in=leavers).update(active=False)
        self.touched.update(leavers)

    def person_ids(self) -> list[int]:
        return sorted({e.person_id for e in self.seen_employees})


def _assign(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; return the names of the fields that changed (FKs compared by id)."""
    changed = []
    for name, value in values.items():
        field = obj._meta.get_field(name)
        current = getattr(obj, field.attname)
        target = value.pk if field.is_relation else value
        if current != target:
            setattr(obj, name, value)
            changed.append(field.attname if field.is_relation else name)
    return changed


def _valid(obj: Any, row: Any, errors: list[RowError]) -> bool:
    """Field validation in memory; uniqueness and references are guaranteed by the importer's maps."""
    relations = [f.name for f in obj._meta.fields if f.is_relation]
    try:
        obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.append(RowError(row.location, name, "; ".join(messages), row.line))
        return False
    return True


def _apply(parsed: ParsedExport, *, today: dt.date) -> tuple[dict[str, int], list[int], list[int]]:
    """Write the export; raise _Rejected (rolling back) on anything the database or our rules refuse."""
    importer = _Importer(parsed, today=today)
    importer.run()
    return importer.counts, sorted(importer.touched), importer.person_ids()


def erp_import_content(*, name: str, content: bytes, source: str) -> ErpImportResult:
    """Import one ERP export; on any error write nothing but the rejected run with every error listed."""
    started = clock.now()
    digest = hashlib.sha256(content).hexdigest()
    parsed = parse_export(name=name, content=content)
    errors = list(parsed.errors)
    counts: dict[str, int] = {}
    employee_ids: list[int] = []
    if not errors:
        try:
            with transaction.atomic():
                counts, employee_ids, person_ids = _apply(parsed, today=clock.today())
                audit_record(
                    action="update",
                    event="erp.import",
                    person_ids=person_ids,
                    object_type="integrations.erpimportrun",
                    details={"file": name, **counts},
                )
        except _Rejected as exc:
            errors = exc.errors
        except IntegrityError as exc:  # e.g. a concurrent change of the same rows; the whole file is rolled back
            errors = [RowError("fil", "", _("Databasen avviste importen: %(error)s") % {"error": exc})]
    run = ErpImportRun.objects.create(
        file_name=name[:500],
        sha256=digest,
        source=source,
        status=ErpImportStatus.REJECTED if errors else ErpImportStatus.IMPORTED,
        started_at=started,
        finished_at=clock.now(),
        counts=counts,
        errors=[e.as_dict() for e in errors[:1000]],
    )
    if not errors and employee_ids:
        _recompute_roles(employee_ids)
    return ErpImportResult(run_id=run.id, status=run.status, counts=counts, errors=errors, employee_ids=employee_ids)


def erp_import_file(*, path: Path, source: str = "command") -> ErpImportResult:
    """Import the export file at ``path``."""
    return erp_import_content(name=path.name, content=path.read_bytes(), source=source)


# Other files the ERP drops in the same directory, by file-name prefix: a handler ``(name, content) -> counts``
# that writes all or nothing and raises a ``DomainError`` (e.g. ``ValidationError``) with a clear message for a
# bad file. The capability that owns the data registers it in its ``AppConfig.ready`` (invoicing: the payment
# file ``betalingsstatus-<kommune>-<YYYY-MM>.csv``); integrations never imports the capabilities.
ErpFileHandler = Callable[[str, bytes], dict[str, int]]
_FILE_HANDLERS: dict[str, ErpFileHandler] = {}


def register_erp_file_handler(prefix: str, handler: ErpFileHandler) -> None:
    """Import files whose name starts with ``prefix`` (case-insensitive) with ``handler`` in the directory import."""
    _FILE_HANDLERS[prefix.lower()] = handler


def _file_handler(name: str) -> ErpFileHandler | None:
    lowered = name.lower()
    return next((h for prefix, h in _FILE_HANDLERS.items() if lowered.startswith(prefix)), None)


def erp_import_handled(*, name: str, content: bytes, source: str, handler: ErpFileHandler) -> ErpImportResult:
    """Import one file with its registered handler and record the run; a refused file writes nothing but the run."""
    started = clock.now()
    counts: dict[str, int] = {}
    errors: list[RowError] = []
    try:
        counts = handler(name, content)
    except DomainError as exc:
        errors = [RowError("fil", "", exc.message)]
    run = ErpImportRun.objects.create(
        file_name=name[:500],
        sha256=hashlib.sha256(content).hexdigest(),
        source=source,
        status=ErpImportStatus.REJECTED if errors else ErpImportStatus.IMPORTED,
        started_at=started,
        finished_at=clock.now(),
        counts=counts,
        errors=[e.as_dict() for e in errors],
    )
    if errors:
        logger.warning("erp: %s rejected: %s", name, "; ".join(str(e) for e in errors))
    return ErpImportResult(run_id=run.id, status=run.status, counts=counts, errors=errors)


def erp_import_directory(*, directory: Path | None = None) -> list[ErpImportResult]:
    """Import every ``*.csv``/``*.json`` in ``ERP_IMPORT_DIR`` not seen before (by SHA-256), oldest first.

    Employee master data by default; files with a registered prefix (the payment file) by their handler.
    """
    folder = Path(directory or settings.ERP_IMPORT_DIR)
    if not folder.is_dir():
        logger.info("erp: import directory %s does not exist; nothing to import", folder)
        return []
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".json")),
        key=lambda p: (p.stat().st_mtime, p.name),
    )
    results = []
    for path in files:
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if ErpImportRun.objects.filter(sha256=digest).exists():  # imported, or rejected until the ERP fixes it
            continue
        handler = _file_handler(path.name)
        if handler is not None:
            results.append(erp_import_handled(name=path.name, content=content, source="beat", handler=handler))
        else:
            results.append(erp_import_content(name=path.name, content=content, source="beat"))
    return results
