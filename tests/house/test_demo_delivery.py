"""``make up`` delivers: e-mail goes to the mail catcher, and web push has a VAPID key pair of its own under ./var."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from devtools.management.commands.devstack import Command
from devtools.stack import child_specs
from devtools.vapid import vapid_keys_ensure
from oas.env import env_str


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_devstack_gives_its_children_a_vapid_key_pair_generated_once_under_var(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY_FILE", "VAPID_PUBLIC_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    settings.VAR_DIR = tmp_path / "var"
    env = Command()._child_env()
    private_file, public_file = Path(env["VAPID_PRIVATE_KEY_FILE"]), Path(env["VAPID_PUBLIC_KEY_FILE"])
    assert private_file.parent == tmp_path / "var" / "vapid"
    assert private_file.stat().st_mode & 0o077 == 0  # the private key is the owner's only
    # The children read them as the settings read every secret (*_FILE): a key pair that belongs together.
    monkeypatch.setenv("VAPID_PRIVATE_KEY_FILE", str(private_file))
    monkeypatch.setenv("VAPID_PUBLIC_KEY_FILE", str(public_file))
    private, public = env_str("VAPID_PRIVATE_KEY") or "", env_str("VAPID_PUBLIC_KEY") or ""
    key = serialization.load_der_private_key(_unb64(private), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert _unb64(public) == point and len(point) == 65  # the browser's applicationServerKey
    assert Vapid.from_string(private).sign({"sub": "mailto:oas@localhost", "aud": "http://127.0.0.1"})
    again = Command()._child_env()  # the next `make up` keeps the pair (existing subscriptions stay valid)
    assert again["VAPID_PRIVATE_KEY_FILE"] == str(private_file)
    assert env_str("VAPID_PRIVATE_KEY") == private


def test_configured_vapid_keys_are_used_as_they_are(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAPID_PRIVATE_KEY", "configured-private")
    monkeypatch.setenv("VAPID_PUBLIC_KEY", "configured-public")
    settings.VAR_DIR = tmp_path / "var"
    env = Command()._child_env()
    assert "VAPID_PRIVATE_KEY_FILE" not in env
    assert env["VAPID_PRIVATE_KEY"] == "configured-private"
    assert not (tmp_path / "var" / "vapid").exists()


def test_vapid_keys_are_made_once(tmp_path: Path) -> None:
    first = vapid_keys_ensure(directory=tmp_path)
    content = first.private_key.read_text()
    assert vapid_keys_ensure(directory=tmp_path).private_key.read_text() == content


def test_make_up_runs_the_simulators_with_the_mail_catcher(settings: Any, tmp_path: Path) -> None:
    specs = child_specs(base_dir=settings.BASE_DIR, var_dir=tmp_path, host="127.0.0.1", port=8000)
    assert "simulators" in [spec.name for spec in specs]
    assert (
        settings.EMAIL_MODE == "simulator"
    )  # …whose registry holds the catcher (tests/integrations/test_mail_catcher.py)
