"""Timeplan (domain app). Other apps use only `timetable.public`."""
