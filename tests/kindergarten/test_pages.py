"""Admission pages: the guardian portal and the sector office, each with an allowed and a denied case, and the
bad input of the issue through the pages (a clear message, nothing written)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from kindergarten import services
from kindergarten.models import (
    Application,
    ApplicationStatus,
    Assignment,
    GroundKind,
    Offer,
    OfferStatus,
    PriorityGround,
    Programme,
    RoundState,
)
from messaging.models import Notification
from oas import clock
from oas.access.services import role_mapping_seed
from oas.audit.models import AuditEvent
from oas.people.models import Employee, Person, Placement
from tests.factories import (
    EmployeeFactory,
    EmploymentFactory,
    PersonFactory,
    guardian_account,
    kindergarten,
    sector_office,
    staff_account,
)
from tests.kindergarten.factories import PDF, admission_round, family

pytestmark = pytest.mark.django_db

BIG = dt.date(2023, 5, 1)


@pytest.fixture(autouse=True)
def _roles() -> None:
    role_mapping_seed()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def office_client() -> Client:
    employee = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=employee, unit=sector_office(), position_code="OPPTAK")
    return login(staff_account(employee).user)


def teacher_client(unit: Any) -> Client:
    employee = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=employee, unit=unit, position_code="BHG_LAERER")
    return login(staff_account(employee).user)


def guardian_client(person: Person) -> Client:
    return login(guardian_account(person).user)


def apply_form(units: list[Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "choice_1": units[0].pk,
        "wanted_start_date": "2027-08-01",
        "size_kind": "percent",
        "size_value": 100,
    }
    for i, unit in enumerate(units[1:], start=2):
        data[f"choice_{i}"] = unit.pk
    data.update(overrides)
    return data


def published(rnd: Any, units: list[Any], fam: Any) -> Offer:
    services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
    services.admission_round_match(admission_round=rnd)
    services.admission_round_publish(admission_round=rnd)
    return Offer.objects.get(application__child=fam.child)


# ---------------------------------------------------------------------------------------------------- guardian


def test_a_guardian_applies_and_the_other_guardian_sees_the_same_application(application_day, monkeypatch) -> None:
    rnd, units = admission_round(units=2)
    fam = family(birth_date=BIG)
    client = guardian_client(fam.guardian)
    url = reverse("kindergarten_pages:portal_apply", args=[fam.child.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, apply_form(units))
    application = Application.objects.get(child=fam.child)
    assert response.status_code == 302
    assert response["Location"] == reverse("kindergarten_pages:portal_application", args=[application.pk])
    assert [c.unit_id for c in application.choices.order_by("rank")] == [u.pk for u in units]

    assert Notification.objects.filter(person=fam.other_guardian, key=f"kg-soknad:{application.pk}").exists()
    other = guardian_client(fam.other_guardian)
    overview = other.get(reverse("kindergarten_pages:portal")).content.decode()
    assert f'data-application="{application.pk}"' in overview
    detail = other.get(reverse("kindergarten_pages:portal_application", args=[application.pk]))
    assert detail.status_code == 200
    assert rnd.name in detail.content.decode()


def test_the_application_is_queued_for_the_archive_in_its_transaction(application_day, monkeypatch) -> None:
    from integrations.models import OutboxMessage
    from kindergarten.letters import APPLICATION_ARCHIVE_KIND

    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    _rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    client = guardian_client(fam.guardian)
    url = reverse("kindergarten_pages:portal_apply", args=[fam.child.pk])
    client.post(url, apply_form(units))
    (queued,) = OutboxMessage.objects.filter(kind=APPLICATION_ARCHIVE_KIND)
    assert queued.payload == {"application_id": Application.objects.get(child=fam.child).pk}


def test_applying_for_a_child_without_parental_responsibility_is_refused_and_audited(application_day) -> None:
    _rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    stranger = cast(Person, PersonFactory())
    client = guardian_client(stranger)
    # The stranger has a child of their own, so the page is open to them, but not for this child.
    own = family(birth_date=BIG)
    from oas.people.models import PersonRelation

    PersonRelation.objects.filter(adult=own.guardian).update(adult=stranger)
    response = client.post(reverse("kindergarten_pages:portal_apply", args=[fam.child.pk]), apply_form(units))
    assert response.status_code == 404
    assert not Application.objects.exists()
    assert AuditEvent.objects.filter(action="denied", event="kindergarten.application.apply.denied").exists()


def test_staff_cannot_open_the_guardian_application_pages(application_day) -> None:
    _rnd, _units = admission_round(units=1)
    fam = family(birth_date=BIG)
    client = office_client()
    assert client.get(reverse("kindergarten_pages:portal")).status_code == 403
    assert client.get(reverse("kindergarten_pages:portal_apply", args=[fam.child.pk])).status_code == 403


def test_a_start_date_in_the_past_is_refused_on_the_form(application_day) -> None:
    _rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    client = guardian_client(fam.guardian)
    response = client.post(
        reverse("kindergarten_pages:portal_apply", args=[fam.child.pk]),
        apply_form(units, wanted_start_date="2026-01-01"),
    )
    assert response.status_code == 400
    assert "Ønsket oppstart kan ikke være tilbake i tid." in response.content.decode()
    assert not Application.objects.exists()


def test_a_kindergarten_not_in_the_round_is_refused_on_the_form(application_day) -> None:
    _rnd, units = admission_round(units=1)
    outside = kindergarten(parent=cast(Any, units[0].parent), name="Barnehage Utenfor")
    fam = family(birth_date=BIG)
    client = guardian_client(fam.guardian)
    response = client.post(
        reverse("kindergarten_pages:portal_apply", args=[fam.child.pk]), apply_form(units, choice_2=outside.pk)
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_an_attachment_of_the_wrong_type_is_refused_and_nothing_is_written(application_day) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    client = guardian_client(fam.guardian)
    upload = SimpleUploadedFile("vedtak.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    response = client.post(
        reverse("kindergarten_pages:portal_apply", args=[fam.child.pk]),
        apply_form(units, ground_child_welfare="on", ground_child_welfare_file=upload),
    )
    assert response.status_code == 400
    assert "filtype som ikke er tillatt" in response.content.decode()
    assert not Application.objects.exists()
    assert not PriorityGround.objects.exists()


def test_an_attachment_over_10_mb_is_refused(application_day) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    client = guardian_client(fam.guardian)
    upload = SimpleUploadedFile("stor.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = client.post(
        reverse("kindergarten_pages:portal_apply", args=[fam.child.pk]),
        apply_form(units, ground_child_welfare="on", ground_child_welfare_file=upload),
    )
    assert response.status_code == 400
    assert "større enn 10 MB" in response.content.decode()
    assert not Application.objects.exists()


def test_a_second_application_shows_the_first_for_change(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    first = services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    client = guardian_client(fam.other_guardian)
    response = client.post(reverse("kindergarten_pages:portal_apply", args=[fam.child.pk]), apply_form(units))
    assert response.status_code == 302
    assert response["Location"] == reverse("kindergarten_pages:portal_application", args=[first.pk])
    assert Application.objects.count() == 1


def test_a_guardian_withdraws_before_the_deadline_and_a_stranger_gets_404(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    application = services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    url = reverse("kindergarten_pages:portal_withdraw", args=[application.pk])
    other = family(birth_date=BIG)
    assert guardian_client(other.guardian).post(url).status_code == 404
    assert guardian_client(fam.other_guardian).post(url).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_a_guardian_accepts_an_offer_and_the_placement_exists(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    offer = published(rnd, units, fam)
    client = guardian_client(fam.guardian)
    page = client.get(reverse("kindergarten_pages:portal_application", args=[offer.application_id])).content.decode()
    assert f'data-testid="accept-{offer.pk}"' in page
    response = client.post(reverse("kindergarten_pages:portal_offer_answer", args=[offer.pk]), {"answer": "accept"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert Placement.objects.filter(child=fam.child, unit=units[0], start_date=dt.date(2027, 8, 1)).exists()


def test_the_offer_awaiting_an_answer_is_on_the_portal_home(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    offer = published(rnd, units, fam)
    home = guardian_client(fam.other_guardian).get(reverse("portal:home")).content.decode()
    assert reverse("kindergarten_pages:portal_application", args=[offer.application_id]) in home


def test_another_guardian_cannot_answer_the_offer(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    offer = published(rnd, units, fam)
    other = family(birth_date=BIG)
    response = guardian_client(other.guardian).post(
        reverse("kindergarten_pages:portal_offer_answer", args=[offer.pk]), {"answer": "accept"}
    )
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not Placement.objects.filter(child=fam.child).exists()


def test_accepting_after_the_deadline_is_refused_with_a_message(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    offer = published(rnd, units, fam)
    client = guardian_client(fam.guardian)
    with clock.freeze(offer.deadline + dt.timedelta(days=1)):
        response = client.post(
            reverse("kindergarten_pages:portal_offer_answer", args=[offer.pk]), {"answer": "accept"}, follow=True
        )
    assert "Svarfristen for tilbudet gikk ut" in response.content.decode()
    assert not Placement.objects.filter(child=fam.child).exists()


def test_declining_keeps_the_child_waiting_for_higher_choices(application_day) -> None:
    rnd, units = admission_round(units=2)
    fam = family(birth_date=BIG)
    offer = published(rnd, units, fam)
    client = guardian_client(fam.guardian)
    client.post(
        reverse("kindergarten_pages:portal_offer_answer", args=[offer.pk]),
        {"answer": "decline", "keep_waiting": "on", "bekreft": "ja"},
    )
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED


def test_declining_an_offer_first_says_what_will_happen_and_writes_nothing(application_day) -> None:
    rnd, units = admission_round(units=2)
    fam = family(birth_date=BIG)
    offer = published(rnd, units, fam)
    client = guardian_client(fam.guardian)
    url = reverse("kindergarten_pages:portal_offer_answer", args=[offer.pk])
    response = client.post(url, {"answer": "decline", "keep_waiting": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dette kan ikke angres." in page
    assert "går til neste på ventelisten" in page
    assert 'name="bekreft" value="ja"' in page
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING  # nothing happened yet
    # A guardian of another child gets no confirmation page for this offer either.
    other = family(birth_date=BIG)
    denied = guardian_client(other.guardian).post(url, {"answer": "decline"})
    assert denied.status_code == 404
    client.post(url, {"answer": "decline", "keep_waiting": "on", "bekreft": "ja"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED


# ---------------------------------------------------------------------------------------------------- office


def test_the_office_creates_a_round_and_a_guardian_may_not(application_day) -> None:
    data = {
        "code": "hovedopptak-2028",
        "name": "Hovedopptak 2028",
        "kind": "main",
        "application_deadline": "2028-03-01",
        "start_date": "2028-08-01",
    }
    fam = family(birth_date=BIG)
    assert guardian_client(fam.guardian).post(reverse("kindergarten_pages:office_rounds"), data).status_code == 403
    response = office_client().post(reverse("kindergarten_pages:office_rounds"), data)
    assert response.status_code == 302


def test_a_new_round_starts_with_each_kindergartens_registered_places(application_day) -> None:
    from kindergarten.models import KindergartenUnitDetail

    _rnd, units = admission_round(units=2)
    KindergartenUnitDetail.objects.create(unit=units[0], registered_places_small=9, registered_places_big=36)
    KindergartenUnitDetail.objects.create(unit=units[1], registered_places_small=0, registered_places_big=18)
    data = {
        "code": "hovedopptak-2029",
        "name": "Hovedopptak 2029",
        "kind": "main",
        "application_deadline": "2029-03-01",
        "start_date": "2029-08-01",
    }
    client = office_client()
    response = client.post(reverse("kindergarten_pages:office_rounds"), data)
    assert response.status_code == 302
    programmes = Programme.objects.filter(round__code="hovedopptak-2029")
    capacities = {(p.unit_id, p.age_group): p.capacity for p in programmes}
    assert capacities == {(units[0].pk, "0-2"): 9, (units[0].pk, "3-5"): 36, (units[1].pk, "3-5"): 18}
    page = client.get(response["Location"]).content.decode()
    assert f'<tr data-unit="{units[0].pk}" data-age-group="3-5">' in page
    assert '<td class="registered">36</td><td class="capacity">36</td>' in page


def test_prefilling_capacity_keeps_what_the_office_set_and_a_teacher_may_not(application_day) -> None:
    from kindergarten.models import KindergartenUnitDetail

    rnd, units = admission_round(units=1, capacity=4)  # the office has set 4 places per age group
    Programme.objects.filter(round=rnd, age_group="0-2").delete()  # ...and none yet for 0-2
    KindergartenUnitDetail.objects.create(unit=units[0], registered_places_small=12, registered_places_big=40)
    action = reverse("kindergarten_pages:office_round_action", args=[rnd.pk])
    assert teacher_client(units[0]).post(action, {"action": "prefill"}).status_code == 403
    assert not Programme.objects.filter(round=rnd, age_group="0-2").exists()
    response = office_client().post(action, {"action": "prefill"})
    assert response.status_code == 302
    capacities = dict(Programme.objects.filter(round=rnd).values_list("age_group", "capacity"))
    assert capacities == {"0-2": 12, "3-5": 4}


def _unlabelled_controls(html: str) -> list[str]:
    """Selects and inputs (not hidden, not buttons) without a <label for=…> or an aria-label."""
    import re

    label_for = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    bad = []
    for tag in re.findall(r"<(?:select|input)\b[^>]*>", html):
        if re.search(r'type="(hidden|submit|checkbox)"', tag) or "aria-label" in tag:
            continue
        ident = re.search(r'\bid="([^"]+)"', tag)
        if ident is None or ident.group(1) not in label_for:
            bad.append(tag)
    return bad


def test_the_filters_the_capacity_row_and_the_override_select_have_labels(application_day) -> None:
    rnd, units = admission_round(units=2)
    fam = family(birth_date=BIG)
    services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
    services.admission_round_match(admission_round=rnd)
    client = office_client()
    worklist = client.get(reverse("kindergarten_pages:office_applications")).content.decode()
    assert 'for="filter-status"' in worklist
    round_page = client.get(reverse("kindergarten_pages:office_round", args=[rnd.pk])).content.decode()
    assert 'for="capacity-places"' in round_page
    assert f'for="override-{Application.objects.get(child=fam.child).pk}"' in round_page
    main = lambda html: html[html.index("<main") :]  # noqa: E731 - the page's own content, not the shared header
    assert _unlabelled_controls(main(worklist)) == []
    assert _unlabelled_controls(main(round_page)) == []


def test_capacity_below_the_places_already_given_is_refused(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    published(rnd, units, fam)
    client = office_client()
    response = client.post(
        reverse("kindergarten_pages:office_round_capacity", args=[rnd.pk]),
        {"unit": units[0].pk, "age_group": "3-5", "capacity": 0},
        follow=True,
    )
    assert response.status_code == 200
    assert Programme.objects.get(round=rnd, unit=units[0], age_group="3-5").capacity == 1
    assert "kan ikke" in response.content.decode()


def test_the_office_runs_matching_reviews_locks_and_publishes(application_day) -> None:
    rnd, units = admission_round(units=2)
    families = [family(birth_date=BIG) for _ in range(3)]
    for fam in families:
        services.application_submit(
            admission_round=rnd,
            child=fam.child,
            applicant=fam.guardian,
            choices=units,
            wanted_start_date=dt.date(2027, 8, 1),
        )
    client = office_client()
    action = reverse("kindergarten_pages:office_round_action", args=[rnd.pk])
    client.post(action, {"action": "closed"})
    client.post(action, {"action": "match"})
    rnd.refresh_from_db()
    assert rnd.state == RoundState.MATCHED
    page = client.get(reverse("kindergarten_pages:office_round", args=[rnd.pk])).content.decode()
    assert "kg-proposal" in page
    loser = Application.objects.get(child=families[0].child)
    programme = Programme.objects.get(round=rnd, unit=units[1], age_group="3-5")
    client.post(
        reverse("kindergarten_pages:office_lock", args=[rnd.pk]), {"application": loser.pk, "programme": programme.pk}
    )
    assert Assignment.objects.get(application=loser).programme_id == programme.pk
    assert Assignment.objects.get(application=loser).locked
    confirm = client.post(action, {"action": "publish"})
    assert confirm.status_code == 200
    assert "Dette kan ikke angres." in confirm.content.decode()
    assert "vedtaksbrev sendes til foresatte" in confirm.content.decode()
    rnd.refresh_from_db()
    assert rnd.state == RoundState.MATCHED  # asking is not publishing
    assert not Offer.objects.exists()
    client.post(action, {"action": "publish", "bekreft": "ja"})
    rnd.refresh_from_db()
    assert rnd.state == RoundState.PUBLISHED
    assert Offer.objects.get(application=loser).programme_id == programme.pk


def test_a_kindergarten_teacher_may_not_run_or_publish_a_round(application_day) -> None:
    rnd, units = admission_round(units=1)
    client = teacher_client(units[0])
    assert client.get(reverse("kindergarten_pages:office_round", args=[rnd.pk])).status_code == 403
    assert (
        client.post(reverse("kindergarten_pages:office_round_action", args=[rnd.pk]), {"action": "closed"}).status_code
        == 403
    )
    rnd.refresh_from_db()
    assert rnd.state == RoundState.OPEN


def test_the_work_list_filters_unchecked_documentation_and_the_office_checks_it(application_day) -> None:
    rnd, units = admission_round(units=1)
    with_ground, without = family(birth_date=BIG), family(birth_date=BIG)
    app = services.application_submit(
        admission_round=rnd,
        child=with_ground.child,
        applicant=with_ground.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
        grounds=[
            services.GroundIn(
                GroundKind.CHILD_WELFARE, attachments=[services.AttachmentIn("v.pdf", "application/pdf", PDF)]
            )
        ],
    )
    other = services.application_submit(
        admission_round=rnd,
        child=without.child,
        applicant=without.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    client = office_client()
    page = client.get(
        reverse("kindergarten_pages:office_applications") + "?dokumentasjon=ukontrollert"
    ).content.decode()
    assert f'data-application="{app.pk}"' in page
    assert f'data-application="{other.pk}"' not in page
    detail = client.get(reverse("kindergarten_pages:office_application", args=[app.pk]))
    assert detail.status_code == 200
    ground = app.grounds.get()
    client.post(reverse("kindergarten_pages:office_ground_check", args=[ground.pk]), {"checked": "1"})
    ground.refresh_from_db()
    assert ground.documentation_checked


def test_a_teacher_sees_no_work_list_and_cannot_check_documentation(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    app = services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
        grounds=[services.GroundIn(GroundKind.CHILD_WELFARE)],
    )
    client = teacher_client(units[0])
    assert client.get(reverse("kindergarten_pages:office_applications")).status_code == 403
    assert client.get(reverse("kindergarten_pages:office_application", args=[app.pk])).status_code == 403
    ground = app.grounds.get()
    assert (
        client.post(reverse("kindergarten_pages:office_ground_check", args=[ground.pk]), {"checked": "1"}).status_code
        == 403
    )
    ground.refresh_from_db()
    assert not ground.documentation_checked


def test_the_other_guardian_changes_the_choices_before_the_deadline_and_a_stranger_cannot(application_day) -> None:
    rnd, units = admission_round(units=2)
    fam = family(birth_date=BIG)
    application = services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    url = reverse("kindergarten_pages:portal_change", args=[application.pk])
    changed = apply_form([units[1], units[0]], wanted_start_date="2027-09-01")
    stranger = family(birth_date=BIG)
    assert guardian_client(stranger.guardian).post(url, changed).status_code == 404
    response = guardian_client(fam.other_guardian).post(url, changed)
    assert response.status_code == 302
    application.refresh_from_db()
    assert [c.unit_id for c in application.choices.order_by("rank")] == [units[1].pk, units[0].pk]
    assert application.wanted_start_date == dt.date(2027, 9, 1)


def test_changing_to_a_start_date_in_the_past_is_refused_and_nothing_changes(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    application = services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    response = guardian_client(fam.guardian).post(
        reverse("kindergarten_pages:portal_change", args=[application.pk]),
        apply_form(units, wanted_start_date="2027-01-01"),
    )
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.wanted_start_date == dt.date(2027, 8, 1)


def test_a_guardian_ends_a_place_with_one_month_notice_from_the_end_of_the_month(application_day) -> None:
    fam = family(birth_date=BIG)
    unit = kindergarten(parent=sector_office())
    placement = Placement.objects.create(
        child=fam.child, unit=unit, service="kindergarten", start_date=dt.date(2025, 8, 1)
    )
    client = guardian_client(fam.guardian)
    url = reverse("kindergarten_pages:portal_terminate", args=[fam.child.pk])
    assert f'data-placement="{placement.pk}"' in client.get(url).content.decode()
    client.post(url, {"placement": placement.pk})
    placement.refresh_from_db()
    assert placement.end_date == dt.date(2027, 3, 31)  # notice given 1 February


def test_the_notice_period_is_a_setting(settings) -> None:
    settings.KINDERGARTEN_NOTICE_MONTHS = 2
    assert services.notice_end_date(given_on=dt.date(2027, 11, 15)) == dt.date(2028, 1, 31)


def test_a_stranger_cannot_end_the_place(application_day) -> None:
    fam = family(birth_date=BIG)
    unit = kindergarten(parent=sector_office())
    placement = Placement.objects.create(
        child=fam.child, unit=unit, service="kindergarten", start_date=dt.date(2025, 8, 1)
    )
    stranger = family(birth_date=BIG)
    response = guardian_client(stranger.guardian).post(
        reverse("kindergarten_pages:portal_terminate", args=[fam.child.pk]), {"placement": placement.pk}
    )
    assert response.status_code == 404
    placement.refresh_from_db()
    assert placement.end_date is None


def leader_client(unit: Any) -> tuple[Client, Any]:
    employee = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=employee, unit=unit, position_code="STYRER")
    user = staff_account(employee).user
    return login(user), user


def test_the_leader_of_a_private_kindergarten_approves_its_applicants(application_day) -> None:
    from oas.arbeidsflate.registry import registry

    rnd, units = admission_round(units=2, private=(0, 1))
    fam = family(birth_date=BIG)
    services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units[:1],
        wanted_start_date=dt.date(2027, 8, 1),
    )
    services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
    services.admission_round_match(admission_round=rnd)
    client, user = leader_client(units[0])
    tasks = {t.key: t.count for t in registry.tasks_for(user=user)}
    assert tasks["kindergarten.applicants_to_approve"] == 1
    page = client.get(reverse("kindergarten_pages:unit_approvals")).content.decode()
    assert fam.child.full_name in page
    other_client, _other = leader_client(units[1])
    assert other_client.post(reverse("kindergarten_pages:unit_approve", args=[units[0].pk])).status_code == 404
    assert Assignment.objects.get(application__child=fam.child).unit_approved_at is None
    client.post(reverse("kindergarten_pages:unit_approve", args=[units[0].pk]))
    assert Assignment.objects.get(application__child=fam.child).unit_approved_at is not None


def test_a_teacher_cannot_approve_applicants(application_day) -> None:
    _rnd, units = admission_round(units=1, private=(0,))
    client = teacher_client(units[0])
    assert client.get(reverse("kindergarten_pages:unit_approvals")).status_code == 403
    assert client.post(reverse("kindergarten_pages:unit_approve", args=[units[0].pk])).status_code == 403


def test_a_guardian_appeals_the_decision_and_the_office_decides_it(application_day) -> None:
    from kindergarten.models import Appeal, AppealStatus

    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    offer = published(rnd, units, fam)
    url = reverse("kindergarten_pages:appeal_register", args=[offer.application_id])
    stranger = family(birth_date=BIG)
    assert guardian_client(stranger.guardian).post(url, {"reason": "Feil"}).status_code == 404
    guardian = guardian_client(fam.guardian)
    guardian.post(url, {"reason": "Vi ønsket en annen barnehage."})
    appeal = Appeal.objects.get(application_id=offer.application_id)
    decide = reverse("kindergarten_pages:appeal_decide", args=[appeal.pk])
    assert teacher_client(units[0]).post(decide, {"upheld": "0", "decision_text": "Nei"}).status_code == 403
    assert guardian.post(decide, {"upheld": "0", "decision_text": "Nei"}).status_code == 403
    office_client().post(decide, {"upheld": "0", "decision_text": "Vedtaket følger reglene i vedtektene."})
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED


def test_an_appeal_without_a_reason_is_refused_and_nothing_is_written(application_day) -> None:
    from kindergarten.models import Appeal

    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    offer = published(rnd, units, fam)
    response = guardian_client(fam.guardian).post(
        reverse("kindergarten_pages:appeal_register", args=[offer.application_id]), {"reason": " "}, follow=True
    )
    assert "Skriv hva klagen gjelder." in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_guardian_applies_with_two_priority_grounds_and_their_attachments(application_day) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    response = guardian_client(fam.guardian).post(
        reverse("kindergarten_pages:portal_apply", args=[fam.child.pk]),
        apply_form(
            units,
            ground_disability="on",
            ground_disability_description="Sakkyndig vurdering vedlagt",
            ground_disability_file=SimpleUploadedFile("vurdering.pdf", PDF, content_type="application/pdf"),
            ground_child_welfare="on",
            ground_child_welfare_file=SimpleUploadedFile("vedtak.pdf", PDF, content_type="application/pdf"),
        ),
    )
    assert response.status_code == 302
    grounds = PriorityGround.objects.filter(application__child=fam.child).order_by("kind")
    assert [g.kind for g in grounds] == [GroundKind.CHILD_WELFARE, GroundKind.DISABILITY]
    assert all(g.attachments.count() == 1 for g in grounds)


def test_another_family_gets_404_on_an_application_page(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    application = services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    url = reverse("kindergarten_pages:portal_application", args=[application.pk])
    assert guardian_client(family(birth_date=BIG).guardian).get(url).status_code == 404
    assert guardian_client(fam.guardian).get(url).status_code == 200


def test_a_kindergarten_teacher_may_not_set_capacity_or_lock_a_placement(application_day) -> None:
    rnd, units = admission_round(units=1)
    client = teacher_client(units[0])
    capacity = client.post(
        reverse("kindergarten_pages:office_round_capacity", args=[rnd.pk]),
        {"unit": units[0].pk, "age_group": "3-5", "capacity": 99},
    )
    assert capacity.status_code == 403
    assert not Programme.objects.filter(round=rnd, capacity=99).exists()
    lock = client.post(reverse("kindergarten_pages:office_lock", args=[rnd.pk]), {"application": 1, "programme": 1})
    assert lock.status_code == 403
