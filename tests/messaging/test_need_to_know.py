"""Messaging that reaches the right few, on the demo municipality (issue 13 point 12, issue 18 points 2–5).

Every test runs on ``seed_demo --size small``: other children, families, units and municipalities are present,
and the school has a full staff (leaders, office, teachers, sector office) who used to read and be notified of
every conversation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.core import mail
from django.test import Client

from messaging.models import (
    Channel,
    Delivery,
    Mailbox,
    Message,
    MessageRead,
    Notification,
    NotificationPreference,
    Thread,
    ThreadParticipant,
)
from messaging.services.delivery import deliveries_send
from messaging.services.mailboxes import mailbox_update
from messaging.services.notifications import (
    after_quiet_hours,
    deliveries_dispatch_batches,
    digests_send,
    messaging_settings_set,
    preference_set,
)
from messaging.services.threads import message_reply, thread_start
from oas import clock
from oas.access.models import RoleAssignment
from oas.demo_personas import DEMO_SCHOOL_CODE, PERSONAS_BY_KEY
from oas.errors import ValidationError
from oas.identity.login_session import SESSION_AUTH
from oas.identity.models import Account
from oas.identity.providers import LOA_HIGH
from oas.organisation.models import OrgUnit
from oas.people.models import Employee, Person, Placement
from tests import factories as f

pytestmark = pytest.mark.django_db

OSLO = clock.OSLO


class Demo:
    """The demo personas as logged-in accounts."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}

    def account(self, key: str) -> Account:
        if key not in self.accounts:
            persona = PERSONAS_BY_KEY[key]
            if persona.kind == "staff":
                employee = Employee.objects.get(employee_number=persona.employee_number)
                self.accounts[key] = f.staff_account(employee)
            else:
                self.accounts[key] = f.guardian_account(Person.objects.get(national_id=persona.national_id))
        return self.accounts[key]

    def user(self, key: str) -> Any:
        return self.account(key).user

    def person(self, key: str) -> Person:
        return cast(Person, self.account(key).person)

    def client(self, key: str, *, high: bool = False) -> Client:
        client = Client()
        client.force_login(self.user(key))
        if high:
            session = client.session
            session[SESSION_AUTH] = {
                "provider": "idporten",
                "kind": "guardian",
                "acr": LOA_HIGH,
                "acr_at": clock.now().timestamp(),
                "id_token": "",
                "sid": "",
            }
            session.save()
        return client


@pytest.fixture
def demo(frozen_today: dt.date, demo_municipality: object) -> Demo:
    return Demo()


def _jonas_and_class(demo: Demo) -> tuple[Person, OrgUnit]:
    """Jonas Hansen (foresatt + foresatt2) and his class at the demo school (kontaktlaerer's class)."""
    placement = Placement.objects.select_related("child", "group").get(
        child__relations_as_child__adult=demo.person("foresatt"), unit__code=DEMO_SCHOOL_CODE
    )
    assert placement.group is not None
    return placement.child, placement.group


def _class_thread(demo: Demo, **kwargs: Any) -> Thread:
    child, group = _jonas_and_class(demo)
    params: dict[str, Any] = {
        "user": demo.user("kontaktlaerer"),
        "child_id": child.pk,
        "unit_id": group.pk,
        "subject": "Om uka",
        "body": "Hei fra kontaktlæreren",
    }
    params.update(kwargs)
    return thread_start(**params)


def _staff_notified(message: Message) -> list[int]:
    guardians = set(message.thread.sides.values_list("guardian_id", flat=True))
    return sorted(
        pid
        for pid in Notification.objects.filter(key=f"msg:{message.pk}").values_list("person_id", flat=True)
        if pid not in guardians
    )


def test_a_guardians_reply_in_a_class_thread_notifies_only_the_contact_teacher(demo: Demo) -> None:
    school = OrgUnit.objects.get(code=DEMO_SCHOOL_CODE)
    # Who used to be told: everyone with a role on the class, the school or the sector office.
    everyone_before = RoleAssignment.objects.filter(unit__path__in=[school.path, _jonas_and_class(demo)[1].path])
    assert everyone_before.values("employee_id").distinct().count() > 5
    thread = _class_thread(demo)
    reply = message_reply(user=demo.user("foresatt"), thread_id=thread.pk, body="Takk, vi kommer")
    assert _staff_notified(reply) == [demo.person("kontaktlaerer").pk]
    # E-mail by default (SMS costs money), one delivery: not 76 SMS and e-mails.
    assert list(
        Delivery.objects.filter(
            notification__key=f"msg:{reply.pk}", notification__person=demo.person("kontaktlaerer")
        ).values_list("channel", flat=True)
    ) == [Channel.EMAIL]


