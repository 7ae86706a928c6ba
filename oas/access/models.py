"""Roles and grants: the mapping administrators edit, the derived role table, explicit grants, and the
municipality's settings for foster parents and pick-up persons."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermission

from oas.access.roles import Role
from oas.organisation.models import Municipality, OrgUnit
from oas.people.models import Employee, Employment, GroupAssignment, Person


class MappingSource(models.TextChoices):
    POSITION = "position", _("Stillingskode (arbeidsforhold)")
    GROUP_ASSIGNMENT = "group_assignment", _("Gruppetilknytning")


class RoleMapping(models.Model):
    """Which position code (or group-assignment role) gives which role. Edited in the Django admin."""

    source = models.CharField(_("kilde"), max_length=20, choices=MappingSource.choices)
    code = models.CharField(_("kode"), max_length=40, help_text=_("Stillingskode, eller rolle i gruppetilknytning."))
    role = models.CharField(_("rolle"), max_length=40, choices=Role.choices)

    class Meta:
        verbose_name = _("rollekobling")
        verbose_name_plural = _("rollekoblinger")
        ordering = ["source", "code", "role"]
        constraints = [models.UniqueConstraint(fields=["source", "code", "role"], name="rolemapping_unique")]

    def __str__(self) -> str:
        return f"{self.code} → {self.role}"


class RoleAssignment(models.Model):
    """A role an employee holds, derived from master data; rebuilt by ``roles_recompute_for_employees``.

    ``unit`` is the scope for unit roles, the group for group roles and the employing unit (for the
    record) for global roles. Never edited by hand: change the mapping or the master data instead.
    """

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("rolle"), max_length=40, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="role_assignments")
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    employment = models.ForeignKey(Employment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    group_assignment = models.ForeignKey(
        GroupAssignment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("rolletildeling")
        verbose_name_plural = _("rolletildelinger (avledet)")
        indexes = [models.Index(fields=["employee", "role"]), models.Index(fields=["unit", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="roleassignment_period"
            ),
            models.CheckConstraint(
                condition=Q(employment__isnull=True) ^ Q(group_assignment__isnull=True),
                name="roleassignment_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.role} @ {self.unit_id}"


class AccessGrant(models.Model):
    """An explicit, time-limited exception: one action on one child (Person) or one unit/group subtree.

    The permission itself is a django-guardian object permission (``object_permission``); this row adds
    the validity period and the reason. Evaluation checks the period, so an expired grant stops working
    at midnight without anyone acting; ``access_grants_cleanup`` removes the guardian rows later.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants", verbose_name=_("bruker")
    )
    action = models.CharField(_("handling"), max_length=100)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("barn/person")
    )
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("enhet")
    )
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), help_text=_("Tilgangen opphører automatisk etter denne datoen."))
    reason = models.CharField(_("begrunnelse"), max_length=300)
    granted_by = models.CharField(_("gitt av"), max_length=200, blank=True)
    object_permission = models.OneToOneField(
        UserObjectPermission, null=True, blank=True, on_delete=models.SET_NULL, related_name="oas_grant"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unntakstilgang")
        verbose_name_plural = _("unntakstilganger")
        indexes = [models.Index(fields=["user", "action", "valid_to"])]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="accessgrant_period"),
            models.CheckConstraint(
                condition=Q(person__isnull=True) ^ Q(unit__isnull=True), name="accessgrant_person_xor_unit"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(user)s %(action)s til %(date)s") % {
            "user": self.user_id,
            "action": self.action,
            "date": self.valid_to,
        }


DEFAULT_FOSTER_PARENT_ACTIONS = ["child.read", "child.read_contacts"]
DEFAULT_PICKUP_ACTIONS = ["child.read"]


def _default_foster() -> list[str]:
    return list(DEFAULT_FOSTER_PARENT_ACTIONS)


def _default_pickup() -> list[str]:
    return list(DEFAULT_PICKUP_ACTIONS)


class GuardianAccessSettings(models.Model):
    """What foster parents and pick-up persons may do, per municipality (defaults when no row exists)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="guardian_access")
    foster_parent_actions = ArrayField(
        models.CharField(max_length=100), default=_default_foster, blank=True, verbose_name=_("fosterforeldre")
    )
    pickup_actions = ArrayField(
        models.CharField(max_length=100), default=_default_pickup, blank=True, verbose_name=_("hentende personer")
    )

    class Meta:
        verbose_name = _("tilgang for fosterforeldre og hentende")
        verbose_name_plural = _("tilgang for fosterforeldre og hentende")

    def __str__(self) -> str:
        return str(self.municipality)

    def clean(self) -> None:
        from oas.access.actions import all_actions

        known = {a.code for a in all_actions() if a.guardian_side}
        errors = {}
        for name in ("foster_parent_actions", "pickup_actions"):
            unknown = sorted(set(getattr(self, name)) - known)
            if unknown:
                errors[name] = [_("Ukjent eller ikke foresatt-handling: %(codes)s") % {"codes": ", ".join(unknown)}]
        if errors:
            raise ValidationError(errors)
