"""Fakturering (invoicing): monthly runs, invoice lines, payers, corrections, ERP export, reduced-fee applications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Fakturering")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations.public import register_handler
        from invoicing import permissions  # noqa: F401  (registers actions and resources)
        from invoicing.export import OUTBOX_KIND, invoice_export_deliver

        register_handler(OUTBOX_KIND, invoice_export_deliver)
