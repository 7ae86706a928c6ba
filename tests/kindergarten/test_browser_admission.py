"""A real browser: a guardian applies for a kindergarten place, the sector office closes, matches and publishes
the round, the guardian accepts the offer; the placement exists and the decision letter reached the SvarUt and
Noark 5 simulators through the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.db import connections

from integrations.maskinporten.simulator import MaskinportenSimulator
from integrations.models import OutboxMessage
from integrations.noark.simulator import REQUIRED_SCOPE as NOARK_SCOPE
from integrations.noark.simulator import NoarkSimulator
from integrations.outbox.services import outbox_claim_due
from integrations.outbox.tasks import outbox_deliver_now
from integrations.svarut.simulator import REQUIRED_SCOPE as SVARUT_SCOPE
from integrations.svarut.simulator import SvarUtSimulator
from kindergarten import letters
from kindergarten.models import Application, DecisionLetter, OfferStatus
from oas import clock
from oas.access.services import role_mapping_seed
from oas.people.models import Employee, Placement
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.factories import EmployeeFactory, EmploymentFactory, guardian_account, staff_account
from tests.kindergarten.factories import admission_round, family


@pytest.fixture
def simulators(settings: Any) -> Iterator[tuple[SvarUtSimulator, NoarkSimulator]]:
    with MaskinportenSimulator() as maskinporten:
        assert isinstance(maskinporten, MaskinportenSimulator)
        svarut = SvarUtSimulator(token_verifier=lambda auth: maskinporten.verify_access_token(auth, scope=SVARUT_SCOPE))
        noark = NoarkSimulator(token_verifier=lambda auth: maskinporten.verify_access_token(auth, scope=NOARK_SCOPE))
        with svarut, noark:
            settings.MASKINPORTEN_SIMULATOR_URL = maskinporten.url
            settings.SVARUT_SIMULATOR_URL = svarut.url
            settings.NOARK_SIMULATOR_URL = noark.url
            settings.SVARUT_TIMEOUT_SECONDS = 5
            settings.NOARK_TIMEOUT_SECONDS = 5
            yield svarut, noark


def _deliver_outbox() -> None:
    """No worker runs in tests: claim and deliver the due outbox rows with the outbox's own functions."""
    for _ in range(5):
        claims = outbox_claim_due()
        if not claims:
            return
        for claim in claims:
            outbox_deliver_now(message_id=claim.message_id, claim_token=claim.claim_token)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guardian_applies_the_office_publishes_the_guardian_accepts_and_the_letter_is_sent_and_archived(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, simulators: tuple[SvarUtSimulator, NoarkSimulator]
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    svarut, noark = simulators
    # No Celery worker here: the outbox rows that submitting and publishing write are delivered below.
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)

    with clock.freeze(dt.date(2027, 2, 1)):
        role_mapping_seed()
        rnd, units = admission_round(units=2, capacity=1)
        fam = family(birth_date=dt.date(2023, 5, 1))
        office = cast(Employee, EmployeeFactory())
        EmploymentFactory(employee=office, unit=units[0].parent, position_code="OPPTAK")
        guardian_user = guardian_account(fam.guardian).user
        office_user = staff_account(office).user
        url = live_server.url

        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                guardian = browser.new_context(locale=LOCALE)
                guardian.add_cookies([session_cookie(guardian_user, url)])
                page = guardian.new_page()
                page.goto(f"{url}/portal/barnehage/")
                page.get_by_test_id(f"apply-{fam.child.pk}").click()
                page.select_option("#id_choice_1", str(units[1].pk))
                page.select_option("#id_choice_2", str(units[0].pk))
                page.fill("#id_wanted_start_date", "2027-08-01")
                page.get_by_test_id("send-application").click()
                page.wait_for_load_state()
                assert page.locator(".kg-status").get_attribute("data-status") == "submitted"
                application = Application.objects.get(child=fam.child)
                archive = OutboxMessage.objects.get(kind=letters.APPLICATION_ARCHIVE_KIND)  # written with it
                assert archive.payload == {"application_id": application.pk}

                staff = browser.new_context(locale=LOCALE)
                staff.add_cookies([session_cookie(office_user, url)])
                spage = staff.new_page()
                spage.goto(f"{url}/barnehage/opptak/{rnd.pk}/")
                spage.get_by_test_id("close-round").click()
                spage.get_by_test_id("run-matching").click()
                assert spage.locator(f'.kg-proposal tr[data-application="{application.pk}"]').count() == 1
                spage.get_by_test_id("publish-round").click()
                # Publishing asks first and says what will happen.
                assert spage.locator(".admission-confirm").count() == 1
                spage.get_by_test_id("confirm").click()
                assert spage.locator(".round-state").get_attribute("data-state") == "published"

                # Publishing wrote one decision letter and its outbox row (the application's archive entry is one
                # too): both are delivered here.
                letter_ids = list(DecisionLetter.objects.values_list("pk", flat=True))
                assert len(letter_ids) == 1
                assert OutboxMessage.objects.filter(kind=letters.DECISION_LETTER_KIND).count() == 1
                _deliver_outbox()

                page.goto(f"{url}/portal/barnehage/soknad/{application.pk}/")
                offer = application.offers.get()
                page.get_by_test_id(f"accept-{offer.pk}").click()
                page.wait_for_load_state()
                assert page.locator(f'.kg-offer[data-offer="{offer.pk}"]').get_attribute("data-status") == "accepted"
            finally:
                browser.close()
                connections.close_all()

        offer.refresh_from_db()
        assert offer.status == OfferStatus.ACCEPTED
        assert Placement.objects.filter(child=fam.child, unit=units[1], start_date=dt.date(2027, 8, 1)).exists()
        sent = [
            f
            for f in svarut.forsendelser.values()
            if str(f.forsendelse.get("eksternReferanse", "")).startswith(f"kg-vedtak:{letter_ids[0]}:")
        ]
        assert len(sent) == 2  # both guardians with parental responsibility
        types = sorted(j["journalposttype"]["kode"] for j in noark.journalposter.values())
        assert types == ["I", "U"]  # the application (inngående) and the decision (utgående) on the child's case
