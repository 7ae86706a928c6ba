"""Reads for logins: who in the register a provider's claims point at."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection

from oas.access.principal import ACCESS_EPOCH_ATTR, ACCESS_EPOCH_SUBQUERY
from oas.db import prepared_cursor
from oas.identity.providers import FEIDE_USERID_SEC
from oas.people.models import Employee, Person


def _claim_values(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return []


def employee_for_claims(*, claims: Mapping[str, Any], match_claim: str) -> Employee | None:
    """Return the active employee the configured claim identifies, or None (never guess between several)."""
    values = _claim_values(claims, match_claim)
    if not values:
        return None
    if match_claim == "oid":
        found = Employee.objects.filter(entra_object_id__in=values)
    elif match_claim in {FEIDE_USERID_SEC, "dataporten-userid_sec"}:
        found = Employee.objects.filter(feide_id__in=values)
    elif match_claim in {"email", "preferred_username", "upn"}:
        found = Employee.objects.filter(email__iexact=values[0])
    else:
        return None
    matches = list(found.filter(active=True).select_related("person")[:2])
    return matches[0] if len(matches) == 1 else None


def person_for_pid(*, pid: str) -> Person | None:
    """Return the person with this fødselsnummer/D-nummer, or None when not in the register."""
    if not (pid.isdigit() and len(pid) == 11):
        return None
    return Person.objects.filter(national_id=pid).first()


@functools.cache
def _user_statement() -> tuple[str, list[str], list[tuple[int, list[Callable[..., Any]]]]]:
    """The user row's SELECT by primary key, its attribute names and the database converters per column."""
    user_model = get_user_model()
    meta = user_model._meta
    fields: list[Any] = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    pk: Any = meta.pk
    table, pk_column = quote(meta.db_table), quote(pk.column)
    # The access epoch comes along (one round trip less on every request; see oas.access.principal).
    sql = f"SELECT {columns}, {ACCESS_EPOCH_SUBQUERY} FROM {table} WHERE {pk_column} = %s"  # noqa: S608 - our names
    converters = [
        (i, conv)
        for i, f in enumerate(fields)
        if (conv := connection.ops.get_db_converters(f.get_col(meta.db_table)) + f.get_db_converters(connection))
    ]
    return sql, [f.attname for f in fields], converters


def user_by_id(user_id: Any) -> Any:
    """Return the user with this primary key (as the session stores it), or None.

    What ``UserModel._default_manager.get(pk=...)`` returns, from one fixed statement: the session's user is
    loaded on every request, and compiling that query cost several times running it. The statement also reads
    the access epoch, kept on the user for ``principal_for``.
    """
    user_model = get_user_model()
    try:
        pk = user_model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    sql, names, converters = _user_statement()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    *row, epoch = row
    if converters:
        values = list(row)
        for i, functions in converters:
            for convert in functions:
                values[i] = convert(values[i], None, connection)
        row = tuple(values)
    user = user_model.from_db(DEFAULT_DB_ALIAS, names, row)
    setattr(user, ACCESS_EPOCH_ATTR, epoch)
    return user
