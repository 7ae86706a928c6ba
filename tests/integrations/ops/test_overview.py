"""The admin page «Integrasjoner»: every integration's state and the outbox queue, for permitted staff only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from integrations.models import ErpImportRun, ErpImportStatus, IntegrationRun, OutboxMessage, OutboxStatus
from oas import clock

pytestmark = pytest.mark.django_db

URL = "/admin/integrations/integrationoverview/"


def _user(**kwargs):
    return get_user_model().objects.create_user(username=kwargs.pop("username", "drift"), password="x" * 16, **kwargs)


def _data():
    now = clock.now()
    OutboxMessage.objects.create(kind="svarut.send", idempotency_key="a", next_attempt_at=now)
    OutboxMessage.objects.create(
        kind="noark.archive",
        idempotency_key="b",
        next_attempt_at=now,
        status=OutboxStatus.DEAD,
        last_error="arkivet avviste: 400 tittel",
    )
    ErpImportRun.objects.create(
        file_name="ansatte-2026-11-19.csv",
        sha256="0" * 64,
        source="beat",
        status=ErpImportStatus.REJECTED,
        started_at=now,
        finished_at=now,
        errors=[{"line": 7, "location": "linje 7", "field": "enhetskode", "message": "Ukjent enhetskode 'X'."}],
    )
    IntegrationRun.objects.create(
        system="svarut", job="status_poll", started_at=now, ok=False, error="svarut: serverfeil 500"
    )


def test_url_is_the_admin_changelist_of_the_overview():
    assert reverse("admin:integrations_integrationoverview_changelist") == URL


def test_superuser_sees_each_integration_errors_and_the_outbox_queue(client, django_assert_max_num_queries):
    _data()
    client.force_login(_user(is_staff=True, is_superuser=True))
    with django_assert_max_num_queries(25):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("maskinporten", "freg", "svarut", "noark", "erp"):
        assert f'data-integration="{key}"' in html
    assert 'data-kind="svarut.send"' in html and 'data-kind="noark.archive"' in html
    assert "linje 7, enhetskode: Ukjent enhetskode" in html
    assert "svarut: serverfeil 500" in html
    assert "arkivet avviste: 400 tittel" in html


def test_staff_with_the_view_permission_is_allowed(client):
    user = _user(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_integrationoverview"))
    client.force_login(user)
    assert client.get(URL).status_code == 200


def test_staff_without_the_permission_is_denied(client):
    client.force_login(_user(is_staff=True))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_svarut_poll_command_with_nothing_to_poll_records_a_run(capsys):
    call_command("svarut_poll")
    assert "Spurt: 0" in capsys.readouterr().out
    assert IntegrationRun.objects.filter(system="svarut", job="status_poll", ok=True).exists()


def test_beat_runs_the_status_poll_and_the_daily_erp_import():
    from django.conf import settings

    from oas.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"integrations.letters.poll_statuses", "integrations.erp.import_directory"} <= tasks
    app.loader.import_default_modules()
    assert {"integrations.letters.poll_statuses", "integrations.erp.import_directory"} <= set(app.tasks)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/integrations/letter/",
        "/admin/integrations/archiverecord/",
        "/admin/integrations/archivecasefile/",
        "/admin/integrations/erpimportrun/",
        "/admin/integrations/integrationrun/",
    ],
)
def test_read_only_admin_lists_are_for_permitted_staff_only(client, url):
    client.force_login(_user(username="uten-rettighet", is_staff=True))
    assert client.get(url).status_code == 403
    client.force_login(_user(username="superbruker", is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200
