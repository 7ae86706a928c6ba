"""Reuse the attendance town: a kindergarten with two departments, a school with 1A and an SFO."""

from tests.attendance.conftest import Town, town

__all__ = ["Town", "town"]
