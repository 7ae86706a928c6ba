"""API ``/api/v1/school/…`` with FINT utdanning's names: elever, basisgrupper, undervisningsgrupper, medlemskap."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oas import clock
from oas.access.evaluation import access_queryset, permitted_actions, permitted_actions_many
from oas.access.getters import access_child
from oas.audit.services import audit_read
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on
from school import adapted_education, selectors, services
from school.models import AdaptedDecisionStatus, AdaptedOrganisation, GroupMembership

MAX_ROWS = 2000


class ElevListApi(APIView):
    """Elever: the pupils (current school placement) the user may read, with their basisgruppe."""

    required_actions = ("school.pupil.read",)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        fornavn = serializers.CharField()
        etternavn = serializers.CharField()
        skole = serializers.IntegerField()
        basisgruppe = serializers.IntegerField(allow_null=True)
        permitted_actions = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        today = clock.today()
        placements = Placement.objects.filter(active_on(today, fields=DATED), service=Service.SCHOOL)
        if request.query_params.get("basisgruppe", "").isdecimal():
            placements = placements.filter(group_id=int(request.query_params["basisgruppe"]))
        by_child = {p.child_id: p for p in placements.only("child_id", "unit_id", "group_id")}
        pupils = list(
            access_queryset(
                user=request.user,
                action="school.pupil.read",
                queryset=Person.objects.filter(pk__in=placements.values("child_id")).order_by(
                    "last_name", "first_name"
                ),
            )[:MAX_ROWS]
        )
        actions = permitted_actions_many(user=request.user, targets=pupils)
        out = [
            {
                "id": p.pk,
                "fornavn": p.first_name,
                "etternavn": p.last_name,
                "skole": by_child[p.pk].unit_id,
                "basisgruppe": by_child[p.pk].group_id,
                "permitted_actions": actions.get(p.pk, []),
            }
            for p in pupils
        ]
        audit_read(event="school.api.elever", person_ids=[p.pk for p in pupils])
        return Response(self.OutputSerializer(out, many=True).data)


class _GroupOutput(serializers.Serializer):
    id = serializers.IntegerField()
    navn = serializers.CharField()
    skole = serializers.IntegerField()
    trinn = serializers.IntegerField(allow_null=True)
    fag = serializers.CharField(allow_blank=True)
    undervisningsforhold = serializers.ListField(child=serializers.CharField())
    permitted_actions = serializers.ListField(child=serializers.CharField())


def _groups(request: Request, *, kind: str) -> list[dict[str, Any]]:
    today = clock.today()
    groups = [g for g in selectors.groups_for_user(user=request.user, action="school.group.read") if g.kind == kind]
    teachers = selectors.group_teachers(group_ids=[g.pk for g in groups], day=today)
    actions = permitted_actions_many(user=request.user, targets=groups)
    out = []
    for g in groups:
        tg = getattr(g, "teaching_group", None) if kind == "group" else None
        out.append(
            {
                "id": g.pk,
                "navn": g.name,
                "skole": tg.school_id if tg else g.parent_id,
                "trinn": g.grade,
                "fag": tg.subject.code if tg else "",
                "undervisningsforhold": [f"{t.first_name} {t.last_name}" for t in teachers.get(g.pk, [])],
                "permitted_actions": actions.get(g.pk, []),
            }
        )
    return out


class BasisgruppeListApi(APIView):
    """Basisgrupper: the classes the user may read, with their contact teachers."""

    required_actions = ("school.group.read",)

    @extend_schema(responses=_GroupOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(_GroupOutput(_groups(request, kind="class"), many=True).data)


class UndervisningsgruppeListApi(APIView):
    """Undervisningsgrupper: the teaching groups the user may read, with subject and teachers."""

    required_actions = ("school.group.read",)

    @extend_schema(responses=_GroupOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(_GroupOutput(_groups(request, kind="group"), many=True).data)


class MedlemskapListApi(APIView):
    """Medlemskap: pupils' memberships of teaching groups the user may read (``?gruppe=<id>``)."""

    required_actions = ("school.membership.read",)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        elev = serializers.IntegerField()
        gruppe = serializers.IntegerField()
        gyldig_fra = serializers.DateField()
        gyldig_til = serializers.DateField(allow_null=True)
        permitted_actions = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = GroupMembership.objects.order_by("group_id", "pupil_id")
        if request.query_params.get("gruppe", "").isdecimal():
            qs = qs.filter(group_id=int(request.query_params["gruppe"]))
        rows = list(access_queryset(user=request.user, action="school.membership.read", queryset=qs)[:MAX_ROWS])
        actions = permitted_actions_many(user=request.user, targets=rows)
        out = [
            {
                "id": m.pk,
                "elev": m.pupil_id,
                "gruppe": m.group_id,
                "gyldig_fra": m.valid_from,
                "gyldig_til": m.valid_to,
                "permitted_actions": actions.get(m.pk, []),
            }
            for m in rows
        ]
        audit_read(event="school.api.medlemskap", person_ids=[m.pupil_id for m in rows])
        return Response(self.OutputSerializer(out, many=True).data)


