"""Forms for the data of a timetable version: lesson requirements, teachers' frames and unavailable times, the
school day's periods and the school's rooms. Choices are limited to the version's school (its classes and
groups, its staff); the service saves what the form cleaned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oas import clock
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employee, Employment
from oas.periods import active_on
from timetable.models import (
    DAY_NAMES,
    ParallelBlock,
    Period,
    Requirement,
    Room,
    TeacherFrame,
    TimetableVersion,
    Unavailability,
)
from timetable.selectors import parallel_block_problems

INPUT = {"class": "ds-input"}


def school_groups(*, school: OrgUnit, day: dt.date) -> QuerySet[OrgUnit]:
    """The school's classes and groups in force on ``day`` (what a requirement may be for)."""
    return (
        OrgUnit.objects.filter(
            path__startswith=school.path, kind__in=[OrgUnitKind.CLASS, OrgUnitKind.GROUP], valid_from__lte=day
        )
        .exclude(valid_to__lt=day)
        .order_by("grade", "name")
    )


def school_staff(*, school: OrgUnit, day: dt.date) -> QuerySet[Employee]:
    """The school's employees on ``day`` (who may teach or have a frame)."""
    ids = Employment.objects.filter(active_on(day), unit__path__startswith=school.path).values("employee_id")
    return (
        Employee.objects.filter(pk__in=ids).select_related("person").order_by("person__last_name", "person__first_name")
    )


class _EmployeeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.first_name} {obj.person.last_name}"


class _EmployeesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.first_name} {obj.person.last_name}"


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "ds-checkbox")
        else:
            field.widget.attrs.setdefault("class", "ds-input")


def _days(version: TimetableVersion) -> list[tuple[int, str]]:
    return [(i, str(DAY_NAMES[i]).capitalize()) for i in range(version.days_per_week)]


