"""Errors every integration raises: transient (retry later) or permanent (retrying cannot help)."""

from __future__ import annotations


class IntegrationError(Exception):
    """Base class; ``transient`` says whether a retry may succeed."""

    transient = False

    def __init__(self, message: str, *, system: str = "", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.system = system
        self.status = status


class TransientError(IntegrationError):
    """Timeouts, connection errors, 5xx, 429: try again, after ``retry_after`` seconds if given."""

    transient = True

    def __init__(self, message: str, *, system: str = "", status: int | None = None, retry_after: float | None = None):
        super().__init__(message, system=system, status=status)
        self.retry_after = retry_after


class PermanentError(IntegrationError):
    """4xx other than 401/429, invalid documents, refused deliveries: a human must look at it."""


class ConfigurationMissing(PermanentError):
    """``<SYSTEM>_MODE=live`` without the settings live needs."""
