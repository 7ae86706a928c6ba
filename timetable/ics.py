"""ICS (RFC 5545) for published lessons: the coming weeks of a teacher's or a pupil's timetable."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext

from oas import clock
from timetable.models import DayChange, Lesson, TimetableVersion
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


def calendar(
    *,
    events: list[tuple[TimetableVersion, list[Lesson]]],
    start: dt.date,
    weeks: int = WEEKS,
    changes: dict[tuple[int, dt.date], DayChange] | None = None,
    extra: list[DayChange] | None = None,
) -> str:
    """Return a VCALENDAR with each lesson on each of its days in the coming ``weeks`` (within the version's dates).

    ``changes`` (by lesson and date) apply on their day: a cancelled lesson is ``STATUS:CANCELLED``, another room is
    the ``LOCATION``, a substitute is named; ``extra`` are the lessons the feed's teacher takes as a substitute.
    """
    from timetable.daychanges import describe

    changes = changes or {}
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
                change = changes.get((lsn.pk, day))
                summary = f"{req.subject_name} ({req.group.name})"
                room = lsn.room.name if lsn.room else ""
                status = []
                if change is not None:
                    teachers = f"{teachers} – {describe(change)}"
                    if change.cancelled:
                        summary = gettext("Avlyst: %(lesson)s") % {"lesson": summary}
                        status = ["STATUS:CANCELLED"]
                    elif change.room_id and change.room:
                        room = change.room.name
                lines += [
                    "BEGIN:VEVENT",
                    f"UID:oas-lesson-{lsn.pk}-{day:%Y%m%d}@oas",
                    f"DTSTAMP:{stamp}",
                    f"DTSTART;TZID={TZID}:{begin:%Y%m%dT%H%M%S}",
                    f"DTEND;TZID={TZID}:{end:%Y%m%dT%H%M%S}",
                    _fold(f"SUMMARY:{_escape(summary)}"),
                    _fold(f"LOCATION:{_escape(room)}"),
                    _fold(f"DESCRIPTION:{_escape(teachers)}"),
                    *status,
                    "END:VEVENT",
                ]
    for sub in extra or []:
        lsn = sub.lesson
        periods = lesson_periods(version=lsn.version)
        positions = [p.position for p in periods]
        if lsn.position not in positions:
            continue
        first = positions.index(lsn.position)
        covered = periods[first : first + lsn.length]
        sub_room = sub.room or lsn.room
        req = lsn.requirement
        lines += [
            "BEGIN:VEVENT",
            f"UID:oas-substitute-{sub.pk}-{sub.date:%Y%m%d}@oas",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID={TZID}:{dt.datetime.combine(sub.date, covered[0].start_time):%Y%m%dT%H%M%S}",
            f"DTEND;TZID={TZID}:{dt.datetime.combine(sub.date, covered[-1].end_time):%Y%m%dT%H%M%S}",
            _fold(
                "SUMMARY:"
                + _escape(gettext("Vikartime: %(lesson)s") % {"lesson": f"{req.subject_name} ({req.group.name})"})
            ),
            _fold(f"LOCATION:{_escape(sub_room.name if sub_room else '')}"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
