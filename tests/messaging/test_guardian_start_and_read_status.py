"""Guardians start a message (not only reply); staff see their sent notices with who has not read them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from messaging.models import Notice, Thread
from messaging.services.notices import notice_create, notice_mark_read
from tests.messaging.conftest import World, login, person

pytestmark = pytest.mark.django_db

NEW = "/meldinger/portal/ny/"


def _choice(world: World, child: str, unit: str) -> str:
    return f"{world.children[child].pk}:{world.units[unit].pk}"


def _post(client: Client, recipient: str, subject: str = "Spørsmål om turen") -> Any:
    return client.post(NEW, {"recipient": recipient, "subject": subject, "body": "Skal de ha med niste?"})


def test_guardian_is_offered_the_contact_teacher_the_department_and_the_unit_offices(world: World) -> None:
    response = login(Client(), world, "guardian").get(NEW)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("Kontaktlærer (1A)", "Kontoret – Demo skole", "Avdeling Blåbær", "Kontoret – Demo barnehage"):
        assert label in page
    assert "Annen skole" not in page  # another family's child's school is never offered
    assert f'value="{_choice(world, "kid_school", "1A")}"' in page


def test_guardian_starts_a_message_to_the_contact_teacher_who_sees_it_and_a_colleague_does_not(
    world: World,
) -> None:
    response = _post(login(Client(), world, "guardian"), _choice(world, "kid_school", "1A"))
    assert response.status_code == 302
    thread = Thread.objects.get(subject="Spørsmål om turen")
    assert thread.unit == world.units["1A"]
    assert thread.child == world.children["kid_school"]
    assert response["Location"] == f"/meldinger/portal/{thread.pk}/"
    teacher_inbox = login(Client(), world, "contact_teacher").get("/meldinger/")
    assert teacher_inbox.status_code == 200
    assert "Spørsmål om turen" in teacher_inbox.content.decode()
    # Need-to-know: a teacher at the school who does not handle 1A's mailbox does not see it.
    assert "Spørsmål om turen" not in login(Client(), world, "teacher").get("/meldinger/").content.decode()
    # The other guardian's inbox does not get it either (a guardian writes on their own side only).
    assert (
        "Spørsmål om turen"
        not in login(Client(), world, "protected_guardian").get("/meldinger/portal/").content.decode()
    )


def test_guardian_starts_a_message_to_the_unit_office(world: World) -> None:
    response = _post(login(Client(), world, "guardian"), _choice(world, "kid_bhg", "K1"), subject="Permisjon")
    assert response.status_code == 302
    assert Thread.objects.get(subject="Permisjon").unit == world.units["K1"]


def test_a_recipient_that_is_not_offered_is_refused_and_nothing_is_written(world: World) -> None:
    client = login(Client(), world, "guardian")
    for recipient in (_choice(world, "kid_school", "S2"), "tull", ""):  # not the child's school; no choice
        response = _post(client, recipient)
        assert response.status_code == 400, recipient
        assert "Velg en mottaker fra listen." in response.content.decode()
    # Not the guardian's child: the same answer as for a child that does not exist.
    for child_id in (world.children["kid_other"].pk, 999999):
        response = _post(client, f"{child_id}:{world.units['K2'].pk}")
        assert response.status_code == 400
        assert "Fant ikke barnet." in response.content.decode()
    assert not Thread.objects.exists()


def test_empty_subject_is_refused_with_a_clear_message(world: World) -> None:
    response = login(Client(), world, "guardian").post(
        NEW, {"recipient": _choice(world, "kid_school", "1A"), "subject": "", "body": "Hei"}
    )
    assert response.status_code == 400
    assert "Emnet må ha 1–200 tegn." in response.content.decode()
    assert not Thread.objects.exists()


def test_the_parent_a_strengt_fortrolig_child_does_not_live_with_gets_no_recipient_naming_the_unit(
    world: World,
) -> None:
    father = login(Client(), world, "other_guardian")
    response = father.get(NEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1A" not in page
    assert "Demo skole" not in page
    assert world.children["kid_protected"].first_name not in page
    # Guessing the class is refused like any wrong choice, and the answer names neither the class nor the school.
    guessed = _post(father, _choice(world, "kid_protected", "1A"))
    assert guessed.status_code == 400
    assert "1A" not in guessed.content.decode()
    assert "Demo skole" not in guessed.content.decode()
    assert not Thread.objects.exists()
    # The mother the child lives with is offered the class.
    mother = login(Client(), world, "protected_guardian").get(NEW).content.decode()
    assert "Kontaktlærer (1A)" in mother


def test_a_parent_without_foreldreansvar_gets_no_recipient(world: World) -> None:
    client = login(Client(), world, "parent_without_responsibility")
    response = client.get(NEW)
    assert response.status_code == 200
    assert "Du kan ikke starte en melding her" in response.content.decode()
    assert _post(client, _choice(world, "kid_bhg", "D1")).status_code == 400
    assert not Thread.objects.exists()


def test_the_new_message_page_is_404_for_staff_and_a_login_redirect_for_anonymous(world: World) -> None:
    assert login(Client(), world, "contact_teacher").get(NEW).status_code == 404
    anonymous = Client().get(NEW)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]


def test_guardian_inbox_links_to_a_new_message(world: World) -> None:
    page = login(Client(), world, "guardian").get("/meldinger/portal/").content.decode()
    assert f'href="{NEW}"' in page


# --- sent notices with read status ---------------------------------------------------------------------------


def _notice(world: World, title: str = "Foreldremøte torsdag") -> Notice:
    return notice_create(
        user=world.user("contact_teacher"),
        sender_unit_id=world.units["1A"].pk,
        title=title,
        body="Velkommen kl. 18.",
        target_unit_ids=[world.units["1A"].pk],
    )


def test_teacher_sees_her_sent_notices_with_how_many_have_read_them(world: World) -> None:
    notice = _notice(world)
    notice_mark_read(user=world.user("guardian"), notice_id=notice.pk)
    response = login(Client(), world, "contact_teacher").get("/meldinger/oppslag/sendte/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Foreldremøte torsdag" in page
    assert "1 av 2" in page  # the guardian read it; the protected child's mother has not


def test_read_status_names_who_has_not_read_the_notice(world: World) -> None:
    notice = _notice(world)
    notice_mark_read(user=world.user("guardian"), notice_id=notice.pk)
    response = login(Client(), world, "contact_teacher").get(f"/meldinger/oppslag/sendte/{notice.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 av 2 mottakere har lest oppslaget." in page
    unread, read = person(world, "protected_guardian"), person(world, "guardian")
    assert f"{unread.first_name} {unread.last_name}" in page
    assert f"{read.first_name} {read.last_name}" not in page
    # The father the strengt fortrolig child does not live with never got it, so he is not listed either.
    father = person(world, "other_guardian")
    assert f"{father.first_name} {father.last_name}" not in page


def test_read_status_of_someone_elses_notice_is_404_and_the_list_does_not_show_it(world: World) -> None:
    notice = _notice(world)
    colleague = login(Client(), world, "teacher")  # same school, did not write it
    assert colleague.get(f"/meldinger/oppslag/sendte/{notice.pk}/").status_code == 404
    listing = colleague.get("/meldinger/oppslag/sendte/")
    assert listing.status_code == 200
    assert "Foreldremøte torsdag" not in listing.content.decode()
    assert login(Client(), world, "contact_teacher").get("/meldinger/oppslag/sendte/999999/").status_code == 404


def test_sent_notices_are_refused_to_guardians(world: World) -> None:
    notice = _notice(world)
    guardian = login(Client(), world, "guardian")
    assert guardian.get("/meldinger/oppslag/sendte/").status_code == 403
    assert guardian.get(f"/meldinger/oppslag/sendte/{notice.pk}/").status_code == 403


def test_sent_notices_are_in_the_staff_menu(world: World) -> None:
    page = login(Client(), world, "contact_teacher").get("/meldinger/").content.decode()
    assert 'data-nav="staff-sent-notices"' in page
    assert 'data-nav="staff-sent-notices"' not in login(Client(), world, "guardian").get("/portal/").content.decode()