def test_when_the_contact_teacher_is_away_the_mailboxs_substitute_is_notified_instead(demo: Demo) -> None:
    _child, group = _jonas_and_class(demo)
    mailbox = Mailbox.objects.create(unit=group, substitute=demo.person("laerer"))
    thread = _class_thread(demo)
    preference_set(
        person_id=demo.person("kontaktlaerer").pk,
        email=True,
        sms=False,
        push=False,
        away_from=clock.today(),
        away_until=clock.today() + dt.timedelta(days=7),
    )
    reply = message_reply(user=demo.user("foresatt"), thread_id=thread.pk, body="Hun er syk i dag")
    assert _staff_notified(reply) == [demo.person("laerer").pk]
    # The substitute named by the mailbox can open it; a colleague who is not named cannot.
    assert demo.client("laerer").get(f"/meldinger/{thread.pk}/").status_code == 200
    assert demo.client("spesped").get(f"/meldinger/{thread.pk}/").status_code == 403
    assert mailbox.pk


def test_a_guardians_new_thread_to_the_class_goes_to_its_contact_teacher_only(demo: Demo) -> None:
    child, group = _jonas_and_class(demo)
    thread = thread_start(
        user=demo.user("foresatt"), child_id=child.pk, unit_id=group.pk, subject="Spørsmål", body="Hei"
    )
    assert _staff_notified(thread.messages.get()) == [demo.person("kontaktlaerer").pk]
    assert list(ThreadParticipant.objects.filter(thread=thread).values_list("person_id", flat=True)) == [
        demo.person("kontaktlaerer").pk
    ]


def test_nobody_is_notified_of_a_thread_they_may_not_open(demo: Demo) -> None:
    _child, group = _jonas_and_class(demo)
    # The mailbox names a sector-office adviser, who has no role at the school: not notified, cannot open.
    Mailbox.objects.create(unit=group, substitute=demo.person("radgiver"))
    thread = _class_thread(demo)
    preference_set(
        person_id=demo.person("kontaktlaerer").pk, email=True, sms=False, push=False, away_until=clock.today()
    )
    reply = message_reply(user=demo.user("foresatt"), thread_id=thread.pk, body="Hei")
    assert _staff_notified(reply) == [demo.person("kontaktlaerer").pk]  # no one else to take it: it waits
    assert demo.client("radgiver").get(f"/meldinger/{thread.pk}/").status_code == 403  # no messaging role at all


def test_a_teacher_who_is_not_on_a_conversation_cannot_read_it_and_it_is_not_in_their_inbox(demo: Demo) -> None:
    thread = _class_thread(demo)
    teacher = demo.client("laerer")
    assert teacher.get(f"/meldinger/{thread.pk}/").status_code == 403
    assert "Om uka" not in teacher.get("/meldinger/").content.decode()
    api = teacher.get(f"/api/v1/messaging/threads/{thread.pk}")
    assert api.status_code == 403
    assert api.json()["code"] == "not_on_thread"
    assert thread.pk not in [t["id"] for t in teacher.get("/api/v1/messaging/threads").json()["results"]]
    assert demo.client("kontaktlaerer").get(f"/meldinger/{thread.pk}/").status_code == 200
    assert demo.client("annenlaerer").get(f"/meldinger/{thread.pk}/").status_code == 404


def test_a_strengt_fortrolig_childs_guardians_conversation_is_not_read_by_the_whole_school(demo: Demo) -> None:
    bente = demo.person("beskyttet")
    placement = Placement.objects.get(child__relations_as_child__adult=bente, unit__code=DEMO_SCHOOL_CODE)
    thread = thread_start(
        user=demo.user("beskyttet"),
        child_id=placement.child_id,
        unit_id=placement.unit_id,
        subject="Henting",
        body="Bare jeg henter",
    )
    for teacher in ("laerer", "kontaktlaerer", "spesped"):
        assert demo.client(teacher).get(f"/meldinger/{thread.pk}/").status_code == 403, teacher
    # The school's mailbox is handled by its leader and office by default.
    assert demo.client("rektor").get(f"/meldinger/{thread.pk}/").status_code == 200
    assert demo.client("merkantil").get(f"/meldinger/{thread.pk}/").status_code == 200


