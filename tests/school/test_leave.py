"""Leave (permisjon, § 2-2): guardians apply, the principal decides within the limit, the letter goes via the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from integrations.models import ArchiveRecord, Letter, OutboxMessage
from messaging.models import Notification
from oas import clock
from oas.audit.models import AuditEvent
from school.leave import LEAVE_LETTER_KIND, leave_decision_letter_send
from school.models import LeaveApplication, LeaveStatus, PupilAttendance, SchoolSettings
from school.selectors import pupil_guardian_ids
from tests.school.conftest import SchoolDemo, login

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def _apply(demo: SchoolDemo, first: dt.date, last: dt.date, reason: str = "Familiebesøk i utlandet") -> Any:
    return login("foresatt").post(
        "/portal/skole/permisjon/",
        {"barn": demo.child_1a.pk, "fra": first.isoformat(), "til": last.isoformat(), "begrunnelse": reason},
    )


def test_guardian_applies_and_the_principal_grants(school_demo: SchoolDemo) -> None:
    page = login("foresatt").get("/portal/skole/permisjon/")
    assert page.status_code == 200
    assert f'value="{school_demo.child_1a.pk}"' in page.content.decode()

    assert _apply(school_demo, MONDAY, MONDAY + dt.timedelta(days=2)).status_code == 302
    application = LeaveApplication.objects.get(pupil=school_demo.child_1a)
    assert (application.status, application.school_days, application.school_id) == (
        LeaveStatus.PENDING,
        3,
        school_demo.school.pk,
    )
    assert AuditEvent.objects.filter(event="school.leave.apply", person_ids=[school_demo.child_1a.pk]).exists()

    rektor = login("rektor")
    listing = rektor.get(f"/skole/{school_demo.school.pk}/permisjon/")
    assert listing.status_code == 200
    assert f'data-application="{application.pk}"' in listing.content.decode()
    response = rektor.post(
        f"/skole/{school_demo.school.pk}/permisjon/", {"soknad": application.pk, "vedtak": "innvilg"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == LeaveStatus.GRANTED and application.decided_at is not None
    # The enkeltvedtak is an outbox row written with the decision; its worker sends and archives the letters.
    message = OutboxMessage.objects.get(kind=LEAVE_LETTER_KIND)
    assert message.payload == {"application_id": application.pk}
    assert not Letter.objects.exists()
    guardians = pupil_guardian_ids(pupil_ids=[school_demo.child_1a.pk], day=clock.today())[school_demo.child_1a.pk]
    assert leave_decision_letter_send(application_id=application.pk) == len(guardians)
    assert set(Letter.objects.values_list("recipient_id", flat=True)) == set(guardians)
    assert ArchiveRecord.objects.filter(case_type="school.leave", case_id=str(application.pk)).count() == 1
    assert leave_decision_letter_send(application_id=application.pk) == len(guardians)  # idempotent
    assert Letter.objects.count() == len(guardians)
    assert Notification.objects.filter(key=f"school.leave.{application.pk}").count() == len(guardians)
    assert "Innvilget" in login("foresatt").get("/portal/skole/permisjon/").content.decode()


def test_granted_leave_prefills_the_attendance_list(school_demo: SchoolDemo) -> None:
    today = clock.today()
    _apply(school_demo, today, today)
    application = LeaveApplication.objects.get(pupil=school_demo.child_1a)
    login("rektor").post(f"/skole/{school_demo.school.pk}/permisjon/", {"soknad": application.pk, "vedtak": "innvilg"})
    teacher = login("kontaktlaerer")
    page = teacher.get(f"/skole/gruppe/{school_demo.class_1a.pk}/").content.decode()
    pupil = school_demo.child_1a.pk
    assert f'value="{pupil}" id="p{pupil}" checked' in page
    assert "Permisjon (innvilget)" in page
    teacher.post(f"/skole/gruppe/{school_demo.class_1a.pk}/", {"dato": today.isoformat(), "alle": "1"})
    row = PupilAttendance.objects.get(registration__group=school_demo.class_1a, day=today, pupil_id=pupil)
    assert (row.present, row.reason, row.guardians_notified) == (False, "leave", False)
    assert not Notification.objects.filter(key__startswith="school.absence.").exists()


def test_overlapping_leave_is_refused(school_demo: SchoolDemo) -> None:
    _apply(school_demo, MONDAY, MONDAY + dt.timedelta(days=2))
    response = _apply(school_demo, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=4))
    assert response.status_code == 200
    assert "kan ikke overlappe" in response.content.decode()
    assert LeaveApplication.objects.filter(pupil=school_demo.child_1a).count() == 1
    denied = AuditEvent.objects.get(event="school.leave.apply.denied")
    assert denied.person_ids == [school_demo.child_1a.pk]


def test_leave_over_the_municipal_limit_is_refused(school_demo: SchoolDemo) -> None:
    response = _apply(school_demo, MONDAY, MONDAY + dt.timedelta(days=18))  # 15 school days > 10
    assert response.status_code == 200
    assert "høyst 10 skoledager" in response.content.decode()
    assert not LeaveApplication.objects.filter(pupil=school_demo.child_1a).exists()
    assert AuditEvent.objects.filter(event="school.leave.apply.denied", person_ids=[school_demo.child_1a.pk]).exists()
    # The limit is the municipality's setting.
    SchoolSettings.objects.update_or_create(
        municipality=school_demo.school.municipality, defaults={"leave_max_school_days": 20}
    )
    assert _apply(school_demo, MONDAY, MONDAY + dt.timedelta(days=18)).status_code == 302


@pytest.mark.parametrize(
    ("first", "last", "reason", "message"),
    [
        ("", "2026-11-24", "Reise", "gyldige datoer"),
        ("2026-11-25", "2026-11-24", "Reise", "før fra-datoen"),
        ("2026-11-02", "2026-11-03", "Reise", "har vært"),
        ("2026-11-23", "2026-11-24", "  ", "begrunnelse"),
        ("2026-11-28", "2026-11-29", "Reise", "ingen skoledager"),
    ],
)
def test_bad_leave_applications_write_nothing(
    school_demo: SchoolDemo, first: str, last: str, reason: str, message: str
) -> None:
    response = login("foresatt").post(
        "/portal/skole/permisjon/", {"barn": school_demo.child_1a.pk, "fra": first, "til": last, "begrunnelse": reason}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LeaveApplication.objects.filter(pupil=school_demo.child_1a).exists()


def test_refusal_needs_reasons_and_a_decision_is_final(school_demo: SchoolDemo) -> None:
    _apply(school_demo, MONDAY, MONDAY)
    application = LeaveApplication.objects.get(pupil=school_demo.child_1a)
    rektor = login("rektor")
    url = f"/skole/{school_demo.school.pk}/permisjon/"
    response = rektor.post(url, {"soknad": application.pk, "vedtak": "avslag"}, follow=True)
    assert "begrunnelse for avslaget" in response.content.decode()
    application.refresh_from_db()
    assert application.status == LeaveStatus.PENDING and not OutboxMessage.objects.filter(kind=LEAVE_LETTER_KIND)
    rektor.post(url, {"soknad": application.pk, "vedtak": "avslag", "begrunnelse": "Heldagsprøve den dagen."})
    application.refresh_from_db()
    assert application.status == LeaveStatus.REFUSED
    response = rektor.post(url, {"soknad": application.pk, "vedtak": "innvilg"}, follow=True)
    assert "allerede avgjort" in response.content.decode()
    application.refresh_from_db()
    assert application.status == LeaveStatus.REFUSED
    assert OutboxMessage.objects.filter(kind=LEAVE_LETTER_KIND).count() == 1


def test_a_grant_over_the_limit_is_refused(school_demo: SchoolDemo) -> None:
    _apply(school_demo, MONDAY, MONDAY + dt.timedelta(days=4))
    application = LeaveApplication.objects.get(pupil=school_demo.child_1a)
    SchoolSettings.objects.update_or_create(
        municipality=school_demo.school.municipality, defaults={"leave_max_school_days": 3}
    )
    response = login("rektor").post(
        f"/skole/{school_demo.school.pk}/permisjon/", {"soknad": application.pk, "vedtak": "innvilg"}, follow=True
    )
    assert "høyst 3" in response.content.decode()
    application.refresh_from_db()
    assert application.status == LeaveStatus.PENDING
    assert AuditEvent.objects.filter(event="school.leave.decide.denied").exists()


def test_guardian_pages_allowed_and_denied(school_demo: SchoolDemo) -> None:
    assert login("foresatt").get("/portal/skole/permisjon/").status_code == 200
    assert login("laerer").get("/portal/skole/permisjon/").status_code == 403
    assert login("uten").get("/portal/skole/permisjon/").status_code == 403  # no parental responsibility


def test_a_guardian_cannot_apply_for_someone_elses_child(school_demo: SchoolDemo) -> None:
    response = login("alene").post(
        "/portal/skole/permisjon/",
        {"barn": school_demo.child_1a.pk, "fra": MONDAY.isoformat(), "til": MONDAY.isoformat(), "begrunnelse": "x"},
    )
    assert response.status_code == 404
    assert not LeaveApplication.objects.filter(pupil=school_demo.child_1a).exists()


def test_school_leave_page_allowed_and_denied(school_demo: SchoolDemo) -> None:
    url = f"/skole/{school_demo.school.pk}/permisjon/"
    assert login("rektor").get(url).status_code == 200
    assert login("laerer").get(url).status_code == 403
    assert login("merkantil").get(url).status_code == 403
    assert login("foresatt").get(url).status_code == 403
    assert login("rektor").get(f"/skole/{school_demo.other_school.pk}/permisjon/").status_code == 404


def test_teacher_cannot_decide_leave(school_demo: SchoolDemo) -> None:
    _apply(school_demo, MONDAY, MONDAY)
    application = LeaveApplication.objects.get(pupil=school_demo.child_1a)
    response = login("kontaktlaerer").post(
        f"/skole/{school_demo.school.pk}/permisjon/", {"soknad": application.pk, "vedtak": "innvilg"}
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == LeaveStatus.PENDING
