"""Two taps for one child at the same moment are decided one after the other (the advisory lock on the child)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from attendance import selectors, services
from attendance.models import AttendanceEvent
from oas import clock
from oas.access.evaluation import access_queryset, access_unit_prefixes
from oas.organisation.models import OrgUnit
from oas.people.models import Placement

from .conftest import Town


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_tap_registers_once(town: Town) -> None:
    """The first tap holds the child's lock and has written, not committed; the second waits and then sees it.

    The second tap's lock and write go to PostgreSQL together (one round trip): the write must start after the
    lock is granted, with a snapshot that sees the first tap, or the child would be checked in twice.
    """
    user, unit, child = town.users["dept_staff"], town.units["D1"].pk, town.children["small"].pk
    placement = Placement.objects.get(child_id=child, group_id=unit)
    first_written, release_first = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def first_tap() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [selectors.CHECKIN_LOCK_CLASS, child % 2147483647]
                )
                now = clock.now()
                AttendanceEvent.objects.create(
                    child_id=child,
                    unit_id=placement.unit_id,
                    day=clock.local_now().date(),
                    kind="in",
                    at=now,
                    key="first",
                )
                first_written.set()
                assert release_first.wait(10)
        finally:
            connection.close()

    def second_tap() -> None:
        try:
            results["second"] = services.attendance_check(
                user=user, unit_id=unit, child_id=child, kind="in", key="second"
            )
        finally:
            connection.close()

    first = threading.Thread(target=first_tap)
    first.start()
    assert first_written.wait(10)
    second = threading.Thread(target=second_tap)
    second.start()
    time.sleep(0.3)  # the second tap now waits for the child's lock
    assert "second" not in results
    release_first.set()
    first.join(10)
    second.join(10)
    assert results["second"].duplicate is True  # the child was in already: a double tap
    assert list(AttendanceEvent.objects.filter(child_id=child).values_list("key", flat=True)) == ["first"]


@pytest.mark.django_db
def test_unit_prefixes_filter_the_same_units_as_the_access_queryset(town: Town) -> None:
    units = list(OrgUnit.objects.all())
    for persona, user in town.users.items():
        prefixes = access_unit_prefixes(user=user, action="attendance.checkin")
        expected = set(
            access_queryset(user=user, action="attendance.checkin", queryset=OrgUnit.objects.all()).values_list(
                "pk", flat=True
            )
        )
        got = {u.pk for u in units if prefixes is None or any(u.path.startswith(p) for p in prefixes)}
        assert got == expected, persona
    assert selectors.CHECKIN_LOCK_CLASS > 0
