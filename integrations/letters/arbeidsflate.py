"""Arbeidsflate: system administrators see letters SvarUt could not deliver (AVVIST, IKKE_LEVERT, refused)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from integrations.access import user_is_system_admin
from integrations.models import Letter, LetterState
from oas.arbeidsflate.registry import CountTask, admin_url

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _failed_letters(user: Actor) -> QuerySet[Letter]:
    return Letter.objects.filter(state=LetterState.FAILED, failure_handled_at__isnull=True)


FAILED_LETTERS = CountTask(
    key="integrations.letters.failed",
    module="integrations",
    title=gettext_lazy("Brev som ikke kom fram"),
    gate=lambda user: user_is_system_admin(user=user),
    rows=_failed_letters,
    url=lambda: admin_url(
        "admin:integrations_letter_changelist", "?state__exact=failed&failure_handled_at__isnull=True"
    ),
    severity="danger",
)
