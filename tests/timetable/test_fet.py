"""FET files: a version written for FET reads back as the same lessons; a bad file lists every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.timetable.conftest import TimetableDemo, login
from timetable.fet import FetError, read_fet, version_to_fet
from timetable.solver import solve

pytestmark = pytest.mark.django_db


def test_a_version_round_trips_through_fet(tt_demo: TimetableDemo, tmp_path: Path) -> None:
    version = tt_demo.version
    text = version_to_fet(version=version)
    assert text.count("<ConstraintActivityPreferredStartingTime>") == version.lessons.count()
    path = tmp_path / "demo.fet"
    path.write_text(text)
    instance = read_fet(path)
    assert instance.activities == version.lessons.count()
    assert sum(sum(r.lengths) for r in instance.problem.requirements) == sum(
        r.hours_per_week for r in version.requirements.all()
    )
    assert solve(instance.problem, seconds=20, explain=False).placements
    download = login("rektor").get(reverse("timetable:fet", args=[version.pk]))
    assert download.status_code == 200 and download.content.decode() == text
    assert login("foresatt").get(reverse("timetable:fet", args=[version.pk])).status_code == 403
    assert login("annenlaerer").get(reverse("timetable:fet", args=[version.pk])).status_code == 404


def test_a_bad_fet_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.fet"
    path.write_text(
        "<fet><Days_List><Day><Name>Man</Name></Day></Days_List><Hours_List><Hour><Name>8</Name></Hour></Hours_List>"
        "<Teachers_List><Teacher><Name>Kari</Name></Teacher></Teachers_List><Subjects_List/><Students_List/>"
        "<Activities_List><Activity><Teacher>Ola</Teacher><Students>9Z</Students><Duration>1</Duration><Id>1</Id>"
        "</Activity><Activity><Teacher>Kari</Teacher><Duration>3</Duration><Id>2</Id></Activity></Activities_List></fet>"
    )
    with pytest.raises(FetError) as info:
        read_fet(path)
    assert info.value.problems == [
        "Aktivitet 1 viser til ukjent lærer 'Ola', elevgruppe '9Z'.",
        "Aktivitet 2 har en ugyldig varighet.",
    ]
    path.write_text("<fet><unclosed></fet>")
    with pytest.raises(FetError, match="ikke gyldig XML"):
        read_fet(path)
