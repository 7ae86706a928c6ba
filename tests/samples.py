"""Small real files for upload tests: a PDF pypdf opens, a PNG Pillow decodes, an office document."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def pdf_bytes() -> bytes:
    """A one-page PDF (pypdf writes it)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, format="PNG")
    return buf.getvalue()


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x90" * 512
)


def _deflated_zeros(mib: int) -> tuple[bytes, int]:
    """Raw deflate of ``mib`` MiB of zeros, fast: after a full flush every MiB compresses to the same bytes."""
    chunk = b"\x00" * (1024 * 1024)
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = first.compress(chunk) + first.flush(zlib.Z_FULL_FLUSH)
    data = block * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return data, crc


def zip_bomb(*, name: str = "mimetype", uncompressed_mib: int = 300) -> bytes:
    """A zip of a few hundred KiB whose entry ``name`` inflates to ``uncompressed_mib`` MiB of zeros."""
    data, crc = _deflated_zeros(uncompressed_mib)
    size = uncompressed_mib * 1024 * 1024
    entries: list[tuple[bytes, bytes, int, int, int]] = []  # name, data, crc, uncompressed size, method
    if name != "mimetype":
        entries.append((b"[Content_Types].xml", b"<Types/>", zlib.crc32(b"<Types/>"), 8, 0))
    entries.append((name.encode(), data, crc, size, 8))
    out = io.BytesIO()
    central = io.BytesIO()
    for entry_name, payload, entry_crc, entry_size, method in entries:
        offset = out.tell()
        fields = (20, 0, method, 0, 0, entry_crc, len(payload), entry_size, len(entry_name))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + entry_name + payload)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + entry_name)
    start = out.tell()
    directory = central.getvalue()
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0))
    return out.getvalue()
