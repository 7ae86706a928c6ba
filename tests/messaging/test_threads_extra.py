"""Attachments, recall, out-of-office, abuse: enormous messages, forged files, spamming guardians."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.test import Client

from messaging.models import AuthorKind, Mailbox, Message, Thread
from messaging.services.attachments import Upload
from messaging.services.notices import notice_create, notices_send_due
from messaging.services.threads import message_recall, message_reply, thread_start
from oas import clock
from oas.errors import ValidationError
from tests.messaging.conftest import World, login, person
from tests.samples import EXECUTABLE, pdf_bytes, zip_bomb

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _start(world: World, **kwargs: object) -> Thread:
    params: dict[str, object] = {
        "user": world.user("contact_teacher"),
        "child_id": world.children["kid_protected"].pk,
        "unit_id": world.units["1A"].pk,
        "subject": "Emne",
        "body": "Tekst",
    }
    params.update(kwargs)
    return thread_start(**params)  # type: ignore[arg-type]


def test_attachments_are_stored_privately_and_served_only_to_those_who_see_the_message(world: World) -> None:
    thread = _start(world, uploads=[Upload("plan.pdf", PDF), Upload("skjema.docx", _docx())])
    attachment = thread.messages.get().attachments.get(filename="plan.pdf")
    assert attachment.content_type == "application/pdf"
    ok = login(Client(), world, "protected_guardian").get(f"/meldinger/vedlegg/{attachment.pk}/")
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == PDF  # type: ignore[attr-defined]
    assert login(Client(), world, "outsider").get(f"/meldinger/vedlegg/{attachment.pk}/").status_code == 404
    assert login(Client(), world, "other_teacher").get(f"/meldinger/vedlegg/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bilde.png", PDF),  # forged extension
        ("virus.exe", b"MZ\x90\x00"),  # not allowed
        ("side.html", b"<script>alert(1)</script>"),
        ("tom.pdf", b""),
        ("dokument.docx", b"PK\x03\x04not a zip"),
        ("plan.pdf", b"%PDF-1.7\n" + EXECUTABLE),  # a PDF header followed by an executable
        ("plan.pdf", EXECUTABLE),  # an executable named .pdf
        ("plan.odt", zip_bomb()),  # 300 KiB that inflate to 300 MiB: refused from the zip's directory
        ("plan.docx", zip_bomb(name="word/document.xml")),
    ],
)
def test_wrong_or_forged_attachments_are_refused_and_nothing_is_written(
    world: World, name: str, content: bytes
) -> None:
    with pytest.raises(ValidationError):
        _start(world, uploads=[Upload(name, content)])
    assert not Message.objects.exists()


def test_too_large_attachments_are_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        _start(world, uploads=[Upload("stor.pdf", PDF + b"0" * (10 * 1024 * 1024))])


def test_enormous_messages_are_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        _start(world, body="x" * 20_001)
    assert not Message.objects.exists()


def test_a_guardian_spamming_is_rate_limited(world: World, settings: object) -> None:
    settings.MESSAGING_GUARDIAN_MESSAGES_PER_HOUR = 3  # type: ignore[attr-defined]
    thread = _start(world)
    user = world.user("protected_guardian")
    for i in range(3):
        message_reply(user=user, thread_id=thread.pk, body=f"Melding {i}")
    with pytest.raises(ValidationError) as exc:
        message_reply(user=user, thread_id=thread.pk, body="En til")
    assert exc.value.code == "rate_limited"


def test_a_message_can_be_recalled_within_the_window_only(world: World) -> None:
    thread = _start(world)
    message = thread.messages.get()
    recalled = message_recall(user=world.user("contact_teacher"), message_id=message.pk)
    assert recalled.recalled_at is not None
    page = login(Client(), world, "protected_guardian").get(f"/meldinger/portal/{thread.pk}/").content.decode()
    assert "Tekst" not in page and "trukket tilbake" in page
    later = _start(world, body="Senere")
    with clock.freeze(clock.now() + dt.timedelta(minutes=16)), pytest.raises(ValidationError):
        message_recall(user=world.user("contact_teacher"), message_id=later.messages.get().pk)


def test_someone_else_cannot_recall_a_message(world: World) -> None:
    thread = _start(world)
    response = login(Client(), world, "teacher").post(f"/meldinger/melding/{thread.messages.get().pk}/trekk-tilbake/")
    assert response.status_code == 404


def test_out_of_office_reply_answers_a_guardian(world: World) -> None:
    Mailbox.objects.create(unit=world.units["S1"], out_of_office_message="Vi er på tur til fredag.")
    thread = thread_start(
        user=world.user("protected_guardian"),
        child_id=world.children["kid_protected"].pk,
        unit_id=world.units["S1"].pk,
        subject="Spørsmål",
        body="Hei",
    )
    auto = thread.messages.get(author_kind=AuthorKind.SYSTEM)
    assert auto.body == "Vi er på tur til fredag."
    assert auto.side is not None


def test_staff_see_read_receipts(world: World) -> None:
    thread = _start(world)
    login(Client(), world, "protected_guardian").get(f"/meldinger/portal/{thread.pk}/")
    assert list(thread.messages.get().reads.values_list("person_id", flat=True)) == [
        world.accounts["protected_guardian"].person_id
    ]
    page = login(Client(), world, "contact_teacher").get(f"/meldinger/{thread.pk}/").content.decode()
    assert f"Lest av {person(world, 'protected_guardian').full_name}" in page


def test_scheduled_notice_is_sent_by_beat_when_due(world: World) -> None:
    notice = notice_create(
        user=world.user("contact_teacher"),
        sender_unit_id=world.units["1A"].pk,
        title="Husk",
        body="Gymtøy",
        target_unit_ids=[world.units["1A"].pk],
        send_at=clock.now() + dt.timedelta(hours=2),
    )
    assert notices_send_due() == 0
    with clock.freeze(clock.now() + dt.timedelta(hours=3)):
        # the guardian of kid_school and the guardian kid_protected lives with: a unit notice names the unit, so
        # the kernel relation policy leaves out the parent a strengt fortrolig child does not live with (issue 13)
        assert notices_send_due() == 2
    notice.refresh_from_db()
    assert notice.status == "sent"
    assert notices_send_due() == 0


def test_notice_needs_approval_when_the_unit_says_so(world: World) -> None:
    Mailbox.objects.create(unit=world.units["1A"], notices_need_approval=True)
    notice = notice_create(
        user=world.user("contact_teacher"),
        sender_unit_id=world.units["1A"].pk,
        title="Husk",
        body="Gymtøy",
        target_unit_ids=[world.units["1A"].pk],
    )
    assert notice.status == "awaiting_approval"
    response = login(Client(), world, "principal").get("/arbeidsflate/")
    assert "Oppslag som venter på godkjenning" in response.content.decode()
    approved = login(Client(), world, "principal").post(f"/meldinger/oppslag/{notice.pk}/godkjenn/")
    assert approved.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "sent"
    denied = login(Client(), world, "contact_teacher").post(f"/meldinger/oppslag/{notice.pk}/godkjenn/")
    assert denied.status_code == 403


def test_page_attachments_are_checked_by_content_and_a_real_pdf_is_stored(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    thread = _start(world)
    client = login(Client(), world, "contact_teacher")
    forged = SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n" + EXECUTABLE, content_type="application/pdf")
    refused = client.post(f"/meldinger/{thread.pk}/", {"body": "Se vedlegg", "vedlegg": forged})
    assert refused.status_code == 400
    assert thread.messages.count() == 1
    real = SimpleUploadedFile("plan.pdf", PDF, content_type="application/octet-stream")
    ok = client.post(f"/meldinger/{thread.pk}/", {"body": "Se vedlegg", "vedlegg": real})
    assert ok.status_code == 302
    stored = thread.messages.get(body="Se vedlegg").attachments.get()
    assert stored.content_type == "application/pdf"
    assert login(Client(), world, "other_teacher").get(f"/meldinger/vedlegg/{stored.pk}/").status_code == 404
