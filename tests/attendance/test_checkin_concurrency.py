"""Two taps for one child at the same moment are decided one after the other (the advisory lock on the child)."""

from __future__ import annotations

import threading
import time
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from attendance import selectors, services
from attendance.models import AttendanceEvent
from oas.access.evaluation import access_queryset, access_unit_prefixes
from oas.organisation.models import OrgUnit

from .conftest import Town


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_tap_registers_once(town: Town) -> None:
    user, unit, child = town.users["dept_staff"], town.units["D1"].pk, town.children["small"].pk
    first_locked, release_first = threading.Event(), threading.Event()
    record = services._attendance_record
    results: dict[str, Any] = {}

    def slow_record(**kwargs: Any) -> Any:
        if kwargs["key"] == "first":
            first_locked.set()  # the first tap holds the child's lock and has not written yet
            assert release_first.wait(10)
        return record(**kwargs)

    def tap(key: str) -> None:
        try:
            results[key] = services.attendance_check(user=user, unit_id=unit, child_id=child, kind="in", key=key)
        finally:
            connection.close()

    with mock.patch.object(services, "_attendance_record", side_effect=slow_record):
        first = threading.Thread(target=tap, args=("first",))
        first.start()
        assert first_locked.wait(10)
        second = threading.Thread(target=tap, args=("second",))
        second.start()
        time.sleep(0.3)  # the second tap now waits for the child's lock
        assert "second" not in results
        release_first.set()
        first.join(10)
        second.join(10)
    assert results["first"].duplicate is False
    assert results["second"].duplicate is True
    assert AttendanceEvent.objects.filter(child_id=child).count() == 1


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
