"""docker-compose.yml and the Dockerfile describe a deployment driven by the environment."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_web_worker_beat_postgres_and_redis_with_healthchecks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert all("healthcheck" in service for service in services.values())
    assert "celery -A oas worker" in services["worker"]["command"]
    assert "celery -A oas beat" in services["beat"]["command"]
    web = services["web"]["command"]
    assert "granian --interface wsgi" in web
    assert web.endswith('oas.wsgi:application"')
    # The folded block keeps the more-indented lines' newlines: each must end a command (&&) or be escaped.
    assert all(line.rstrip().endswith(("&&", "\\")) for line in web.splitlines()[:-1])


def test_compose_takes_secrets_and_hosts_from_the_environment_and_uses_production_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["services"]["web"]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "oas.settings.production"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert env["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS:?")
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert compose["services"]["worker"]["environment"] == env  # one shared block


def test_dockerfile_runs_as_an_unprivileged_user_with_production_settings():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "USER oas" in dockerfile
    assert "DJANGO_SETTINGS_MODULE=oas.settings.production" in dockerfile
    assert "collectstatic" in dockerfile
    assert '"granian", "--interface", "wsgi"' in dockerfile


def test_the_image_leaves_devtools_out():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert "devtools" in ignored  # tests/house/test_production_without_devtools.py: production never imports it
