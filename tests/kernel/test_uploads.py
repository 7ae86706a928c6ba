"""oas.uploads: streamed to disk within a size limit, content checked by real parsers, zip bombs never inflated."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from oas import uploads
from oas.errors import ValidationError
from tests.samples import EXECUTABLE, docx_bytes, pdf_bytes, png_bytes, zip_bomb

ALLOWED = {"pdf": uploads.PDF, "png": uploads.PNG, "docx": uploads.DOCX, "odt": uploads.ODT}


@pytest.fixture(autouse=True)
def _private(settings: Any, tmp_path: Path) -> None:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _leftovers(tmp_path: Path) -> list[Path]:
    incoming = tmp_path / "private" / "incoming"
    return list(incoming.iterdir()) if incoming.exists() else []


def test_real_pdf_png_and_docx_are_accepted_with_the_type_from_the_content(tmp_path: Path) -> None:
    for name, content, expected in (
        ("skatt.pdf", pdf_bytes(), uploads.PDF),
        ("bilde.png", png_bytes(), uploads.PNG),
        ("brev.docx", docx_bytes(), uploads.DOCX),
    ):
        accepted = uploads.upload_accept(source=io.BytesIO(content), filename=name, allowed=ALLOWED)
        assert accepted.content_type == expected
        assert accepted.content == content
    assert _leftovers(tmp_path) == []  # the temporary copies are removed


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("skatt.pdf", EXECUTABLE),  # an executable named .pdf
        ("skatt.pdf", b"%PDF-1.7\n" + EXECUTABLE),  # a PDF header followed by an executable
        ("skatt.pdf", pdf_bytes() + EXECUTABLE),  # an executable after the end of a real PDF
        ("skatt.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),  # no pages, no cross-reference
        ("bilde.png", b"\x89PNG\r\n\x1a\n" + EXECUTABLE),
        ("bilde.png", pdf_bytes()),  # forged extension
        ("virus.exe", EXECUTABLE),
    ],
)
def test_forged_or_disguised_content_is_refused(tmp_path: Path, name: str, content: bytes) -> None:
    with pytest.raises(ValidationError):
        uploads.upload_accept(source=io.BytesIO(content), filename=name, allowed=ALLOWED)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(("name", "entry"), [("bombe.odt", "mimetype"), ("bombe.docx", "word/document.xml")])
def test_a_small_zip_bomb_is_refused_without_inflating_it(name: str, entry: str) -> None:
    bomb = zip_bomb(name=entry, uncompressed_mib=300)
    assert len(bomb) < 400 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as caught:
            uploads.upload_accept(source=io.BytesIO(bomb), filename=name, allowed=ALLOWED)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "zip_too_large"
    assert peak < 20 * 1024 * 1024  # the old check inflated the entry: 300 MiB


class _Endless(io.RawIOBase):
    """A stream that never ends; counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = 65536 if size is None or size < 0 else size
        self.read_bytes += n
        return b"\x00" * n


def test_upload_is_streamed_to_disk_and_stopped_at_the_size_limit(tmp_path: Path) -> None:
    source = _Endless()
    with pytest.raises(ValidationError) as caught:
        uploads.upload_receive(source=source, filename="stor.pdf", max_bytes=1024 * 1024)  # type: ignore[arg-type]
    assert caught.value.code == "too_large"
    assert source.read_bytes <= 1024 * 1024 + uploads.CHUNK
    assert _leftovers(tmp_path) == []


@pytest.mark.django_db
def test_a_request_larger_than_the_limit_gets_413_before_it_is_read(settings: Any, client: Client) -> None:
    settings.UPLOAD_MAX_REQUEST_BYTES = 1024 * 1024
    response = client.post(
        "/portal/redusert-betaling/", b"x" * 100, content_type="application/octet-stream", CONTENT_LENGTH="2000000"
    )
    assert response.status_code == 413
    assert "for stor" in response.content.decode()
    small = client.post("/portal/redusert-betaling/", {})
    assert small.status_code != 413


def test_request_size_settings_are_set(settings: Any) -> None:
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.UPLOAD_MAX_REQUEST_BYTES >= settings.UPLOAD_MAX_FILE_BYTES
