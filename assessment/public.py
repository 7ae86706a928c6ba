"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.models import FinalGrade, HalfYearAssessment
from assessment.selectors import period_label

__all__ = ["PublishedAssessment", "pupil_assessments_published"]


@dataclass(frozen=True)
class PublishedAssessment:
    """One published assessment of a pupil: a half-year assessment (§ 9-13) or a final grade (§ 9-16)."""

    period: str  # "2026H"; "" for a final grade
    period_label: str
    subject_code: str
    subject_name: str
    grade: int | None
    comment: str
    written: str
    final: bool


def pupil_assessments_published(*, pupil_id: int) -> list[PublishedAssessment]:
    """Return the pupil's published final grades and half-year assessments (newest period first); no drafts."""
    finals = [
        PublishedAssessment("", "", g.subject_code, g.subject_name, g.grade, "", "", final=True)
        for g in FinalGrade.objects.filter(pupil_id=pupil_id, published_at__isnull=False).order_by("subject_name")
    ]
    halfyear = [
        PublishedAssessment(
            a.period, str(period_label(a.period)), a.subject_code, a.subject_name, a.grade, a.comment, a.written, False
        )
        for a in HalfYearAssessment.objects.filter(pupil_id=pupil_id, published_at__isnull=False).order_by(
            "-period", "subject_name"
        )
    ]
    return finals + halfyear