def test_a_sensitive_thread_is_403_for_a_teacher_not_on_it_even_as_a_handler_role(demo: Demo) -> None:
    _child, group = _jonas_and_class(demo)
    Mailbox.objects.create(unit=group, handler_roles=["contact_teacher", "unit_staff"])
    plain = _class_thread(demo, subject="Vanlig")
    sensitive = _class_thread(demo, subject="Helse", sensitive=True)
    teacher = demo.client("laerer")  # unit_staff: a handler role of this mailbox
    assert teacher.get(f"/meldinger/{plain.pk}/").status_code == 200
    assert teacher.get(f"/meldinger/{sensitive.pk}/").status_code == 403
    mailbox_update(
        user=demo.user("rektor"),
        mailbox_id=Mailbox.objects.get(unit=group).pk,
        handler_roles=["contact_teacher"],
        handler_ids=[demo.person("laerer").pk],
        substitute_id=None,
        guardians_may_mark_urgent=False,
    )
    assert teacher.get(f"/meldinger/{sensitive.pk}/").status_code == 200  # now a named handler


def test_a_guardians_sensitive_reply_is_not_seen_by_the_school(demo: Demo) -> None:
    sensitive = _class_thread(demo, subject="Helse", sensitive=True)
    message_reply(user=demo.user("foresatt"), thread_id=sensitive.pk, body="Diagnosen er", stepped_up=True)
    assert "Diagnosen" not in demo.client("rektor").get("/meldinger/").content.decode()
    assert demo.client("rektor").get(f"/meldinger/{sensitive.pk}/").status_code == 403


