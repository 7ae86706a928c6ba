"""API ``/api/v1/timetable/…``: versions, a version's lessons, the teacher's own week and a child's week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oas import clock
from oas.access.evaluation import access_queryset, permitted_actions, permitted_actions_many
from oas.access.getters import AccessNotFound, access_object
from oas.access.selectors import may_learn_whereabouts
from oas.audit.services import audit_read
from oas.people.models import Person
from timetable import selectors
from timetable.daychanges import day_changes_for, describe
from timetable.models import Lesson, TimetableVersion


class _ChangeOutput(serializers.Serializer):
    dato = serializers.DateField()
    avlyst = serializers.BooleanField()
    rom = serializers.CharField(allow_blank=True)
    vikar = serializers.CharField(allow_blank=True)
    tekst = serializers.CharField()


class _LessonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    dag = serializers.IntegerField()
    fra = serializers.CharField()
    til = serializers.CharField()
    fag = serializers.CharField()
    fagkode = serializers.CharField()
    gruppe = serializers.CharField()
    gruppe_id = serializers.IntegerField()
    laerere = serializers.ListField(child=serializers.CharField())
    rom = serializers.CharField(allow_blank=True)
    laast = serializers.BooleanField()
    # Day changes (cancelled, another room, a substitute) in the coming two weeks, on the dates they apply.
    endringer = _ChangeOutput(many=True)


def _lessons_out(version: TimetableVersion, lessons: list[Lesson]) -> list[dict[str, Any]]:
    periods = selectors.lesson_periods(version=version)
    positions = [p.position for p in periods]
    today = clock.today()
    changes: dict[int, list[dict[str, Any]]] = {}
    found = day_changes_for(lesson_ids=[lsn.pk for lsn in lessons], start=today, end=today + dt.timedelta(days=13))
    for (lesson_id, date), change in sorted(found.items(), key=lambda item: item[0][1]):
        changes.setdefault(lesson_id, []).append(
            {
                "dato": date,
                "avlyst": change.cancelled,
                "rom": change.room.name if change.room_id and change.room else "",
                "vikar": selectors.employee_name(change.substitute)
                if change.substitute_id and change.substitute
                else "",
                "tekst": describe(change),
            }
        )
    out = []
    for lsn in lessons:
        if lsn.position not in positions:
            continue
        covered = periods[positions.index(lsn.position) :][: lsn.length]
        out.append(
            {
                "id": lsn.pk,
                "dag": lsn.day,
                "fra": f"{covered[0].start_time:%H:%M}",
                "til": f"{covered[-1].end_time:%H:%M}",
                "fag": lsn.requirement.subject_name,
                "fagkode": lsn.requirement.subject_code,
                "gruppe": lsn.requirement.group.name,
                "gruppe_id": lsn.requirement.group_id,
                "laerere": [selectors.employee_name(t) for t in lsn.requirement.teachers.all()],
                "rom": lsn.room.name if lsn.room else "",
                "laast": lsn.locked,
                "endringer": changes.get(lsn.pk, []),
            }
        )
    return out


class TimetableVersionListApi(APIView):
    """The timetable versions the user may read, with the actions the user may take on each."""

    required_actions = ("timetable.version.read",)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        navn = serializers.CharField()
        skole = serializers.IntegerField()
        status = serializers.CharField()
        gjelder_fra = serializers.DateField()
        gjelder_til = serializers.DateField()
        variant = serializers.BooleanField()
        permitted_actions = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        versions = list(selectors.versions_for_user(user=request.user).order_by("school__name", "-valid_from")[:500])
        actions = permitted_actions_many(user=request.user, targets=versions)
        out = [
            {
                "id": v.pk,
                "navn": v.name,
                "skole": v.school_id,
                "status": v.status,
                "gjelder_fra": v.valid_from,
                "gjelder_til": v.valid_to,
                "variant": v.is_variant,
                "permitted_actions": actions.get(v.pk, []),
            }
            for v in versions
        ]
        return Response(self.OutputSerializer(out, many=True).data)


class TimetableLessonListApi(APIView):
    """A version's lessons, optionally for one class (``klasse``), teacher (``laerer``) or room (``rom``)."""

    required_actions = ("timetable.version.read",)

    class OutputSerializer(serializers.Serializer):
        versjon = serializers.IntegerField()
        permitted_actions = serializers.ListField(child=serializers.CharField())
        timer = _LessonOutput(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, version_id: int) -> Response:
        version = access_object(
            user=request.user, queryset=TimetableVersion.objects.all(), id=version_id, action="timetable.version.read"
        )
        params = {
            name: int(request.query_params[key])
            for key, name in (("klasse", "class_id"), ("laerer", "teacher_id"), ("rom", "room_id"))
            if request.query_params.get(key, "").isdecimal()
        }
        lessons = selectors.version_lessons(version=version, **params)
        audit_read(event="timetable.api.lessons", person_ids=selectors.teacher_person_ids(lessons=lessons))
        out = {
            "versjon": version.pk,
            "permitted_actions": permitted_actions(user=request.user, target=version),
            "timer": _lessons_out(version, lessons),
        }
        return Response(self.OutputSerializer(out).data)


class TimetableMineApi(APIView):
    """The teacher's own lessons in the published timetables that apply today."""

    required_actions = ("timetable.own.read",)

    class OutputSerializer(serializers.Serializer):
        versjon = serializers.IntegerField()
        permitted_actions = serializers.ListField(child=serializers.CharField())
        timer = _LessonOutput(many=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        employee = selectors.teacher_for_user(user=request.user)
        out = []
        if employee is not None:
            for version in selectors.published_versions_for_teacher(teacher_id=employee.pk, day=clock.today()):
                lessons = selectors.version_lessons(version=version, teacher_id=employee.pk)
                out.append(
                    {
                        "versjon": version.pk,
                        "permitted_actions": permitted_actions(user=request.user, target=version),
                        "timer": _lessons_out(version, lessons),
                    }
                )
        return Response(self.OutputSerializer(out, many=True).data)


class TimetableChildApi(APIView):
    """A child's week in the published timetable, for a guardian with the right to know where the child is."""

    required_actions = ("timetable.child.read",)

    class OutputSerializer(serializers.Serializer):
        barn = serializers.IntegerField()
        versjon = serializers.IntegerField(allow_null=True)
        permitted_actions = serializers.ListField(child=serializers.CharField())
        timer = _LessonOutput(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, child_id: int) -> Response:
        child = access_object(
            user=request.user,
            queryset=access_queryset(user=request.user, action="timetable.child.read", queryset=Person.objects.all()),
            id=child_id,
            action="timetable.child.read",
            audit_event="timetable.api.child",
        )
        if not may_learn_whereabouts(user=request.user, child=child):
            raise AccessNotFound("Ikke funnet.")
        found = selectors.child_week(child_id=child.pk, day=clock.today())
        version, lessons = found if found else (None, [])
        out = {
            "barn": child.pk,
            "versjon": version.pk if version else None,
            "permitted_actions": permitted_actions(user=request.user, target=child),
            "timer": _lessons_out(version, lessons) if version else [],
        }
        return Response(self.OutputSerializer(out).data)