class RequirementForm(forms.ModelForm):
    teachers = _EmployeesChoice(queryset=Employee.objects.none(), label=_("Lærere"), required=False)

    class Meta:
        model = Requirement
        fields = [
            "subject_code",
            "subject_name",
            "group",
            "teachers",
            "hours_per_week",
            "double_lessons",
            "max_per_day",
            "room_kind",
        ]
        help_texts = {
            "double_lessons": _("Hvor mange av timene som er dobbelttimer (to timer etter hverandre)."),
            "teachers": _("Hold Ctrl (Cmd på Mac) nede for å velge flere."),
        }

    def __init__(self, *args: Any, version: TimetableVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day = max(version.valid_from, min(clock.today(), version.valid_to))
        group = self.fields["group"]
        assert isinstance(group, forms.ModelChoiceField)
        group.queryset = school_groups(school=version.school, day=day)
        group.label = _("Klasse eller gruppe")
        teachers = self.fields["teachers"]
        assert isinstance(teachers, forms.ModelMultipleChoiceField)
        teachers.queryset = school_staff(school=version.school, day=day)
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours, doubles = data.get("hours_per_week"), data.get("double_lessons")
        if hours is not None and doubles is not None and doubles * 2 > hours:
            self.add_error("double_lessons", _("To timer per dobbelttime: for mange dobbelttimer for timene per uke."))
        return data


class FrameForm(forms.ModelForm):
    teacher = _EmployeeChoice(queryset=Employee.objects.none(), label=_("Lærer"))
    preferred_free_day = forms.TypedChoiceField(
        label=_("Ønsket fridag"), coerce=int, required=False, empty_value=None, choices=[]
    )

    class Meta:
        model = TeacherFrame
        fields = ["teacher", "position_percent", "frame_hours", "preferred_free_day", "subject_codes"]

    def __init__(self, *args: Any, version: TimetableVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        day = max(version.valid_from, min(clock.today(), version.valid_to))
        teacher = self.fields["teacher"]
        assert isinstance(teacher, forms.ModelChoiceField)
        teacher.queryset = school_staff(school=version.school, day=day)
        free = self.fields["preferred_free_day"]
        assert isinstance(free, forms.TypedChoiceField)
        free.choices = [("", _("Ingen")), *_days(version)]
        _style(self)

    def clean_teacher(self) -> Employee:
        teacher: Employee = self.cleaned_data["teacher"]
        others = TeacherFrame.objects.filter(version=self.version, teacher=teacher).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Læreren har allerede en ramme i denne versjonen."))
        return teacher


class UnavailabilityForm(forms.ModelForm):
    teacher = _EmployeeChoice(queryset=Employee.objects.none(), label=_("Lærer"))
    day = forms.TypedChoiceField(label=_("Dag"), coerce=int, choices=[])
    position = forms.TypedChoiceField(label=_("Time"), coerce=int, required=False, empty_value=None, choices=[])

    class Meta:
        model = Unavailability
        fields = ["teacher", "day", "position"]

    def __init__(self, *args: Any, version: TimetableVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day = max(version.valid_from, min(clock.today(), version.valid_to))
        teacher = self.fields["teacher"]
        assert isinstance(teacher, forms.ModelChoiceField)
        teacher.queryset = school_staff(school=version.school, day=day)
        day_field = self.fields["day"]
        assert isinstance(day_field, forms.TypedChoiceField)
        day_field.choices = _days(version)
        position = self.fields["position"]
        assert isinstance(position, forms.TypedChoiceField)
        position.choices = [("", _("Hele dagen"))] + [
            (p.position, f"{p.label or p.position} ({p.start_time:%H:%M}–{p.end_time:%H:%M})")
            for p in version.periods.filter(kind="lesson").order_by("position")
        ]
        _style(self)


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["position", "kind", "label", "start_time", "end_time", "late"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, version: TimetableVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, position = data.get("start_time"), data.get("end_time"), data.get("position")
        if start and end and end <= start:
            self.add_error("end_time", _("Slutten må være etter starten."))
        if position is not None:
            taken = Period.objects.filter(version=self.version, position=position).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("position", _("Det finnes allerede en time med dette nummeret."))
        if start and end:
            others = Period.objects.filter(version=self.version, start_time__lt=end, end_time__gt=start).exclude(
                pk=self.instance.pk
            )
            if others.exists():
                self.add_error("start_time", _("Tiden overlapper en annen time eller pause."))
        return data


class WeekForm(forms.ModelForm):
    class Meta:
        model = TimetableVersion
        fields = ["days_per_week", "period_minutes", "weeks_per_year"]

    def __init__(self, *args: Any, version: TimetableVersion, **kwargs: Any) -> None:
        kwargs["instance"] = version
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_days_per_week(self) -> int:
        days: int = self.cleaned_data["days_per_week"]
        if not 1 <= days <= len(DAY_NAMES):
            raise forms.ValidationError(_("En uke har fra 1 til 7 skoledager."))
        if self.instance.lessons.filter(day__gte=days).exists():
            raise forms.ValidationError(_("Det ligger timer på dagene som ville falle bort. Flytt dem først."))
        return days


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["code", "name", "kind", "capacity", "shared"]

    def __init__(self, *args: Any, version: TimetableVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = version.school
        _style(self)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if Room.objects.filter(school=self.school, code__iexact=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Skolen har allerede et rom med denne koden."))
        return code


class _RequirementsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        teachers = ", ".join(f"{t.person.first_name} {t.person.last_name}" for t in obj.teachers.all())
        lengths = _("%(hours)s t/uke, %(doubles)s dobbelttimer") % {
            "hours": obj.hours_per_week,
            "doubles": obj.double_lessons,
        }
        return f"{obj.subject_name} – {obj.group.name} ({lengths}; {teachers or '–'})"


class ParallelBlockForm(forms.ModelForm):
    """A parallel block: a name and the requirements (valgfag, språkfag) whose lessons must be at the same time."""

    requirements = _RequirementsChoice(
        queryset=Requirement.objects.none(),
        label=_("Timer som skal gå samtidig"),
        help_text=_("Hold Ctrl (Cmd på Mac) nede for å velge flere. Timene må være like lange og ha ulike lærere."),
    )

    class Meta:
        model = ParallelBlock
        fields = ["name"]

    def __init__(self, *args: Any, version: TimetableVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        requirements = self.fields["requirements"]
        assert isinstance(requirements, forms.ModelMultipleChoiceField)
        requirements.queryset = (
            Requirement.objects.filter(version=version)
            .select_related("group", "block")
            .prefetch_related("teachers__person")
            .order_by("group__grade", "group__name", "subject_code")
        )
        if self.instance.pk:
            requirements.initial = list(self.instance.requirements.values_list("pk", flat=True))
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = list(data.get("requirements") or [])
        if chosen or "requirements" not in self.errors:
            for problem in parallel_block_problems(requirements=chosen, block_id=self.instance.pk):
                self.add_error("requirements", problem)
        return data


# Each takes the version as ``version=`` (typed loosely: ModelForm's stubs know no such argument).
FORMS: dict[str, Any] = {
    "timekrav": RequirementForm,
    "rammer": FrameForm,
    "utilgjengelig": UnavailabilityForm,
    "skoledagen": PeriodForm,
    "rom": RoomForm,
    "blokker": ParallelBlockForm,
}
