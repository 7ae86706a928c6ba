"""The persona matrix: for every role, what it may and may not do (rules OR'ed, deny by default).

Each row is (action, target, allowed). Targets: children kid_bhg (Demo barnehage, Blåbær), kid_school
(Demo skole 1A + SFO), kid_other (Annen barnehage), kid_protected (strengt fortrolig, Demo skole 1A);
units K1 (Demo barnehage), S1 (Demo skole); None for actions without an object.
"""

from __future__ import annotations

import pytest

from oas.access.evaluation import has_action

Y, N = True, False

ALL_STAFF_PAGES = [("workspace.view", None, Y), ("portal.view", None, N)]
GUARDIAN_PAGES = [("workspace.view", None, N), ("portal.view", None, Y), ("audit.search", None, N)]

MATRIX: dict[str, list[tuple[str, str | None, bool]]] = {
    "sysadmin": [
        ("person.confirm_lives_with", "kid_protected", Y),
        ("child.list_protected", "kid_protected", Y),
        *ALL_STAFF_PAGES,
        ("child.read", "kid_bhg", Y),
        ("child.read", "kid_other", Y),
        ("child.read_contacts", "kid_school", Y),
        ("child.read_special_needs", "kid_school", N),
        ("child.audit_innsyn", "kid_bhg", N),
        ("person.read_protected_address", "kid_protected", N),
        ("unit.read_snapshot", "K1", Y),
        ("unit.read_staff", "S1", Y),
        ("audit.search", None, Y),
        ("access.manage_grants", None, Y),
        ("reports.view", None, Y),
    ],
    "sector_admin": [
        ("person.confirm_lives_with", "kid_protected", Y),
        ("child.list_protected", "kid_protected", N),
        *ALL_STAFF_PAGES,
        ("child.read", "kid_bhg", Y),
        ("child.read", "kid_other", Y),
        ("child.read_contacts", "kid_bhg", Y),
        ("child.read_special_needs", "kid_bhg", N),
        ("child.audit_innsyn", "kid_bhg", N),
        ("person.read_protected_address", "kid_protected", N),
        ("unit.read_snapshot", "K1", N),
        ("unit.read_staff", "K1", N),
        ("audit.search", None, N),
        ("access.manage_grants", None, N),
        ("reports.view", None, N),
    ],
    "finance": [
        ("child.list_protected", "kid_protected", N),
        *ALL_STAFF_PAGES,
        ("child.read", "kid_school", Y),
        ("child.read_contacts", "kid_school", Y),
        ("child.read_special_needs", "kid_school", N),
        ("unit.read_snapshot", "S1", N),
        ("audit.search", None, N),
        ("reports.view", None, N),
    ],
    "advisor": [
        ("child.list_protected", "kid_protected", N),
        *ALL_STAFF_PAGES,
        ("child.read", "kid_other", Y),
        ("child.read_contacts", "kid_other", N),
        ("child.read_special_needs", "kid_school", Y),
        ("unit.read_snapshot", "S1", Y),
        ("person.read_protected_address", "kid_protected", N),
        ("audit.search", None, N),
        ("reports.view", None, Y),
    ],
    "report_viewer": [
        *ALL_STAFF_PAGES,
        ("child.read", "kid_bhg", N),
        ("child.read_contacts", "kid_bhg", N),
        ("unit.read_snapshot", "K1", Y),
        ("unit.read_staff", "K1", N),
        ("reports.view", None, Y),
        ("audit.search", None, N),
    ],
    "kindergarten_leader": [
        ("person.confirm_lives_with", "kid_bhg", N),
        ("child.list_protected", "kid_protected", N),
        *ALL_STAFF_PAGES,
        ("child.read", "kid_bhg", Y),
        ("child.read_contacts", "kid_bhg", Y),
        ("child.read_special_needs", "kid_bhg", Y),
        ("unit.read_snapshot", "K1", Y),
        ("unit.read_staff", "K1", Y),
        ("child.read", "kid_other", N),
        ("child.read", "kid_school", N),
        ("child.read_contacts", "kid_other", N),
        ("unit.read_snapshot", "K2", N),
        ("unit.read_snapshot", "S1", N),
        ("person.read_protected_address", "kid_bhg", N),
        ("audit.search", None, N),
        ("reports.view", None, N),
    ],
    "kindergarten_staff": [
        *ALL_STAFF_PAGES,
        ("child.read", "kid_bhg", Y),
        ("child.read_contacts", "kid_bhg", Y),
        ("child.read_special_needs", "kid_bhg", N),
        ("child.read", "kid_other", N),
        ("child.read", "kid_school", N),
        ("unit.read_snapshot", "K1", N),
        ("unit.read_staff", "K1", N),
        ("audit.search", None, N),
    ],
    "other_unit_staff": [
        *ALL_STAFF_PAGES,
        ("child.read", "kid_other", Y),
        ("child.read", "kid_bhg", N),
        ("child.read_contacts", "kid_bhg", N),
        ("child.read_contacts", "kid_other", N),
        ("unit.read_snapshot", "K1", N),
    ],
    "principal": [
        ("child.list_protected", "kid_protected", Y),
        *ALL_STAFF_PAGES,
        ("child.read", "kid_school", Y),
        ("child.read", "kid_protected", Y),
        ("child.read_contacts", "kid_school", Y),
        ("unit.read_snapshot", "S1", Y),
        ("child.read", "kid_bhg", N),
        ("unit.read_snapshot", "K1", N),
        ("person.read_protected_address", "kid_protected", N),
    ],
    "teacher": [
        ("child.list_protected", "kid_protected", N),
        *ALL_STAFF_PAGES,
        ("child.read", "kid_school", Y),
        ("child.read_contacts", "kid_school", N),
        ("child.read_special_needs", "kid_school", N),
        ("child.read", "kid_bhg", N),
        ("unit.read_snapshot", "S1", N),
        ("unit.read_staff", "S1", N),
    ],
    "contact_teacher": [
        *ALL_STAFF_PAGES,
        ("child.read", "kid_school", Y),
        ("child.read_contacts", "kid_school", Y),
        ("child.read_contacts", "kid_protected", Y),
        ("child.read_special_needs", "kid_school", N),
        ("child.read", "kid_bhg", N),
        ("child.read_contacts", "kid_other", N),
        ("person.read_protected_address", "kid_protected", N),
        ("unit.read_snapshot", "S1", N),
    ],
    "special_ed": [
        *ALL_STAFF_PAGES,
        ("child.read_special_needs", "kid_school", Y),
        ("child.read_special_needs", "kid_bhg", N),
        ("child.read_contacts", "kid_school", N),
    ],
    "other_teacher": [
        *ALL_STAFF_PAGES,
        ("child.read", "kid_fortrolig", Y),
        ("child.read", "kid_school", N),
        ("child.read", "kid_protected", N),
        ("child.read_contacts", "kid_school", N),
    ],
    "guardian": [
        ("person.confirm_lives_with", "kid_bhg", N),
        *GUARDIAN_PAGES,
        ("child.read", "kid_bhg", Y),
        ("child.read", "kid_school", Y),
        ("child.read_contacts", "kid_bhg", Y),
        ("child.audit_innsyn", "kid_school", Y),
        ("child.read", "kid_other", N),
        ("child.read", "kid_protected", N),
        ("child.audit_innsyn", "kid_other", N),
        ("unit.read_snapshot", "K1", N),
        ("person.read_protected_address", "kid_bhg", N),
    ],
    "parent_without_responsibility": [
        *GUARDIAN_PAGES,
        ("child.read", "kid_bhg", N),
        ("child.read_contacts", "kid_bhg", N),
        ("child.audit_innsyn", "kid_bhg", N),
    ],
    "foster_parent": [
        *GUARDIAN_PAGES,
        ("child.read", "kid_other", Y),
        ("child.read_contacts", "kid_other", Y),
        # The kernel relation policy: a foster parent has the information right (innsyn included, issue 13).
        ("child.audit_innsyn", "kid_other", Y),
        ("child.read_special_needs", "kid_other", Y),
        ("child.read", "kid_bhg", N),
    ],
    "pickup_person": [
        *GUARDIAN_PAGES,
        ("child.read", "kid_bhg", Y),
        ("child.read_contacts", "kid_bhg", N),
        ("child.audit_innsyn", "kid_bhg", N),
        ("child.read", "kid_school", N),
    ],
    "outsider": [
        *GUARDIAN_PAGES,
        ("child.read", "kid_bhg", N),
        ("child.read", "kid_protected", N),
        ("child.read_contacts", "kid_school", N),
    ],
    "substitute_valid_grant": [
        *ALL_STAFF_PAGES,
        ("child.read", "kid_school", Y),
        ("child.read", "kid_protected", Y),
        ("child.read_contacts", "kid_school", N),
        ("child.read", "kid_bhg", N),
    ],
    "substitute_expired_grant": [
        *ALL_STAFF_PAGES,
        ("child.read", "kid_school", N),
        ("child.read", "kid_protected", N),
        ("child.read", "kid_other", Y),
    ],
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_persona_may_do_exactly_what_the_matrix_says(world, persona):
    user = world.user(persona)
    wrong = [
        (action, target, expected)
        for action, target, expected in MATRIX[persona]
        if has_action(user=user, action=action, target=world.target(target)) != expected
    ]
    assert wrong == []


def test_matrix_has_at_least_as_many_denied_cases_as_allowed_ones():
    rows = [row for rows in MATRIX.values() for row in rows]
    assert sum(1 for r in rows if not r[2]) >= sum(1 for r in rows if r[2])


def test_matrix_covers_every_kernel_action():
    from oas.access import permissions
    from oas.access.actions import Action

    covered = {action for rows in MATRIX.values() for action, _, _ in rows}
    kernel = {a.code for a in vars(permissions).values() if isinstance(a, Action)}
    assert kernel
    assert kernel <= covered
