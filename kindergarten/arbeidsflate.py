"""Arbeidsflate (staff workspace) tasks from kindergarten admission.

Who sees them: for now, employees with a current employment at a sector office (oppvekstkontoret). The access
API of ``oas.access`` (roles scoped to units) will replace this check when it lands.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kindergarten import selectors
from oas import clock
from oas.arbeidsflate.registry import WorkspaceTask
from oas.organisation.models import OrgUnitKind
from oas.people.models import Employment


def works_at_sector_office(user: Any) -> bool:
    """Return whether the user is an employee with a current employment at a sector office."""
    account = getattr(user, "account", None)
    if account is None or account.employee_id is None:
        return False
    today = clock.today()
    return Employment.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        employee_id=account.employee_id,
        unit__kind=OrgUnitKind.SECTOR_OFFICE,
        valid_from__lte=today,
    ).exists()


class ApplicationsToCheckProvider:
    key = "kindergarten.applications_to_check"
    module = "kindergarten"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not works_at_sector_office(user):
            return []
        count = selectors.applications_to_check().count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title="Søknader om barnehageplass med dokumentasjon som må kontrolleres",
                count=count,
                url="/barnehage/opptak/soknader/?dokumentasjon=ukontrollert",
                module=self.module,
                severity="warning",
            )
        ]


class OffersExpiringProvider:
    key = "kindergarten.offers_expiring"
    module = "kindergarten"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not works_at_sector_office(user):
            return []
        count = selectors.offers_expiring().count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title="Tilbud om barnehageplass med svarfrist de neste tre dagene",
                count=count,
                url="/barnehage/opptak/tilbud/?frist=snart",
                module=self.module,
            )
        ]
