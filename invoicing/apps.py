"""Fakturering (invoicing): monthly runs, invoice lines, payers, corrections, ERP export, reduced-fee applications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Fakturering")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations.public import register_erp_file_handler, register_handler
        from invoicing import permissions  # noqa: F401  (registers actions and resources)
        from invoicing.export import OUTBOX_KIND, invoice_export_deliver

        register_handler(OUTBOX_KIND, invoice_export_deliver)
        from invoicing.payments import PAYMENT_FILE_PREFIX, invoice_payments_file_import

        # The ERP's payment file comes in with the other ERP files (the daily directory import, Celery beat).
        register_erp_file_handler(PAYMENT_FILE_PREFIX, invoice_payments_file_import)
