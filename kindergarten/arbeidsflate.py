"""Arbeidsflate (staff workspace) tasks from kindergarten, filtered with ``oas.access``.

Sector office (``kindergarten.application.decide`` / ``kindergarten.round.manage``): applications whose
documentation must be checked, offers expiring, appeals to decide; admission and advisors: the places freed when
the six-year-olds start school. Kindergarten leaders (``kindergarten.application.approve_private`` on their
unit): children starting in the next 30 days, applicants to approve. Report viewers and advisors: the BASIL count.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kindergarten import selectors
from kindergarten.models import Appeal, AppealStatus, Application, Assignment, Offer, OfferStatus
from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.roles import Role
from oas.arbeidsflate.registry import CountTask, TaskProvider, children_url
from oas.organisation.models import OrgUnit
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _office_applications(query: str = "") -> str:
    return reverse("kindergarten_pages:office_applications") + query


def _applications_to_check(user: Actor) -> QuerySet[Application]:
    allowed = access_queryset(user=user, action="kindergarten.application.read", queryset=Application.objects.all())
    return selectors.applications_to_check().filter(pk__in=allowed.values("pk"))


def _appeals(user: Actor) -> QuerySet[Appeal]:
    allowed = access_queryset(user=user, action="kindergarten.appeal.decide", queryset=Application.objects.all())
    return Appeal.objects.filter(status=AppealStatus.REGISTERED, application__in=allowed.values("pk"))


def _children_starting(user: Actor) -> QuerySet[Offer]:
    units = access_queryset(
        user=user,
        action="kindergarten.application.approve_private",
        queryset=OrgUnit.objects.filter(kind="kindergarten"),
    )
    today = clock.today()
    return Offer.objects.filter(
        status=OfferStatus.ACCEPTED,
        programme__unit__in=units.values("pk"),
        start_date__gte=today,
        start_date__lte=today + dt.timedelta(days=30),
    )


def _applicants_to_approve(user: Actor) -> QuerySet[Assignment]:
    units = access_queryset(
        user=user,
        action="kindergarten.application.approve_private",
        queryset=OrgUnit.objects.filter(kind="kindergarten", ownership="private"),
    )
    return selectors.assignments_to_approve(units=units)


def _school_year_and_birth_year() -> tuple[int, int]:
    today = clock.today()
    school_year = today.year + (1 if today.month >= 8 else 0)
    return school_year, school_year - 6


def _school_starters(user: Actor) -> QuerySet[Any]:
    in_kindergarten = Placement.objects.filter(
        active_on(clock.today(), fields=DATED), child=OuterRef("pk"), service=Service.KINDERGARTEN
    )
    _year, born = _school_year_and_birth_year()
    children = Person.objects.filter(Exists(in_kindergarten), birth_date__year=born)
    return access_queryset(user=user, action="child.read", queryset=children)


def _school_starters_title() -> str:
    school_year, born = _school_year_and_birth_year()
    return _("Barnehageplasser som blir ledige ved skolestart %(year)s (barn født %(born)s)") % {
        "year": school_year,
        "born": born,
    }


def _children_in_kindergarten(user: Actor) -> QuerySet[Any]:
    placed = Placement.objects.filter(active_on(clock.today(), fields=DATED), service=Service.KINDERGARTEN)
    return placed.values("child_id").distinct()


APPLICATIONS_TO_CHECK = CountTask(
    key="kindergarten.applications_to_check",
    module="kindergarten",
    title=gettext_lazy("Søknader om barnehageplass med dokumentasjon som må kontrolleres"),
    action="kindergarten.application.decide",
    rows=_applications_to_check,
    url=lambda: _office_applications("?dokumentasjon=ukontrollert"),
    severity="warning",
)

OFFERS_EXPIRING = CountTask(
    key="kindergarten.offers_expiring",
    module="kindergarten",
    title=gettext_lazy("Tilbud om barnehageplass med svarfrist de neste tre dagene"),
    action="kindergarten.round.manage",  # the office runs the rounds of the whole municipality
    rows=lambda user: selectors.offers_expiring(),
    url=lambda: _office_applications("?status=offered"),
)

APPEALS = CountTask(
    key="kindergarten.appeals",
    module="kindergarten",
    title=gettext_lazy("Klager på vedtak om barnehageplass som skal behandles"),
    rows=_appeals,
    url=_office_applications,
    severity="warning",
)

CHILDREN_STARTING = CountTask(
    key="kindergarten.children_starting",
    module="kindergarten",
    title=gettext_lazy("Nye barn som begynner de neste 30 dagene"),
    rows=_children_starting,
    url="/arbeidsflate/",
)

APPLICANTS_TO_APPROVE = CountTask(
    key="kindergarten.applicants_to_approve",
    module="kindergarten",
    title=gettext_lazy("Søkere til barnehagen som skal godkjennes"),
    action="kindergarten.application.approve_private",
    rows=_applicants_to_approve,
    url=lambda: reverse("kindergarten_pages:unit_approvals"),
    severity="warning",
)

# Two figures the kernel used to count; their keys stay (clients know them).
SCHOOL_STARTERS = CountTask(
    key="people.school_starters",
    module="people",
    title=_school_starters_title,
    roles=frozenset({Role.SECTOR_ADMISSION, Role.SECTOR_ADVISOR}),
    rows=_school_starters,
    url=lambda: children_url(oppgave="people.school_starters"),
)

KINDERGARTEN_COUNT = CountTask(
    key="reports.kindergarten_count",
    module="reports",
    title=gettext_lazy("Barn i barnehage i dag (BASIL-telling 15. desember)"),
    roles=frozenset({Role.REPORT_VIEWER, Role.SECTOR_ADVISOR}),
    rows=_children_in_kindergarten,
    show_zero=True,
)

TASKS: tuple[TaskProvider, ...] = (
    APPLICATIONS_TO_CHECK,
    OFFERS_EXPIRING,
    APPEALS,
    CHILDREN_STARTING,
    APPLICANTS_TO_APPROVE,
    SCHOOL_STARTERS,
    KINDERGARTEN_COUNT,
)
