from django.contrib import admin

from invoicing.models import InvoiceRun, PaymentSplit


@admin.register(InvoiceRun)
class InvoiceRunAdmin(admin.ModelAdmin):
    list_display = ("municipality_number", "month", "state", "line_count", "total", "committed_at")
    readonly_fields = [f.name for f in InvoiceRun._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(PaymentSplit)
class PaymentSplitAdmin(admin.ModelAdmin):
    list_display = ("child", "valid_from", "valid_to")
    raw_id_fields = ("child",)
