"""Links a Django user to who they are in the kernel: an employee (staff) or a person (guardian)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oas.people.models import Employee, Person


class AccountKind(models.TextChoices):
    STAFF = "staff", _("Ansatt")
    GUARDIAN = "guardian", _("Foresatt")
    BREAK_GLASS = "break_glass", _("Nødtilgang (superbruker)")


class Account(models.Model):
    """One per Django user. Staff accounts point at an Employee, guardian accounts at a Person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    kind = models.CharField(_("type"), max_length=20, choices=AccountKind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    employee = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    provider = models.CharField(_("innloggingstjeneste"), max_length=20, blank=True)
    subject = models.CharField(_("subjekt hos tjenesten"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("konto")
        verbose_name_plural = _("kontoer")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.STAFF) | Q(employee__isnull=False), name="account_staff_has_employee"
            ),
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.GUARDIAN) | Q(person__isnull=False), name="account_guardian_has_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.kind})"
