"""Archive case documents: one saksmappe per child and case type, a journalpost (I/U) per document.

Other apps call ``archive_document`` inside their business transaction; the outbox delivers with
``archive_deliver``. Every step looks up before it creates (external keys), so a redelivery after a
crash completes what is missing and never makes a second saksmappe, journalpost or file.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from integrations.common.errors import PermanentError
from integrations.models import ArchiveCaseFile, ArchiveRecord, ArchiveRecordState, JournalpostType
from integrations.noark.mapping import JOURNALPOSTTYPE_NAMES, KORRESPONDANSEPARTTYPER, SKJERMING_OFFL_13, NoarkObject
from integrations.noark.port import NoarkPort
from integrations.outbox.registry import Delivery
from integrations.outbox.services import outbox_enqueue
from oas import clock
from oas.audit.services import audit_record
from oas.errors import Conflict, NotFound, ValidationError
from oas.people.models import Person

logger = logging.getLogger(__name__)

OUTBOX_KIND = "noark.archive"
FAGSYSTEM = "OAS"
MASK = "*****"


def _case_file_key(*, child_id: int, case_type: str) -> str:
    return f"oas:saksmappe:{case_type}:{child_id}"


def archive_document(
    *,
    child_person_id: int,
    case_type: str,
    case_id: str | int,
    case_title: str,
    journalposttype: str,
    title: str,
    pdf: bytes,
    document_date: dt.date,
    idempotency_key: str,
    filename: str = "dokument.pdf",
    correspondent_person_id: int | None = None,
) -> int:
    """Queue a PDF for the archive (journalpost I for applications, U for decisions); return the record id.

    Call it inside the business transaction. ``case_title`` names the saksmappe ("Barnehageplass"); the
    archive's public titles carry the child's name masked. ``correspondent_person_id`` (e.g. the guardian) is
    archived as korrespondansepart: avsender (EA) on I, mottaker (EM) on U — name and fødselsnummer only.
    """
    errors: dict[str, list[str]] = {}
    if journalposttype not in JournalpostType.values:
        errors["journalposttype"] = [_("Bruk I (inngående) eller U (utgående).")]
    if not case_type or len(case_type) > 60:
        errors["case_type"] = [_("Påkrevd (maks 60 tegn).")]
    if not (title or "").strip() or not (case_title or "").strip():
        errors["title"] = [_("Tittel og sakstittel er påkrevd.")]
    if not pdf.startswith(b"%PDF"):
        errors["pdf"] = [_("Dokumentet er ikke en PDF.")]
    if not idempotency_key or len(idempotency_key) > 190:
        errors["idempotency_key"] = [_("1–190 tegn.")]
    if errors:
        raise ValidationError(_("Dokumentet kan ikke arkiveres."), fields=errors)
    existing = ArchiveRecord.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.case_type != case_type or existing.case_id != str(case_id):
            raise Conflict(_("Nøkkelen %(key)s er brukt for en annen sak.") % {"key": idempotency_key})
        return existing.id
    child = Person.objects.filter(id=child_person_id).first()
    if child is None:
        raise NotFound(_("Barnet finnes ikke."))
    correspondent = None
    if correspondent_person_id is not None:
        correspondent = Person.objects.filter(id=correspondent_person_id).first()
        if correspondent is None:
            raise NotFound(_("Korrespondanseparten finnes ikke."))
    with transaction.atomic():
        record = ArchiveRecord(
            child=child,
            case_type=case_type,
            case_id=str(case_id),
            journalposttype=journalposttype,
            correspondent=correspondent,
            case_title=case_title.strip()[:200],
            title=title.strip()[:500],
            document_date=document_date,
            filename=filename,
            pdf=pdf,
            idempotency_key=idempotency_key,
        )
        # Field checks only: the unique key and the check constraint are the database's (one query each per
        # row otherwise); the key was looked up above and a new record is queued, so neither can fail.
        record.full_clean(validate_unique=False, validate_constraints=False)
        record.save()
        outbox_enqueue(kind=OUTBOX_KIND, payload={"record_id": record.id}, idempotency_key=f"noark:{idempotency_key}")
        audit_record(
            action="export",
            event="archive.queued",
            person_ids=[child.id],
            object_type=f"{case_type}",
            object_id=str(case_id),
            details={"journalposttype": journalposttype},
        )
    return record.id


def _noark_port() -> NoarkPort:
    from integrations.noark.client import get_noark_port

    return get_noark_port()


def _create_or_find(create: Any, find: Any) -> NoarkObject:
    """Create; if the archive says the external key exists (409: an earlier attempt got through), find it."""
    try:
        return create()
    except PermanentError as exc:
        if exc.status != 409:
            raise
        found = find()
        if found is None:
            raise
        return found


def _ensure_case_file(port: NoarkPort, record: ArchiveRecord, case_title: str) -> tuple[ArchiveCaseFile, NoarkObject]:
    key = _case_file_key(child_id=record.child_id, case_type=record.case_type)
    mappe = port.saksmappe_find(external_key=key)
    if mappe is None:
        child = record.child
        data = {
            "tittel": f"{case_title} – {child.full_name}",
            "offentligTittel": f"{case_title} – {MASK}",
            "skjerming": SKJERMING_OFFL_13,
            "referanseEksternNoekkel": {"fagsystem": FAGSYSTEM, "noekkel": key},
        }
        mappe = _create_or_find(lambda: port.saksmappe_create(data), lambda: port.saksmappe_find(external_key=key))
    try:
        with transaction.atomic():
            case_file, _created = ArchiveCaseFile.objects.get_or_create(
                external_key=key,
                defaults={
                    "child_id": record.child_id,
                    "case_type": record.case_type,
                    "system_id": mappe.system_id,
                    "mappe_id": str(mappe.data.get("mappeID", "")),
                    "saksaar": mappe.int_field("saksaar") or 0,
                    "sakssekvensnummer": mappe.int_field("sakssekvensnummer") or 0,
                },
            )
    except IntegrityError:  # a concurrent delivery stored it first
        case_file = ArchiveCaseFile.objects.get(external_key=key)
    return case_file, mappe


def _ensure_journalpost(port: NoarkPort, record: ArchiveRecord, mappe: NoarkObject, title: str) -> NoarkObject:
    key = record.idempotency_key
    journalpost = port.journalpost_find(external_key=key)
    if journalpost is not None:
        return journalpost
    kind = record.journalposttype
    data: dict[str, Any] = {
        "tittel": f"{title} – {record.child.full_name}",
        "offentligTittel": f"{title} – {MASK}",
        "journalposttype": {"kode": kind, "kodenavn": JOURNALPOSTTYPE_NAMES[kind]},
        "journalstatus": {"kode": "J", "kodenavn": "Journalført"}
        if kind == "I"
        else {"kode": "F", "kodenavn": "Ferdigstilt fra saksbehandler"},
        "dokumentetsDato": record.document_date.isoformat(),
        "skjerming": SKJERMING_OFFL_13,
        "referanseEksternNoekkel": {"fagsystem": FAGSYSTEM, "noekkel": key},
    }
    data["mottattDato" if kind == "I" else "sendtDato"] = record.document_date.isoformat()
    return _create_or_find(
        lambda: port.journalpost_create(mappe, data), lambda: port.journalpost_find(external_key=key)
    )


def _ensure_correspondent(port: NoarkPort, record: ArchiveRecord, journalpost: NoarkObject) -> None:
    person = record.correspondent
    if person is None or port.korrespondanseparter(journalpost):
        return
    # Never an address: the archive does not need it, and it could be a protected one (adressebeskyttelse).
    kind = "EA" if record.journalposttype == "I" else "EM"
    data: dict[str, Any] = {
        "korrespondanseparttype": {"kode": kind, "kodenavn": KORRESPONDANSEPARTTYPER[kind]},
        "navn": person.full_name,
    }
    if person.national_id:
        data["foedselsnummer"] = person.national_id
    port.korrespondansepart_create(journalpost, data)


def _ensure_document(
    port: NoarkPort, record: ArchiveRecord, journalpost: NoarkObject, title: str
) -> tuple[NoarkObject, NoarkObject]:
    beskrivelser = port.dokumentbeskrivelser(journalpost)
    beskrivelse = (
        beskrivelser[0]
        if beskrivelser
        else port.dokumentbeskrivelse_create(
            journalpost,
            {
                "tittel": title,
                "dokumentstatus": {"kode": "F", "kodenavn": "Dokumentet er ferdigstilt"},
                "tilknyttetRegistreringSom": {"kode": "H", "kodenavn": "Hoveddokument"},
                "skjerming": SKJERMING_OFFL_13,
            },
        )
    )
    objekter = port.dokumentobjekter(beskrivelse)
    objekt = (
        objekter[0]
        if objekter
        else port.dokumentobjekt_create(
            beskrivelse,
            {
                "versjonsnummer": 1,
                "variantformat": {"kode": "A", "kodenavn": "Arkivformat"},
                "format": {"kode": "fmt/276", "kodenavn": "PDF 1.7"},
                "mimeType": "application/pdf",
                "filnavn": record.filename,
            },
        )
    )
    if not objekt.data.get("sjekksum"):
        objekt = port.file_upload(objekt, content=bytes(record.pdf), mime_type="application/pdf")
    return beskrivelse, objekt


def archive_deliver(delivery: Delivery, *, port: NoarkPort | None = None) -> dict[str, Any] | None:
    """Outbox handler: make sure saksmappe, journalpost, document and file exist, then store the references."""
    record_id = delivery.payload.get("record_id")
    if not isinstance(record_id, int):
        raise PermanentError(f"noark.archive: payload uten record_id: {delivery.payload!r}", system="noark")
    record = ArchiveRecord.objects.select_related("child", "correspondent").filter(id=record_id).first()
    if record is None:
        logger.warning("noark.archive: record %s vanished", record_id)
        return {"skipped": "record vanished"}
    if record.state == ArchiveRecordState.ARCHIVED:
        return {"journalpost": record.journalpost_system_id}
    case_title, title = record.case_title, record.title
    client = port or _noark_port()
    try:
        case_file, mappe = _ensure_case_file(client, record, case_title)
        journalpost = _ensure_journalpost(client, record, mappe, title)
        _ensure_correspondent(client, record, journalpost)
        beskrivelse, objekt = _ensure_document(client, record, journalpost, title)
    finally:
        if port is None:
            client.close()  # type: ignore[attr-defined]
    with transaction.atomic():
        record = ArchiveRecord.objects.select_for_update().get(id=record.id)
        record.case_file = case_file
        record.journalpost_system_id = journalpost.system_id
        record.journalaar = journalpost.int_field("journalaar")
        record.journalsekvensnummer = journalpost.int_field("journalsekvensnummer")
        record.journalpostnummer = journalpost.int_field("journalpostnummer")
        record.dokumentbeskrivelse_system_id = beskrivelse.system_id
        record.dokumentobjekt_system_id = objekt.system_id
        record.state = ArchiveRecordState.ARCHIVED
        record.archived_at = clock.now()
        record.save(
            update_fields=[
                "case_file",
                "journalpost_system_id",
                "journalaar",
                "journalsekvensnummer",
                "journalpostnummer",
                "dokumentbeskrivelse_system_id",
                "dokumentobjekt_system_id",
                "state",
                "archived_at",
            ]
        )
    return {"saksmappe": case_file.mappe_id, "journalpost": journalpost.system_id}
