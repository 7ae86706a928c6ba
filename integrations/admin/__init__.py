"""Django admin for integrations; one module per system (C2 adds svarut/noark/erp/operations here)."""

from integrations.admin import freg, msgraph, ops, outbox

__all__ = ["freg", "msgraph", "ops", "outbox"]
