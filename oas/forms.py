"""Form helpers shared by the server-rendered pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oas.errors import DomainError


def form_add_domain_errors(form: Any, exc: DomainError, *, field_map: Mapping[str, str] | None = None) -> None:
    """Show a service's refusal on a form: each field message at its field, the message itself on top.

    ``field_map`` renames service field names to form field names (e.g. ``{"choices": "choice_1"}``); messages
    for fields the form does not have are covered by the message on top.
    """
    for name, messages in exc.fields.items():
        target = (field_map or {}).get(name, name)
        if target in form.fields:
            for message in messages:
                form.add_error(target, message)
    form.add_error(None, exc.message)