class FravaerRegisterApi(APIView):
    """Register a lesson's (time 1–12) or the day's (time 0) attendance: everyone present except ``fravaer``."""

    required_actions = ("school.group.register_attendance",)

    class InputSerializer(serializers.Serializer):
        gruppe = serializers.IntegerField(min_value=1)
        dato = serializers.DateField()
        time = serializers.IntegerField(min_value=0, max_value=12, default=0)
        fravaer = serializers.ListField(child=serializers.IntegerField(min_value=1), default=list)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        til_stede = serializers.IntegerField()
        borte = serializers.IntegerField()
        varslet = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = services.attendance_register(
            user=request.user, group_id=v["gruppe"], day=v["dato"], lesson=v["time"], absent_ids=v["fravaer"]
        )
        out = {
            "id": result.registration.pk,
            "til_stede": result.present,
            "borte": result.absent,
            "varslet": result.notified_pupils,
        }
        return Response(self.OutputSerializer(out).data, status=201)


# ---------------------------------------------------------------------------------------------------------------
# Individually adapted education (opplæringslova §§ 11-6 to 11-11): one pupil's decisions and IOPs. Confidential:
# the same rule as the pages (``school.iop.read``: the principal, the special educators, the pupil's contact
# teacher, the subject teachers the decision names). A pupil the user may not read is 404, like the pages; a user
# with the action nowhere is 403 at the door. Each read is audit-logged with the pupil.
# ---------------------------------------------------------------------------------------------------------------


def _iop_actions(request: Request, pupil: Person) -> list[str]:
    """The IOP actions the user has on the pupil (the decisions and plans are the pupil's: the rules are on them)."""
    return [a for a in permitted_actions(user=request.user, target=pupil) if a.startswith("school.iop.")]


class _IopVedtakFag(serializers.Serializer):
    fag = serializers.IntegerField()
    fagkode = serializers.CharField()
    fagnavn = serializers.CharField()
    faglaerer = serializers.IntegerField(allow_null=True)


class ElevIopVedtakListApi(APIView):
    """Vedtak om individuelt tilrettelagt opplæring (§ 11-7) for one pupil, newest first, with what the user may do."""

    required_actions = (adapted_education.READ,)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        elev = serializers.IntegerField()
        skole = serializers.IntegerField()
        fra = serializers.DateField()
        til = serializers.DateField()
        opprinnelig_til = serializers.DateField(allow_null=True)
        status = serializers.ChoiceField(choices=AdaptedDecisionStatus.choices)
        timer_per_aar = serializers.IntegerField()
        timer_per_uke = serializers.DecimalField(max_digits=4, decimal_places=1)
        organisering = serializers.ChoiceField(choices=AdaptedOrganisation.choices)
        vedtatt = serializers.DateTimeField()
        erstatter = serializers.IntegerField(allow_null=True)
        avslutningsgrunn = serializers.CharField(allow_blank=True)
        fag = _IopVedtakFag(many=True)
        permitted_actions = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request, pupil_id: int) -> Response:
        pupil = access_child(
            user=request.user, id=pupil_id, action=adapted_education.READ, audit_event="school.api.iop.vedtak"
        )
        views = adapted_education.adapted_case_for(user=request.user, pupil=pupil).decisions
        actions = _iop_actions(request, pupil)
        out = [
            {
                "id": d.pk,
                "elev": d.pupil_id,
                "skole": d.school_id,
                "fra": d.start_date,
                "til": d.end_date,
                "opprinnelig_til": d.decided_end_date,
                "status": d.status,
                "timer_per_aar": d.hours_per_year,
                "timer_per_uke": d.hours_per_week,
                "organisering": d.organisation,
                "vedtatt": d.decided_at,
                "erstatter": d.replaces_id,
                "avslutningsgrunn": d.end_reason,
                "fag": [
                    {
                        "fag": s.subject_id,
                        "fagkode": s.subject.code,
                        "fagnavn": s.subject.name,
                        "faglaerer": s.teacher_id,
                    }
                    for s in v.subjects
                ],
                # A replaced or ended decision is history: nobody changes or ends it any more.
                "permitted_actions": [
                    a for a in actions if d.status == AdaptedDecisionStatus.ACTIVE or a != adapted_education.MANAGE
                ],
            }
            for v in views
            for d in [v.decision]
        ]
        return Response(self.OutputSerializer(out, many=True).data)


class ElevIopPlanListApi(APIView):
    """Individuelle opplæringsplaner (§ 11-10) for one pupil: one per subject and decision, with the user's IOP
    actions on the pupil (who may revise the plan: ``school.iop.write``)."""

    required_actions = (adapted_education.READ,)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        vedtak = serializers.IntegerField()
        fag = serializers.IntegerField()
        fagkode = serializers.CharField()
        maal = serializers.CharField()
        innhold = serializers.CharField()
        organisering = serializers.CharField()
        versjon = serializers.IntegerField()
        skrevet_av = serializers.CharField(allow_blank=True)
        sist_endret = serializers.DateTimeField()
        permitted_actions = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request, pupil_id: int) -> Response:
        pupil = access_child(
            user=request.user, id=pupil_id, action=adapted_education.READ, audit_event="school.api.iop.planer"
        )
        views = adapted_education.adapted_case_for(user=request.user, pupil=pupil).decisions
        actions = _iop_actions(request, pupil)
        out = [
            {
                "id": plan.pk,
                "vedtak": v.decision.pk,
                "fag": plan.subject_id,
                "fagkode": plan.subject.code,
                "maal": plan.goals,
                "innhold": plan.content,
                "organisering": plan.organisation,
                "versjon": plan.version,
                "skrevet_av": plan.written_by_name,
                "sist_endret": plan.updated_at,
                "permitted_actions": actions,
            }
            for v in views
            for _row, plan in v.subject_rows
            if plan is not None
        ]
        return Response(self.OutputSerializer(out, many=True).data)
