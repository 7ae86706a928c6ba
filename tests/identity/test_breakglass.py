"""Password logins exist only for break-glass accounts, and each one is audit-logged."""

from __future__ import annotations

from io import StringIO
from typing import cast

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from oas.audit.models import AuditEvent
from oas.identity.models import Account, AccountKind
from oas.people.models import Employee
from tests.factories import EmployeeFactory, UserFactory, staff_account

pytestmark = pytest.mark.django_db


def _create(username: str) -> str:
    out = StringIO()
    call_command("create_breakglass_superuser", username, stdout=out)
    return out.getvalue().splitlines()[1]


def test_create_breakglass_superuser_prints_a_generated_password_once() -> None:
    password = _create("nodbruker")
    account = Account.objects.get(kind=AccountKind.BREAK_GLASS)
    assert account.user.username == "nodbruker"
    assert account.user.is_superuser and account.user.is_staff
    assert len(password) >= 30
    assert account.user.check_password(password)
    assert AuditEvent.objects.filter(event="account.break_glass_created").exists()


def test_create_breakglass_superuser_refuses_an_existing_username() -> None:
    UserFactory(username="nodbruker")
    with pytest.raises(CommandError, match="finnes allerede"):
        call_command("create_breakglass_superuser", "nodbruker", stdout=StringIO())
    assert not Account.objects.filter(kind=AccountKind.BREAK_GLASS).exists()


def test_breakglass_account_logs_in_to_the_admin_with_its_password_and_is_audited(client: Client) -> None:
    password = _create("nodbruker")
    response = client.post("/admin/login/?next=/admin/", {"username": "nodbruker", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    event = AuditEvent.objects.get(event="login.break_glass")
    assert event.action == "login"
    assert client.get("/admin/").status_code == 200


def test_other_accounts_cannot_log_in_with_a_password(client: Client) -> None:
    account = staff_account(cast(Employee, EmployeeFactory()))
    account.user.is_staff = True
    account.user.is_superuser = True
    account.user.set_password("et-langt-passord-som-er-riktig")
    account.user.save()
    response = client.post(
        "/admin/login/", {"username": account.user.username, "password": "et-langt-passord-som-er-riktig"}
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="login.password_refused", user_id=account.user_id).exists()


def test_wrong_breakglass_password_is_refused(client: Client) -> None:
    _create("nodbruker")
    client.post("/admin/login/", {"username": "nodbruker", "password": "feil"})
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(event="login.break_glass").exists()


def test_admin_login_post_without_csrf_token_is_refused() -> None:
    password = _create("nodbruker")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "nodbruker", "password": password})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(event="login.break_glass").exists()
