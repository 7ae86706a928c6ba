"""VAPID keys for web push in development: generated once under ``./var/vapid`` by ``make up`` (devstack).

Production never uses these: it takes ``VAPID_PRIVATE_KEY`` / ``VAPID_PUBLIC_KEY`` (or ``*_FILE``) from its own
configuration; without them the settings page offers no push.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


@dataclass(frozen=True)
class VapidKeyFiles:
    private_key: Path  # base64url of the PKCS#8 DER private key (what pywebpush takes)
    public_key: Path  # base64url of the uncompressed P-256 point (the browser's applicationServerKey)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_keys_ensure(*, directory: Path) -> VapidKeyFiles:
    """Return the key files under ``directory``, generating a new P-256 key pair the first time."""
    files = VapidKeyFiles(private_key=directory / "private_key.txt", public_key=directory / "public_key.txt")
    if files.private_key.exists() and files.public_key.exists():
        return files
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    files.private_key.touch(mode=0o600)
    files.private_key.write_text(_b64url(private) + "\n", encoding="ascii")
    files.public_key.write_text(_b64url(public) + "\n", encoding="ascii")
    return files
