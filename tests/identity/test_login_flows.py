"""The whole authorization code flow over HTTP against the development identity provider."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from oas import clock
from oas.audit.models import AuditEvent
from oas.demo_personas import PERSONAS_BY_KEY
from oas.identity.login_session import SESSION_AUTH
from oas.identity.models import Account, AccountKind
from oas.identity.views import landing_url
from tests.identity.conftest import (
    guardian_from_persona,
    login_flow,
    provider_answer,
    query_of,
    staff_from_persona,
    start,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_staff_logs_in_through_entra_and_lands_on_the_arbeidsflate(oidc: str, client: Client) -> None:
    employee = staff_from_persona("rektor")
    authorize_url = start(client, "/login/staff/entra/")
    params = query_of(authorize_url)
    assert authorize_url.startswith(f"{oidc}/entra/authorize?")
    assert params["code_challenge_method"] == "S256"
    assert params["state"] and params["nonce"] and params["code_challenge"]
    assert params["redirect_uri"] == "http://testserver/login/entra/callback/"

    response = client.get(provider_answer(authorize_url, persona="rektor"))

    assert response.status_code == 302
    assert response["Location"] == landing_url("staff")
    account = Account.objects.get(employee=employee)
    assert account.kind == AccountKind.STAFF
    assert account.provider == "entra"
    assert int(client.session["_auth_user_id"]) == account.user_id
    assert account.user.get_full_name() == "Randi Rektorsen"
    assert not account.user.has_usable_password()
    assert AuditEvent.objects.filter(event="login.staff", user_id=account.user_id).exists()


def test_staff_logs_in_through_feide_matched_on_userid_sec(oidc: str, client: Client) -> None:
    employee = staff_from_persona("laerer", entra_object_id="")
    flow = login_flow(client, "/login/staff/feide/", persona="laerer")
    assert flow.response.status_code == 302
    account = Account.objects.get(employee=employee)
    assert (account.kind, account.provider) == (AccountKind.STAFF, "feide")


def test_staff_can_be_matched_on_email_when_configured(oidc: str, client: Client, settings: Any) -> None:
    settings.OIDC_PROVIDERS["feide"]["match_claim"] = "email"
    employee = staff_from_persona("kontaktlaerer", feide_id="", entra_object_id="")
    flow = login_flow(client, "/login/staff/feide/", persona="kontaktlaerer")
    assert flow.response.status_code == 302
    assert Account.objects.filter(employee=employee, kind=AccountKind.STAFF).exists()


def test_unknown_employee_gets_a_clear_page_and_no_account(oidc: str, client: Client) -> None:
    flow = login_flow(client, "/login/staff/entra/", persona="sysadmin")
    assert flow.response.status_code == 403
    assert "ikke koblet til en aktiv ansatt" in flow.response.content.decode()
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="login.refused", details__reason="unknown_employee").exists()


def test_inactive_employee_is_refused(oidc: str, client: Client) -> None:
    staff_from_persona("rektor", active=False)
    flow = login_flow(client, "/login/staff/entra/", persona="rektor")
    assert flow.response.status_code == 403
    assert not Account.objects.exists()


def test_guardian_logs_in_through_idporten_at_substantial(oidc: str, client: Client) -> None:
    person = guardian_from_persona("foresatt")
    authorize_url = start(client, "/login/guardian/")
    assert query_of(authorize_url)["acr_values"] == "idporten-loa-substantial"

    response = client.get(provider_answer(authorize_url, persona="foresatt"))

    assert response.status_code == 302
    assert response["Location"] == landing_url("guardian")
    account = Account.objects.get(person=person, kind=AccountKind.GUARDIAN)
    assert account.provider == "idporten"
    assert client.session[SESSION_AUTH]["acr"] == "idporten-loa-substantial"
    event = AuditEvent.objects.get(event="login.guardian")
    assert event.person_ids == [person.pk]


def test_a_second_login_reuses_the_guardians_account(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    login_flow(client, "/login/guardian/", persona="foresatt")
    login_flow(Client(), "/login/guardian/", persona="foresatt")
    assert Account.objects.filter(kind=AccountKind.GUARDIAN).count() == 1
    assert User.objects.count() == 1


def test_pid_not_in_the_register_gets_a_clear_page_and_no_account(oidc: str, client: Client) -> None:
    flow = login_flow(client, "/login/guardian/", persona="ukjent")
    assert flow.response.status_code == 403
    assert "finnes ikke i kommunens register" in flow.response.content.decode()
    assert not User.objects.exists()
    assert not Account.objects.exists()
    refused = AuditEvent.objects.get(event="login.refused")
    assert refused.person_ids == []
    assert PERSONAS_BY_KEY["ukjent"].national_id not in str(refused.details)


def test_a_freely_typed_pid_is_matched_to_the_register(oidc: str, client: Client) -> None:
    person = guardian_from_persona("alene")
    assert person.national_id
    flow = login_flow(client, "/login/guardian/", pid=person.national_id, free="1")
    assert flow.response.status_code == 302
    assert Account.objects.filter(person=person, kind=AccountKind.GUARDIAN).exists()


def test_cancelling_at_the_provider_shows_a_page_and_logs_nobody_in(oidc: str, client: Client) -> None:
    flow = login_flow(client, "/login/guardian/", cancel="1")
    assert flow.response.status_code == 400
    assert query_of(flow.callback_url)["error"] == "access_denied"
    assert "_auth_user_id" not in client.session


@pytest.mark.urls("tests.identity.urls")
def test_sensitive_page_sends_the_guardian_through_idporten_high_and_back(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    login_flow(client, "/login/guardian/", persona="foresatt")

    response = client.get("/test-sensitive/")
    assert response.status_code == 302
    assert response["Location"] == "/login/guardian/stepup/?next=%2Ftest-sensitive%2F"
    authorize_url = start(client, response["Location"])
    assert query_of(authorize_url)["acr_values"] == "idporten-loa-high"
    assert query_of(authorize_url)["prompt"] == "login"
    back = client.get(provider_answer(authorize_url, persona="foresatt", acr="idporten-loa-high"))

    assert back.status_code == 302
    assert back["Location"] == "/test-sensitive/"
    assert client.get("/test-sensitive/").content == b"sensitiv side"
    assert client.session[SESSION_AUTH]["acr"] == "idporten-loa-high"
    assert AuditEvent.objects.filter(event="login.stepup").exists()


@pytest.mark.urls("tests.identity.urls")
def test_step_up_answered_at_substantial_is_refused(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    login_flow(client, "/login/guardian/", persona="foresatt")
    flow = login_flow(
        client, "/login/guardian/stepup/?next=/test-sensitive/", persona="foresatt", acr="idporten-loa-substantial"
    )
    assert flow.response.status_code == 403
    assert client.get("/test-sensitive/").status_code == 302


@pytest.mark.urls("tests.identity.urls")
def test_step_up_expires_after_the_configured_age(oidc: str, client: Client, settings: Any) -> None:
    guardian_from_persona("foresatt")
    login_flow(client, "/login/guardian/", persona="foresatt")
    login_flow(client, "/login/guardian/stepup/", persona="foresatt", acr="idporten-loa-high")
    assert client.get("/test-sensitive/").status_code == 200
    later = clock.now() + dt.timedelta(seconds=settings.OIDC_STEPUP_MAX_AGE_SECONDS + 1)
    with clock.freeze(later):
        assert client.get("/test-sensitive/")["Location"].startswith("/login/guardian/stepup/")


@pytest.mark.urls("tests.identity.urls")
def test_step_up_by_another_person_is_refused(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    guardian_from_persona("foresatt2")
    login_flow(client, "/login/guardian/", persona="foresatt")
    flow = login_flow(client, "/login/guardian/stepup/", persona="foresatt2", acr="idporten-loa-high")
    assert flow.response.status_code == 403
    assert "annen person" in flow.response.content.decode()


@pytest.mark.urls("tests.identity.urls")
def test_anonymous_visitor_of_a_sensitive_page_is_sent_to_the_guardian_login(client: Client) -> None:
    response = client.get("/test-sensitive/")
    assert response.status_code == 302
    assert response["Location"] == "/login/guardian/?next=%2Ftest-sensitive%2F"


@pytest.mark.urls("tests.identity.urls")
def test_staff_are_not_sent_through_idporten_step_up(oidc: str, client: Client) -> None:
    staff_from_persona("rektor")
    login_flow(client, "/login/staff/entra/", persona="rektor")
    assert client.get("/test-sensitive/").status_code == 200


def test_step_up_entrance_sends_a_visitor_without_guardian_login_to_the_guardian_login(
    oidc: str, client: Client
) -> None:
    response = client.get("/login/guardian/stepup/?next=/portal/")
    assert response.status_code == 302
    assert response["Location"] == "/login/guardian/?next=%2Fportal%2F"


def test_logout_ends_the_session_and_the_providers_session(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    login_flow(client, "/login/guardian/", persona="foresatt")
    id_token = client.session[SESSION_AUTH]["id_token"]

    response = client.post("/logout/")

    assert response.status_code == 302
    end_session = response["Location"]
    assert end_session.startswith(f"{oidc}/idporten/endsession?")
    params = query_of(end_session)
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/logout/done/"
    assert "_auth_user_id" not in client.session
    logout_row = AuditEvent.objects.filter(action="logout").latest("id")
    assert logout_row.details == {"provider": "idporten"}
    assert logout_row.user_id is not None
    back = requests.get(end_session, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    assert back.headers["Location"].startswith("http://testserver/logout/done/")
    assert client.get("/logout/done/").status_code == 200


def test_logout_by_get_is_refused(client: Client) -> None:
    assert client.get("/logout/").status_code == 405


def test_logout_without_csrf_token_is_refused(oidc: str) -> None:
    client = Client(enforce_csrf_checks=True)
    staff_from_persona("rektor")
    login_flow(client, "/login/staff/entra/", persona="rektor")
    assert client.post("/logout/").status_code == 403
    assert "_auth_user_id" in client.session


def test_login_choice_page_offers_both_entrances(oidc: str, client: Client) -> None:
    page = client.get("/login/?next=/portal/").content.decode()
    assert "/login/staff/?next=%2Fportal%2F" in page
    assert "/login/guardian/?next=%2Fportal%2F" in page


def test_login_pages_refuse_posts(client: Client) -> None:
    for path in ("/login/", "/login/staff/", "/login/guardian/", "/login/idporten/callback/", "/logout/done/"):
        assert client.post(path).status_code == 405, path


def test_staff_from_another_entra_tenant_is_refused(oidc: str, client: Client, settings: Any) -> None:
    settings.OIDC_PROVIDERS["entra"]["tenant_id"] = "another-tenant"
    staff_from_persona("rektor")
    flow = login_flow(client, "/login/staff/entra/", persona="rektor")
    assert flow.response.status_code == 403
    assert not Account.objects.exists()


def test_staff_from_the_configured_entra_tenant_is_accepted(oidc: str, client: Client, settings: Any) -> None:
    from devtools.devidp.issuers import DEV_TENANT_ID

    settings.OIDC_PROVIDERS["entra"]["tenant_id"] = DEV_TENANT_ID
    staff_from_persona("rektor")
    assert login_flow(client, "/login/staff/entra/", persona="rektor").response.status_code == 302


def test_staff_choice_lists_both_providers_when_both_are_active(oidc: str, client: Client) -> None:
    page = client.get("/login/staff/").content.decode()
    assert "/login/staff/entra/" in page
    assert "/login/staff/feide/" in page


def test_staff_choice_goes_straight_through_when_one_provider_is_active(
    oidc: str, client: Client, settings: Any
) -> None:
    del settings.OIDC_PROVIDERS["entra"]
    response = client.get("/login/staff/?next=/arbeidsflate/")
    assert response.status_code == 302
    assert response["Location"] == "/login/staff/feide/?next=%2Farbeidsflate%2F"
    assert client.get("/login/staff/entra/").status_code == 404


def test_staff_choice_says_so_when_no_provider_is_active(client: Client, settings: Any) -> None:
    settings.OIDC_PROVIDERS = {}
    response = client.get("/login/staff/")
    assert response.status_code == 503
    assert "ikke satt opp" in response.content.decode()


def test_system_check_reports_an_incomplete_provider(settings: Any) -> None:
    from oas.identity.checks import oidc_providers_check

    settings.OIDC_PROVIDERS = {
        "entra": {"issuer": "https://login.example/t/v2.0", "client_id": "x", "client_secret": ""},
        "foo": {},
    }
    ids = sorted(str(message.id) for message in oidc_providers_check())
    assert ids == ["identity.E001", "identity.E002"]


def test_system_check_accepts_the_development_configuration() -> None:
    from oas.identity.checks import oidc_providers_check

    assert oidc_providers_check() == []
