"""Two taps for one child at the same moment are decided one after the other (the lock on the child's placement)."""

from __future__ import annotations

import threading
import time
from typing import Any
from unittest import mock

import pytest
from django.db import connection

from attendance import services
from attendance.models import AttendanceEvent

from .conftest import Town


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_tap_registers_once(town: Town) -> None:
    """The first tap holds the child's lock and has written, not committed; the second waits and then sees it."""
    user, unit, child = town.users["dept_staff"], town.units["D1"].pk, town.children["small"].pk
    first_written, release_first = threading.Event(), threading.Event()
    results: dict[str, Any] = {}
    audit_record = services.audit_record

    def audit_then_wait(**kwargs: Any) -> Any:
        row = audit_record(**kwargs)
        if threading.current_thread().name == "first":  # hold the transaction open after the insert
            first_written.set()
            assert release_first.wait(10)
        return row

    def tap(name: str) -> None:
        try:
            results[name] = services.attendance_check(user=user, unit_id=unit, child_id=child, kind="in", key=name)
        finally:
            connection.close()

    with mock.patch.object(services, "audit_record", side_effect=audit_then_wait):
        first = threading.Thread(target=tap, args=("first",), name="first")
        first.start()
        assert first_written.wait(10)
        second = threading.Thread(target=tap, args=("second",), name="second")
        second.start()
        time.sleep(0.3)  # the second tap now waits for the child's lock
        assert "second" not in results
        release_first.set()
        first.join(10)
        second.join(10)
    assert results["first"].duplicate is False
    assert results["second"].duplicate is True  # the child was in already: a double tap
    assert list(AttendanceEvent.objects.filter(child_id=child).values_list("key", flat=True)) == ["first"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_one_key_write_one_event(town: Town) -> None:
    user, unit, child = town.users["dept_staff"], town.units["D1"].pk, town.children["small"].pk
    results: list[Any] = []
    start = threading.Barrier(4)

    def tap() -> None:
        try:
            start.wait(10)
            results.append(services.attendance_check(user=user, unit_id=unit, child_id=child, kind="in", key="same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(r.duplicate for r in results) == [False, True, True, True]
    assert AttendanceEvent.objects.filter(child_id=child).count() == 1
