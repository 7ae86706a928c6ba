"""Start-up from the environment: preflight lines, production settings, *_FILE secrets, database paths."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from oas.env import ConfigurationError, env_str

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=timeout,
    )


def base_env(**overrides: str) -> dict[str, str]:
    """The test run's environment, with the database and Redis this run uses (external or embedded)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(DATABASE_URL=settings.DATABASE_URL, REDIS_URL=settings.REDIS_URL)
    env.update(overrides)
    return env


def test_unreachable_database_gives_one_line_naming_postgresql_and_database_url():
    result = run_manage("migrate", env=base_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/oas"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PostgreSQL" in lines[0] and "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_unreachable_redis_gives_one_line_naming_redis_and_redis_url():
    result = run_manage("migrate", env=base_env(REDIS_URL="redis://127.0.0.1:1/0"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Redis" in lines[0] and "REDIS_URL" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_production_settings_pass_check_deploy_with_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(64) + "\n")
    env = base_env(
        DJANGO_SETTINGS_MODULE="oas.settings.production",
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS="oas.example.no",
        EMAIL_HOST="smtp.example.no",
    )
    env.pop("SECRET_KEY", None)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    issues = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("?: (")]
    unexpected = [line for line in issues if not any(all(k in line for k in known) for known in KNOWN_SCHEMA_WARNINGS)]
    assert unexpected == [], "\n".join(unexpected)
    assert result.returncode == 0 or issues, result.stdout + result.stderr


# Schema warnings that --deploy may tolerate. Empty: every drf-spectacular warning fails the check.
KNOWN_SCHEMA_WARNINGS: tuple[tuple[str, ...], ...] = ()


def test_production_refuses_to_start_without_secret_key_in_one_line():
    env = base_env(
        DJANGO_SETTINGS_MODULE="oas.settings.production", ALLOWED_HOSTS="oas.example.no", EMAIL_HOST="smtp.example.no"
    )
    env.pop("SECRET_KEY", None)
    env.pop("SECRET_KEY_FILE", None)
    result = run_manage("check", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "OAS: The setting SECRET_KEY (or SECRET_KEY_FILE) is required but not set."
    ]


def test_a_file_secret_wins_over_the_plain_variable(tmp_path, monkeypatch):
    secret = tmp_path / "password"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv("OIDC_TEST_CLIENT_SECRET", "from-the-environment")
    monkeypatch.setenv("OIDC_TEST_CLIENT_SECRET_FILE", str(secret))
    assert env_str("OIDC_TEST_CLIENT_SECRET") == "from-the-file"


def test_an_unreadable_secret_file_is_named_in_the_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="SECRET_KEY_FILE"):
        env_str("SECRET_KEY")


def test_external_database_and_redis_are_used_without_starting_embedded_ones(tmp_path):
    var_dir = tmp_path / "var"
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['NAME'], settings.REDIS_URL)",
        env=base_env(OAS_VAR_DIR=str(var_dir)),
    )
    assert result.returncode == 0, result.stderr
    db_name = urlparse(settings.DATABASE_URL).path.lstrip("/")
    assert result.stdout.strip().splitlines()[-1].split() == [db_name, settings.REDIS_URL]
    assert not (var_dir / "pg").exists()
    assert not (var_dir / "redis").exists()
