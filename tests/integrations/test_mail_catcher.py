"""The demo's mail catcher: an SMTP sink whose page lists what was "sent"; only in simulator mode, never production."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from integrations.common.simulators import registered_simulators
from integrations.mail.catcher import MailCatcher
from integrations.sms.client import SmsClient
from integrations.sms.port import SmsOutgoing
from integrations.sms.simulator import API_KEY, SmsSimulator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catcher() -> Iterator[tuple[MailCatcher, SmsSimulator]]:
    with SmsSimulator() as sms:
        server = MailCatcher(sms=sms).start()
        try:
            yield server, cast(SmsSimulator, sms)
        finally:
            server.stop()


def _send(port: int, *, to: str, subject: str, body: str, message_id: str) -> None:
    mail = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port)
    EmailMessage(subject=subject, body=body, to=[to], headers={"Message-ID": message_id}, connection=mail).send()


def test_the_page_lists_the_e_mails_the_sink_received_and_the_sms_the_gateway_accepted(
    catcher: tuple[MailCatcher, SmsSimulator],
) -> None:
    server, sms = catcher
    _send(
        server.smtp.port,
        to="mor@example.no",
        subject="Nytt oppslag: Turdag <fredag>",
        body="Turdag.\n\nLogg inn for å lese: http://127.0.0.1:8000/meldinger/portal/",
        message_id="<oas-1-email@127.0.0.1>",
    )
    SmsClient(base_url=sms.url, api_key=API_KEY).send_batch(
        messages=[SmsOutgoing(recipient="40000001", text="Turdag. Logg inn: http://x/", reference="oas-1-sms")]
    )
    page = httpx.get(server.url + "/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "mor@example.no" in html and "Logg inn for å lese" in html
    assert "Turdag &lt;fredag&gt;" in html and "<fredag>" not in html  # escaped
    assert "&lt;oas-1-email@127.0.0.1&gt;" in html
    assert "40000001" in html and "oas-1-sms" in html
    listed = httpx.get(server.url + "/messages.json").json()
    assert [(m["to"], m["subject"], m["message_id"]) for m in listed["emails"]] == [
        ("mor@example.no", "Nytt oppslag: Turdag <fredag>", "<oas-1-email@127.0.0.1>")
    ]
    assert [s["reference"] for s in listed["sms"]] == ["oas-1-sms"]


def test_the_catcher_answers_only_reads_of_its_page(catcher: tuple[MailCatcher, SmsSimulator]) -> None:
    server, _sms = catcher
    assert httpx.get(server.url + "/other").status_code == 404
    assert httpx.post(server.url + "/", content=b"x").status_code == 405


def test_in_simulator_mode_the_catcher_is_a_simulator_after_the_sms_gateway_and_e_mail_goes_to_its_sink() -> None:
    names = [entry.name for entry in registered_simulators()]
    assert names.index("mail") > names.index("sms")  # the page also lists the SMS gateway's messages
    assert settings.EMAIL_MODE == "simulator"
    assert settings.SIMULATOR_PORTS["mail"] == 8205
    assert (settings.EMAIL_HOST, settings.EMAIL_PORT) == ("127.0.0.1", settings.SIMULATOR_SMTP_PORT)


def _manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    drop = {"DJANGO_SETTINGS_MODULE", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_MODE", "EMAIL_BACKEND"}
    env: dict[str, Any] = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DATABASE_URL=settings.DATABASE_URL, REDIS_URL=settings.REDIS_URL, SECRET_KEY="x" * 50)
    env.update(DJANGO_SETTINGS_MODULE="oas.settings.production", ALLOWED_HOSTS="oas.example.no", **env_overrides)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_an_smtp_server() -> None:
    result = _manage("check")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "OAS: The setting EMAIL_HOST (or EMAIL_HOST_FILE) is required but not set."
    ]


def test_production_refuses_the_demo_s_mail_catcher() -> None:
    result = _manage("check", EMAIL_MODE="simulator")
    assert result.returncode == 2
    assert "EMAIL_MODE=simulator is for development" in result.stderr


def test_production_settings_do_not_expose_the_catcher() -> None:
    result = _manage("run_simulators", "--list", EMAIL_HOST="smtp.example.no")
    assert result.returncode == 0, result.stderr
    assert "sms: port 8204" in result.stdout
    assert "mail" not in result.stdout
    shown = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_HOST, settings.EMAIL_PORT)",
        EMAIL_HOST="smtp.example.no",
    )
    assert shown.stdout.strip().splitlines()[-1] == "smtp.example.no 25"
