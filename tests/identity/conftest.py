"""Fixtures: the development identity provider as a real process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from oas.demo_personas import PERSONAS_BY_KEY
from oas.people.models import Employee, Person
from tests.factories import EmployeeFactory, EmploymentFactory, OrgUnitFactory, PersonFactory

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ("idporten", "entra", "feide")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def dev_idp() -> Iterator[str]:
    """Start ``manage.py run_dev_idp --test-mode`` on a free port; stop it (by PID) after the session."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="oas-dev-idp-", suffix=".log", delete=False)  # noqa: SIM115
    command = [sys.executable, "manage.py", "run_dev_idp", "--port", str(port), "--test-mode"]
    command += ["--allow-redirect-host", "testserver"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dev IdP exited: {Path(log.name).read_text(encoding='utf-8')}")
            try:
                if requests.get(f"{url}/idporten/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("dev IdP did not start within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


@pytest.fixture
def oidc(dev_idp: str, settings: Any) -> str:
    """Point all three providers at the test's identity provider and clear any queued token defects."""
    settings.OIDC_PROVIDERS = {
        key: {
            "issuer": f"{dev_idp}/{key}",
            "client_id": settings.OIDC_DEV_CLIENT_ID,
            "client_secret": settings.OIDC_DEV_CLIENT_SECRET,
        }
        for key in PROVIDERS
    }
    requests.post(f"{dev_idp}/_test/reset", timeout=5).raise_for_status()
    return dev_idp


def queue_flaw(idp: str, issuer: str, **flaw: Any) -> None:
    """Make the provider's next ID token from ``issuer`` defective (see devtools.devidp.provider.Flaw)."""
    requests.post(f"{idp}/_test/flaws", json={"issuer": issuer, **flaw}, timeout=5).raise_for_status()


def last_id_token(idp: str, issuer: str) -> str:
    response = requests.get(f"{idp}/_test/last-id-token", params={"issuer": issuer}, timeout=5)
    return str(response.json()["id_token"])


@dataclass
class FlowResult:
    authorize_url: str
    callback_url: str  # path + query on this site, as the provider redirected to it
    response: Any  # the callback's response from the Django test client


def start(client: Client, path: str) -> str:
    """Open an entrance on this site and return the provider authorize URL it redirects to."""
    response = client.get(path)
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def provider_answer(authorize_url: str, **form: str) -> str:
    """Log in at the provider's page (a form post) and return the callback path it redirects to."""
    answer = requests.post(authorize_url, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    parts = urlsplit(answer.headers["Location"])
    assert parts.netloc == "testserver"
    return f"{parts.path}?{parts.query}"


def login_flow(client: Client, path: str, **form: str) -> FlowResult:
    authorize_url = start(client, path)
    callback = provider_answer(authorize_url, **form)
    return FlowResult(authorize_url, callback, client.get(callback))


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def staff_from_persona(key: str, **overrides: Any) -> Employee:
    """Create the employee (with an employment) that a demo staff persona logs in as."""
    persona = PERSONAS_BY_KEY[key]
    person = PersonFactory(first_name=persona.first_name, last_name=persona.last_name, national_id=persona.national_id)
    values = {
        "employee_number": persona.employee_number,
        "email": persona.email,
        "entra_object_id": persona.entra_oid,
        "feide_id": persona.feide_id,
    } | overrides
    employee = cast(Employee, EmployeeFactory(person=person, **values))
    EmploymentFactory(employee=employee, unit=OrgUnitFactory(), position_code=persona.position_code or "LAERER")
    return employee


def guardian_from_persona(key: str) -> Person:
    persona = PERSONAS_BY_KEY[key]
    return cast(
        Person,
        PersonFactory(first_name=persona.first_name, last_name=persona.last_name, national_id=persona.national_id),
    )
