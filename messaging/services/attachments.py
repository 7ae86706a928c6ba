"""Attachments: sniff the real type from the bytes, refuse forged extensions, store privately."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from messaging.models import Attachment, Message
from oas.errors import ValidationError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5

# extension → the content type the bytes must sniff as
ALLOWED_EXTENSIONS: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
_OOXML_PARTS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def sniff_content_type(content: bytes) -> str | None:  # noqa: PLR0911 - one return per magic number
    """Return the content type the bytes really are (one of the allowed ones), else None."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    return mimetype if mimetype in ALLOWED_EXTENSIONS.values() else None
                if "[Content_Types].xml" in names:
                    for prefix, ext in _OOXML_PARTS.items():
                        if any(n.startswith(prefix) for n in names):
                            return ALLOWED_EXTENSIONS[ext]
        except zipfile.BadZipFile:
            return None
    return None


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
    real = sniff_content_type(upload.content)
    if real != ALLOWED_EXTENSIONS[ext]:
        raise ValidationError(
            _("Innholdet i «%(name)s» samsvarer ikke med filendelsen.") % {"name": name},
            code="attachment_forged_extension",
        )
    return real


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
