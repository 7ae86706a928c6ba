"""Arbeidsflate: system administrators see letters SvarUt could not deliver (AVVIST, IKKE_LEVERT, refused)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from integrations.access import user_is_system_admin
from integrations.models import Letter, LetterState
from oas.arbeidsflate.registry import WorkspaceTask


class FailedLetterTaskProvider:
    key = "integrations.letters.failed"
    module = "integrations"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not user_is_system_admin(user=user):
            return []
        count = Letter.objects.filter(state=LetterState.FAILED, failure_handled_at__isnull=True).count()
        if not count:
            return []
        try:
            url = (
                reverse("admin:integrations_letter_changelist") + "?state__exact=failed&failure_handled_at__isnull=True"
            )
        except NoReverseMatch:  # admin not mounted
            url = ""
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Brev som ikke kom fram"),
                count=count,
                url=url,
                module=self.module,
                severity="danger",
            )
        ]
