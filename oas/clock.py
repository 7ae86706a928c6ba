"""The one source of time. Tests freeze it with ``clock.freeze(...)`` (see tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

_state = threading.local()
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Return the current aware datetime (UTC), or the frozen one."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(tz=dt.UTC)


def local_now() -> dt.datetime:
    """Return the current time in Norway."""
    return now().astimezone(OSLO)


def today() -> dt.date:
    """Return today's date in Norway (a school day starts at midnight Oslo time, not UTC)."""
    return local_now().date()


@contextmanager
def freeze(moment: dt.datetime | dt.date) -> Iterator[None]:
    """Freeze ``now()`` at ``moment`` (a date means 09:00 Oslo time that day)."""
    global _frozen  # noqa: PLW0603 - process-wide on purpose: Celery eager tasks and views share it
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(9, 0), tzinfo=OSLO)
    if moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    previous = _frozen
    _frozen = moment.astimezone(dt.UTC)
    try:
        yield
    finally:
        _frozen = previous
