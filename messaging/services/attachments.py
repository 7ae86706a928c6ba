"""Attachments: the type is checked from the content with a real parser (``oas.uploads``), stored privately."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from messaging.models import Attachment, Message
from oas import uploads
from oas.errors import ValidationError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5

# extension → the content type the bytes must parse as
ALLOWED_EXTENSIONS: dict[str, str] = {
    "pdf": uploads.PDF,
    "png": uploads.PNG,
    "jpg": uploads.JPEG,
    "jpeg": uploads.JPEG,
    "gif": uploads.GIF,
    "webp": uploads.WEBP,
    "docx": uploads.DOCX,
    "xlsx": uploads.XLSX,
    "pptx": uploads.PPTX,
    "odt": uploads.ODT,
    "ods": uploads.ODS,
}


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def upload_from_request_file(*, file: IO[bytes], filename: str) -> Upload:
    """Stream a posted file to disk within the size limit, check its content, and only then read it."""
    accepted = uploads.upload_accept(
        source=file, filename=filename, allowed=ALLOWED_EXTENSIONS, max_bytes=MAX_ATTACHMENT_BYTES
    )
    return Upload(filename=accepted.filename, content=accepted.content)


def attachment_validate(*, upload: Upload) -> str:
    """Return the verified content type or raise ValidationError (wrong type, forged extension, too big)."""
    name = Path(upload.filename).name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Filtypen «.%(ext)s» er ikke tillatt. Tillatt: PDF, bilder og kontordokumenter.") % {"ext": ext},
            code="attachment_type",
        )
    if len(upload.content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("Vedlegget er større enn 10 MB."), code="attachment_too_large")
    if not upload.content:
        raise ValidationError(_("Vedlegget er tomt."), code="attachment_empty")
    try:
        return uploads.content_check(data=upload.content, filename=name, allowed=ALLOWED_EXTENSIONS)
    except ValidationError as exc:
        code = "attachment_forged_extension" if exc.code == "content_mismatch" else f"attachment_{exc.code}"
        raise ValidationError(exc.message, code=code) from exc


def private_path(storage_name: str) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "messaging" / storage_name


def attachments_store(*, message: Message, uploads: list[Upload], content_types: list[str]) -> list[Attachment]:
    """Write validated uploads under PRIVATE_MEDIA_ROOT and record them (call inside the message's transaction)."""
    rows: list[Attachment] = []
    for upload, content_type in zip(uploads, content_types, strict=True):
        storage_name = secrets.token_hex(24)
        path = private_path(storage_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.content)
        row = Attachment(
            message=message,
            filename=Path(upload.filename).name[:200],
            content_type=content_type,
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            storage_name=storage_name,
        )
        row.full_clean()
        row.save()
        rows.append(row)
    return rows
