"""Uploaded files: stream to disk with a size limit, then check the content with a real parser.

One path for every upload (the reduced-fee documentation, message attachments):

1. ``upload_receive`` copies the upload in chunks to a private temporary file and stops at the size limit
   before anything is read into memory;
2. ``content_check`` decides the type from the bytes, never from the name or the declared type: a PDF must
   open with pypdf and end with ``%%EOF`` (no executable hidden behind a ``%PDF-`` header or after the end),
   an image must be decoded by Pillow within a pixel limit, an office document (a zip) is judged from its
   central directory — the declared uncompressed sizes — without inflating anything.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from oas.errors import ValidationError

CHUNK = 64 * 1024
# Office documents: at most this much uncompressed in total and this many entries (declared in the zip's
# central directory, checked before anything is inflated), and a compression ratio an ordinary document has.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_COMPRESSION_RATIO = 100
MAX_IMAGE_PIXELS = 60_000_000

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
_IMAGE_FORMATS = {"PNG": PNG, "JPEG": JPEG, "GIF": GIF, "WEBP": WEBP}
_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF_TYPES = {ODT, ODS}


def max_upload_bytes() -> int:
    """The largest single file accepted (setting ``UPLOAD_MAX_FILE_BYTES``)."""
    return int(getattr(settings, "UPLOAD_MAX_FILE_BYTES", 10 * 1024 * 1024))


@dataclass(frozen=True)
class ReceivedFile:
    """An upload copied to a private temporary file; the caller reads it and calls ``discard``."""

    filename: str
    path: Path
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class AcceptedFile:
    """An upload within the size limit whose content is of an allowed type (``content_type`` from the bytes)."""

    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code, fields={"attachment": [message]})


def _temp_dir() -> Path:
    base = Path(getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or Path(settings.PRIVATE_MEDIA_ROOT) / "incoming")
    base.mkdir(parents=True, exist_ok=True)
    return base


def upload_receive(*, source: IO[bytes] | bytes, filename: str, max_bytes: int | None = None) -> ReceivedFile:
    """Copy ``source`` to a temporary file in chunks; refuse it (deleting the copy) as soon as it passes the limit."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    stream: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else source
    if hasattr(stream, "seek"):
        with suppress(OSError, ValueError):
            stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    handle, name = tempfile.mkstemp(prefix="upload-", dir=_temp_dir())
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _refuse(
                        _("Filen er for stor (høyst %(mb)s MB).") % {"mb": limit // (1024 * 1024)}, "too_large"
                    )
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise _refuse(_("Filen er tom."), "empty")
    return ReceivedFile(filename=Path(filename or "").name, path=path, size=size, sha256=digest.hexdigest())


@contextmanager
def _opened(data: Path | bytes) -> Iterator[IO[bytes]]:
    if isinstance(data, bytes):
        yield io.BytesIO(data)
    else:
        with data.open("rb") as fh:
            yield fh


def _sniff(head: bytes) -> str:
    """Which parser to ask, from the first bytes; the parser then decides."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return "image"
    return ""


def _check_pdf(fh: IO[bytes], size: int) -> str | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # The file must end with the end-of-file marker (ISO 32000 7.5.5): nothing executable after it.
    fh.seek(max(0, size - 1024))
    tail = fh.read()
    end = tail.rfind(b"%%EOF")
    if end < 0 or tail[end + 5 :].strip(b" \r\n\t\x00"):
        return None
    fh.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(fh, strict=False)
            if reader.is_encrypted:
                return None
            pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        return None
    return PDF if pages > 0 else None


def _check_image(fh: IO[bytes]) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fh) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return None
                image.verify()  # checks the structure without decoding all pixels
                return _IMAGE_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError):
        return None
    except (ValueError, TypeError, IndexError, EOFError):
        return None


def _check_zip(fh: IO[bytes]) -> str | None:
    """An office document, judged from the central directory; only a tiny ``mimetype`` entry is ever inflated."""
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise _refuse(_("Dokumentet har for mange deler."), "zip_too_many_entries")
            declared = sum(i.file_size for i in infos)
            if declared > MAX_UNCOMPRESSED_BYTES or any(
                i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1024) for i in infos
            ):
                raise _refuse(
                    _("Dokumentet pakker seg ut til mer enn %(mb)s MB og er ikke tatt imot.")
                    % {"mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)},
                    "zip_too_large",
                )
            names = {i.filename: i for i in infos}
            if "mimetype" in names:
                if names["mimetype"].file_size > 100:
                    return None
                with archive.open("mimetype") as part:
                    mimetype = part.read(101).decode("ascii", "replace").strip()
                return mimetype if mimetype in _ODF_TYPES else None
            if "[Content_Types].xml" in names:
                for prefix, content_type in _OOXML_PARTS.items():
                    if any(n.startswith(prefix) for n in names):
                        return content_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    return None


def content_type_of(*, data: Path | bytes) -> str | None:
    """Return the type the content really is (PDF, image or office document), or None for anything else."""
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    with _opened(data) as fh:
        kind = _sniff(fh.read(16))
        fh.seek(0)
        if kind == "pdf":
            return _check_pdf(fh, size)
        if kind == "image":
            return _check_image(fh)
        if kind == "zip":
            return _check_zip(fh)
    return None


def content_check(*, data: Path | bytes, filename: str, allowed: Mapping[str, str]) -> str:
    """Return the verified content type; refuse a name whose extension is not allowed or whose content differs.

    ``allowed`` maps file extensions (lower case, no dot) to the content type the bytes must parse as.
    """
    name = Path(filename or "").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        kinds = ", ".join(sorted({e.upper() for e in allowed}))
        raise _refuse(
            _("Filtypen «.%(ext)s» er ikke tillatt. Tillatt: %(kinds)s.") % {"ext": ext, "kinds": kinds}, "type"
        )
    real = content_type_of(data=data)
    if real is None or real != allowed[ext]:
        raise _refuse(
            _("Innholdet i «%(name)s» er ikke en gyldig %(ext)s-fil.") % {"name": name, "ext": ext.upper()},
            "content_mismatch",
        )
    return real


def upload_accept(
    *, source: IO[bytes] | bytes, filename: str, allowed: Mapping[str, str], max_bytes: int | None = None
) -> AcceptedFile:
    """Receive an upload (streamed to disk, size-limited), check its content, and return it; refuse otherwise."""
    received = upload_receive(source=source, filename=filename, max_bytes=max_bytes)
    try:
        content_type = content_check(data=received.path, filename=received.filename, allowed=allowed)
        content = received.path.read_bytes()
    finally:
        received.discard()
    return AcceptedFile(
        filename=received.filename,
        content_type=content_type,
        size=received.size,
        sha256=received.sha256,
        content=content,
    )


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than ``UPLOAD_MAX_REQUEST_BYTES`` (413) before Django reads it.

    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds the non-file fields only; this bounds the whole body, files included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(getattr(settings, "UPLOAD_MAX_REQUEST_BYTES", 0) or 0)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            message = _("Forespørselen er for stor (høyst %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
