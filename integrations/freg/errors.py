"""Folkeregisteret errors: the shared transient/permanent split plus document problems."""

from __future__ import annotations

from integrations.common.errors import PermanentError, TransientError

__all__ = ["InvalidDocument", "PermanentError", "TransientError"]


class InvalidDocument(PermanentError):
    """A person or event document lacks what we need or is not what the spec describes."""

    def __init__(self, message: str):
        super().__init__(message, system="freg")
