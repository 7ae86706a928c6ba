"""ICS (RFC 5545) for published lessons: the coming weeks of a teacher's or a pupil's timetable."""

from __future__ import annotations

import datetime as dt

from oas import clock
from timetable.models import Lesson, TimetableVersion
from timetable.selectors import employee_name, lesson_periods

WEEKS = 6
TZID = "Europe/Oslo"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    out, data = [], line.encode()
    while len(data) > 75:
        cut = 75
        while cut and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(data[:cut].decode())
        data = b" " + data[cut:]
    out.append(data.decode())
    return "\r\n".join(out)


def calendar(*, events: list[tuple[TimetableVersion, list[Lesson]]], start: dt.date, weeks: int = WEEKS) -> str:
    """Return a VCALENDAR with each lesson on each of its days in the coming ``weeks`` (within the version's dates)."""
    monday = start - dt.timedelta(days=start.weekday())
    stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//OAS//Timeplan//NO",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Timeplan",
    ]
    for version, lessons in events:
        periods = lesson_periods(version=version)
        positions = [p.position for p in periods]
        for week in range(weeks):
            for lsn in lessons:
                day = monday + dt.timedelta(days=7 * week + lsn.day)
                if not version.valid_from <= day <= version.valid_to or lsn.position not in positions:
                    continue
                first = positions.index(lsn.position)
                covered = periods[first : first + lsn.length]
                begin = dt.datetime.combine(day, covered[0].start_time)
                end = dt.datetime.combine(day, covered[-1].end_time)
                req = lsn.requirement
                teachers = ", ".join(employee_name(t) for t in req.teachers.all())
                lines += [
                    "BEGIN:VEVENT",
                    f"UID:oas-lesson-{lsn.pk}-{day:%Y%m%d}@oas",
                    f"DTSTAMP:{stamp}",
                    f"DTSTART;TZID={TZID}:{begin:%Y%m%dT%H%M%S}",
                    f"DTEND;TZID={TZID}:{end:%Y%m%dT%H%M%S}",
                    _fold(f"SUMMARY:{_escape(f'{req.subject_name} ({req.group.name})')}"),
                    _fold(f"LOCATION:{_escape(lsn.room.name if lsn.room else '')}"),
                    _fold(f"DESCRIPTION:{_escape(teachers)}"),
                    "END:VEVENT",
                ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
