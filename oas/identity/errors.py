"""Why a login was refused. Each reason has its own explanation page (templates/identity/login_failed.html)."""

from __future__ import annotations

UNKNOWN_PERSON = "unknown_person"
UNKNOWN_EMPLOYEE = "unknown_employee"
ACR_MISSING = "acr_missing"
ACR_TOO_LOW = "acr_too_low"
STEPUP_OTHER_PERSON = "stepup_other_person"
INVALID_STATE = "invalid_state"
INVALID_TOKEN = "invalid_token"  # noqa: S105 - a reason code, not a secret
PROVIDER_ERROR = "provider_error"
PROVIDER_UNAVAILABLE = "provider_unavailable"
MISSING_CLAIM = "missing_claim"
WRONG_TENANT = "wrong_tenant"

FORBIDDEN_REASONS = {UNKNOWN_PERSON, UNKNOWN_EMPLOYEE, ACR_TOO_LOW, STEPUP_OTHER_PERSON, WRONG_TENANT}


class LoginRejected(Exception):
    """The provider's answer was valid OIDC but must not give a session (or was not valid at all)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    @property
    def http_status(self) -> int:
        return 403 if self.reason in FORBIDDEN_REASONS else 400