def test_posting_to_a_sensitive_thread_through_the_api_needs_step_up(demo: Demo) -> None:
    thread = _class_thread(demo, sensitive=True)
    before = Message.objects.count()
    url = f"/api/v1/messaging/threads/{thread.pk}/messages"
    refused = demo.client("foresatt").post(url, {"body": "Svar"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {
        "message": refused.json()["message"],
        "code": "stepup_required",
        "fields": {},
    }
    assert Message.objects.count() == before
    assert not Notification.objects.filter(person=demo.person("kontaktlaerer")).exists()
    ok = demo.client("foresatt", high=True).post(url, {"body": "Svar"}, content_type="application/json")
    assert ok.status_code == 201


def test_a_sensitive_subject_is_hidden_from_the_guardian_until_step_up(demo: Demo) -> None:
    _class_thread(demo, subject="Utredning hos PPT", sensitive=True)
    plain = demo.client("foresatt")
    assert "Utredning" not in plain.get("/meldinger/portal/").content.decode()
    listed = plain.get("/api/v1/messaging/threads").json()["results"]
    assert [t["subject"] for t in listed] == [None]
    high = demo.client("foresatt", high=True)
    assert "Utredning" in high.get("/meldinger/portal/").content.decode()
    assert [t["subject"] for t in high.get("/api/v1/messaging/threads").json()["results"]] == ["Utredning hos PPT"]


def test_read_receipts_come_from_reading_only(demo: Demo) -> None:
    thread = _class_thread(demo, sensitive=True)
    hanne = demo.person("foresatt")
    # Refused step-up (page redirect, API 403, refused post) records nothing.
    demo.client("foresatt").get(f"/meldinger/portal/{thread.pk}/")
    demo.client("foresatt").get(f"/api/v1/messaging/threads/{thread.pk}")
    demo.client("foresatt").post(f"/meldinger/portal/{thread.pk}/", {"body": "x"})
    assert not MessageRead.objects.filter(person=hanne).exists()
    assert demo.client("foresatt", high=True).get(f"/meldinger/portal/{thread.pk}/").status_code == 200
    assert MessageRead.objects.filter(person=hanne).count() == 1


def test_staff_see_which_guardians_read_and_a_parent_does_not_learn_whether_the_other_did(demo: Demo) -> None:
    thread = _class_thread(demo)
    hanne, henrik = demo.person("foresatt"), demo.person("foresatt2")
    assert demo.client("foresatt2").get(f"/meldinger/portal/{thread.pk}/").status_code == 200
    page = demo.client("kontaktlaerer").get(f"/meldinger/{thread.pk}/").content.decode()
    assert f"Lest av {henrik.full_name}" in page
    staff_api = demo.client("kontaktlaerer").get(f"/api/v1/messaging/threads/{thread.pk}").json()
    assert staff_api["messages"][0]["read_by"] == [{"person_id": henrik.pk, "name": henrik.full_name}]
    mother = demo.client("foresatt").get(f"/api/v1/messaging/threads/{thread.pk}").json()
    (first,) = mother["messages"]
    assert "read_by" not in first
    assert first["read_by_me"] is True  # she has just read it; nothing about Henrik
    assert str(henrik.pk) not in str(mother)
    assert hanne.pk


def test_a_non_urgent_notification_to_a_guardian_at_23_is_delivered_at_07(demo: Demo) -> None:
    hanne = demo.person("foresatt")
    Person.objects.filter(pk=hanne.pk).update(email="hanne@example.no", phone="")
    late = dt.datetime(2026, 11, 19, 23, 0, tzinfo=OSLO)
    with clock.freeze(late):
        thread = _class_thread(demo)
        note = Notification.objects.get(person=hanne, key=f"msg:{thread.messages.get().pk}")
        assert note.deliver_after == dt.datetime(2026, 11, 20, 7, 0, tzinfo=OSLO)
        assert [i for batch in deliveries_dispatch_batches() for i in batch] == []
    with clock.freeze(dt.datetime(2026, 11, 20, 7, 0, tzinfo=OSLO)):
        due = [i for batch in deliveries_dispatch_batches() for i in batch]
        both_guardians = Delivery.objects.filter(notification__key=note.key).values_list("pk", flat=True)
        assert sorted(due) == sorted(both_guardians) and len(due) >= 1


def test_an_urgent_notification_from_staff_goes_at_once_and_says_haster(demo: Demo) -> None:
    hanne = demo.person("foresatt")
    Person.objects.filter(pk=hanne.pk).update(email="hanne@example.no", phone="")
    with clock.freeze(dt.datetime(2026, 11, 19, 23, 0, tzinfo=OSLO)):
        thread = _class_thread(demo, body="Hentes nå", urgent=True)
        note = Notification.objects.get(person=hanne, key=f"msg:{thread.messages.get().pk}")
        assert note.deliver_after == clock.now()
        deliveries_send(ids=list(Delivery.objects.filter(notification=note).values_list("pk", flat=True)))
    (sent,) = [m for m in mail.outbox if "hanne@example.no" in m.to]
    assert sent.subject.startswith("Haster")
    assert "Haster" in sent.body and "Hentes" not in sent.body


def test_a_guardian_marks_a_message_urgent_only_where_the_unit_allows_it(demo: Demo) -> None:
    _child, group = _jonas_and_class(demo)
    thread = _class_thread(demo)
    api = demo.client("foresatt")
    url = f"/api/v1/messaging/threads/{thread.pk}/messages"
    before = Message.objects.count()
    refused = api.post(url, {"body": "Haster!", "urgent": True}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "urgent_not_allowed"
    assert Message.objects.count() == before
    assert 'name="urgent"' not in api.get(f"/meldinger/portal/{thread.pk}/").content.decode()
    Mailbox.objects.filter(unit=group).update(guardians_may_mark_urgent=True)
    assert 'name="urgent"' in api.get(f"/meldinger/portal/{thread.pk}/").content.decode()
    page = api.post(f"/meldinger/portal/{thread.pk}/", {"body": "Ring meg", "urgent": "1"})
    assert page.status_code == 302
    message = Message.objects.get(body="Ring meg")
    assert message.urgent
    note = Notification.objects.get(key=f"msg:{message.pk}", person=demo.person("kontaktlaerer"))
    assert note.title.startswith("Haster")


def test_the_recall_button_disappears_after_15_minutes(demo: Demo) -> None:
    thread = _class_thread(demo)
    teacher = demo.client("kontaktlaerer")
    assert "Trekk tilbake" in teacher.get(f"/meldinger/{thread.pk}/").content.decode()
    with clock.freeze(clock.now() + dt.timedelta(minutes=16)):
        assert "Trekk tilbake" not in teacher.get(f"/meldinger/{thread.pk}/").content.decode()


def test_staff_choose_sms_per_kind_and_a_digest_collects_the_rest(demo: Demo) -> None:
    teacher = demo.person("kontaktlaerer")
    preference_set(
        person_id=teacher.pk,
        email=True,
        sms=True,
        push=False,
        staff_message_channel="digest",
        staff_urgent_channel="sms",
    )
    thread = _class_thread(demo)
    reply = message_reply(user=demo.user("foresatt"), thread_id=thread.pk, body="Vanlig")
    note = Notification.objects.get(key=f"msg:{reply.pk}", person=teacher)
    assert note.digest_pending and not note.deliveries.exists()
    with clock.freeze(dt.datetime(2026, 11, 19, 15, 5, tzinfo=OSLO)):
        assert digests_send() == 1
        assert digests_send() == 0  # once a day
    digest = Notification.objects.get(person=teacher, key__startswith="digest:")
    assert list(digest.deliveries.values_list("channel", flat=True)) == [Channel.EMAIL]


def test_a_channel_without_an_address_is_refused_with_a_clear_message(demo: Demo) -> None:
    hanne = demo.person("foresatt")
    Person.objects.filter(pk=hanne.pk).update(phone="", email="hanne@example.no")
    with pytest.raises(ValidationError) as exc:
        preference_set(person_id=hanne.pk, email=True, sms=True, push=False)
    assert "mobilnummer" in exc.value.message
    assert not NotificationPreference.objects.filter(person=hanne).exists()
    page = demo.client("foresatt").post("/meldinger/innstillinger/", {"email": "1", "sms": "1"})
    assert page.status_code == 400
    assert "mobilnummer" in page.content.decode()
    assert demo.client("foresatt").post("/meldinger/innstillinger/", {"email": "1"}).status_code == 302


def test_staff_settings_show_default_working_hours_from_the_employment_and_save_absence(demo: Demo) -> None:
    teacher = demo.client("kontaktlaerer")
    page = teacher.get("/meldinger/innstillinger/").content.decode()
    assert 'value="08:00"' in page and 'value="16:00"' in page
    response = teacher.post(
        "/meldinger/innstillinger/",
        {
            "staff_message_channel": "email",
            "staff_urgent_channel": "email",
            "days": ["0", "1", "2", "3", "4"],
            "start": "08:00",
            "end": "15:00",
            "away_from": "2026-11-20",
            "away_until": "2026-11-18",
        },
    )
    assert response.status_code == 400  # the absence ends before it starts: nothing written
    assert not NotificationPreference.objects.filter(person=demo.person("kontaktlaerer")).exists()


@pytest.mark.parametrize(("start", "end"), [(dt.time(21), dt.time(21)), (dt.time(7), dt.time(21))])
def test_quiet_hours_that_are_empty_or_swapped_are_refused(demo: Demo, start: dt.time, end: dt.time) -> None:
    with pytest.raises(ValidationError):
        messaging_settings_set(municipality_id=cast(Any, demo_municipality_id()), enabled=True, start=start, end=end)


def demo_municipality_id() -> int:
    return OrgUnit.objects.get(code=DEMO_SCHOOL_CODE).municipality_id


def test_quiet_hours_wrap_midnight() -> None:
    start, end = dt.time(21), dt.time(7)
    evening = dt.datetime(2026, 11, 19, 20, 59, tzinfo=OSLO)
    assert after_quiet_hours(at=evening, start=start, end=end) == evening
    assert after_quiet_hours(at=dt.datetime(2026, 11, 20, 3, 0, tzinfo=OSLO), start=start, end=end) == dt.datetime(
        2026, 11, 20, 7, 0, tzinfo=OSLO
    )


def test_a_colleague_can_be_given_the_thread_and_then_reads_it(demo: Demo) -> None:
    thread = _class_thread(demo)
    teacher = demo.client("kontaktlaerer")
    response = teacher.post(f"/meldinger/{thread.pk}/", {"op": "legg-til", "person": demo.person("spesped").pk})
    assert response.status_code == 302
    assert demo.client("spesped").get(f"/meldinger/{thread.pk}/").status_code == 200
    refused = teacher.post(f"/meldinger/{thread.pk}/", {"op": "legg-til", "person": demo.person("annenlaerer").pk})
    assert refused.status_code == 400  # works at another school
    assert demo.client("annenlaerer").get(f"/meldinger/{thread.pk}/").status_code == 404


def test_mailbox_admin_is_for_system_administrators(demo: Demo) -> None:
    _child, group = _jonas_and_class(demo)
    mailbox = Mailbox.objects.create(unit=group)
    admin = demo.client("sysadmin")
    url = f"/admin/messaging/mailbox/{mailbox.pk}/change/"
    assert admin.get(url).status_code == 200
    saved = admin.post(
        url,
        {
            "unit": group.pk,
            "handler_roles": ["contact_teacher", "unit_leader"],
            "handlers": str(demo.person("spesped").pk),
            "substitute": demo.person("laerer").pk,
            "response_time_hours": 48,
            "urgent_bypasses_quiet_hours": "on",
        },
    )
    assert saved.status_code == 302
    mailbox.refresh_from_db()
    assert sorted(mailbox.handler_roles) == ["contact_teacher", "unit_leader"]
    assert mailbox.substitute_id == demo.person("laerer").pk
    assert demo.client("laerer").get(f"/admin/messaging/mailbox/{mailbox.pk}/change/").status_code == 302


def test_the_unit_leader_names_the_mailboxs_handlers_and_substitute_on_their_page(demo: Demo) -> None:
    _child, group = _jonas_and_class(demo)
    url = f"/meldinger/postkasse/{group.pk}/"
    leader = demo.client("rektor")
    assert leader.get(url).status_code == 200
    saved = leader.post(
        url,
        {
            "handler_roles": ["contact_teacher"],
            "handlers": [demo.person("spesped").pk],
            "substitute": demo.person("laerer").pk,
            "guardians_may_mark_urgent": "1",
        },
    )
    assert saved.status_code == 302
    mailbox = Mailbox.objects.get(unit=group)
    assert mailbox.substitute_id == demo.person("laerer").pk and mailbox.guardians_may_mark_urgent
    assert list(mailbox.handlers.values_list("pk", flat=True)) == [demo.person("spesped").pk]
    outsider = leader.post(url, {"substitute": demo.person("annenlaerer").pk})
    assert outsider.status_code == 400  # works at another school: nothing written
    mailbox.refresh_from_db()
    assert mailbox.substitute_id == demo.person("laerer").pk
    assert demo.client("laerer").get(url).status_code == 403
    assert demo.client("styrer").get(url).status_code == 404  # a leader of another unit


def test_the_municipalitys_quiet_hours_are_edited_in_the_admin_and_bad_ones_are_refused(demo: Demo) -> None:
    from messaging.models import MessagingSettings

    admin = demo.client("sysadmin")
    url = "/admin/messaging/messagingsettings/add/"
    form = {"municipality": demo_municipality_id(), "guardian_quiet_hours": "on", "guardian_quiet_start": "21:00"}
    refused = admin.post(url, {**form, "guardian_quiet_end": "21:00"})
    assert refused.status_code == 200 and "ulik start og slutt" in refused.content.decode()
    assert not MessagingSettings.objects.exists()
    assert admin.post(url, {**form, "guardian_quiet_end": "06:30"}).status_code == 302
    assert MessagingSettings.objects.get().guardian_quiet_end == dt.time(6, 30)
    assert demo.client("laerer").get(url).status_code == 302  # not an administrator: to the admin login


def test_a_notice_sent_at_night_waits_for_the_morning_unless_it_is_urgent(demo: Demo) -> None:
    from messaging.services.notices import notice_create

    _child, group = _jonas_and_class(demo)
    hanne = demo.person("foresatt")
    with clock.freeze(dt.datetime(2026, 11, 19, 22, 30, tzinfo=OSLO)):
        for title, urgent in (("Husk gymtøy", False), ("Skolen er stengt i morgen", True)):
            notice = notice_create(
                user=demo.user("kontaktlaerer"),
                sender_unit_id=group.pk,
                title=title,
                body="…",
                target_unit_ids=[group.pk],
                urgent=urgent,
            )
            note = Notification.objects.get(person=hanne, key=f"notice:{notice.pk}")
            expected = clock.now() if urgent else dt.datetime(2026, 11, 20, 7, 0, tzinfo=OSLO)
            assert note.deliver_after == expected, title
            assert note.title.startswith("Haster") == urgent
