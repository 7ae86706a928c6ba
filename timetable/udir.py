"""Udir's minimum hours per subject and stage (fag- og timefordeling for grunnskolen), as data.

Hours are 60-minute hours over the whole stage (LK20, the circular «Fag- og timefordeling og tilbudsstruktur»).
Where the circular gives one figure for 1.–7. trinn the stage is (1, 7). The municipality may move up to 10 % of a
subject's hours between stages by local regulation (``LOCAL_SHIFT``). The figures were typed in from the circular
and are marked for checking against the current version before they are relied on for a decision.

Checked 2026-12-07 against the project's reference material (``../shared/domain/``: house-style.md,
integrations-and-rules.md, peers.md): it holds no fag- og timefordeling figures (only GSI's årstimer per stage,
which are teachers' hours, not pupils' minimum hours per subject), so nothing there confirms or contradicts the
table and ``CONFIRMED`` stays ``False`` until someone checks it against the current circular on udir.no.
"""

from __future__ import annotations

from dataclasses import dataclass

CIRCULAR = "Udir, Fag- og timefordeling og tilbudsstruktur (LK20)"
CONFIRMED = False  # not in ../shared/domain/ (checked 2026-12-07): check against the current circular on udir.no
LOCAL_SHIFT = 0.10


@dataclass(frozen=True)
class Minimum:
    subject_code: str
    first_grade: int
    last_grade: int
    hours: int  # 60-minute hours over the whole stage

    @property
    def grades(self) -> int:
        return self.last_grade - self.first_grade + 1

    @property
    def stage_label(self) -> str:
        return f"{self.first_grade}.–{self.last_grade}. trinn"


MINIMUMS: tuple[Minimum, ...] = (
    Minimum("NOR", 1, 4, 931),
    Minimum("NOR", 5, 7, 441),
    Minimum("NOR", 8, 10, 398),
    Minimum("MAT", 1, 4, 560),
    Minimum("MAT", 5, 7, 328),
    Minimum("MAT", 8, 10, 313),
    Minimum("ENG", 1, 4, 138),
    Minimum("ENG", 5, 7, 228),
    Minimum("ENG", 8, 10, 222),
    Minimum("NAT", 1, 7, 366),
    Minimum("NAT", 8, 10, 249),
    Minimum("SAF", 1, 7, 385),
    Minimum("SAF", 8, 10, 249),
    Minimum("KRLE", 1, 7, 427),
    Minimum("KRLE", 8, 10, 153),
    Minimum("KHV", 1, 7, 477),
    Minimum("KHV", 8, 10, 146),
    Minimum("MUS", 1, 7, 285),
    Minimum("MUS", 8, 10, 85),
    Minimum("MHE", 1, 7, 114),
    Minimum("MHE", 8, 10, 83),
    Minimum("KRO", 1, 7, 478),
    Minimum("KRO", 8, 10, 223),
    Minimum("FSP", 8, 10, 222),
    Minimum("UTV", 8, 10, 110),
)


def minimum_for(*, subject_code: str, grade: int) -> Minimum | None:
    """Return the minimum that covers ``subject_code`` in ``grade``, if the table has one."""
    return next(
        (m for m in MINIMUMS if m.subject_code == subject_code and m.first_grade <= grade <= m.last_grade), None
    )
