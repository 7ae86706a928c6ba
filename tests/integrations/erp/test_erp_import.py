"""ERP master data import: CSV and JSON, upserts, ended employments, atomic rejection with line and field."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from integrations.erp.services import erp_import_content, erp_import_directory
from integrations.models import ErpImportRun, ErpImportStatus
from oas import clock
from oas.access.models import RoleAssignment
from oas.people.models import Employee, Employment, Person
from tests.factories import (
    EmployeeFactory,
    EmploymentFactory,
    kindergarten,
    school,
    sector_office,
    synthetic_national_id,
)

pytestmark = pytest.mark.django_db

HEADER = "ansattnummer;fodselsnummer;fornavn;etternavn;epost;mobil;entra_oid;feide_id;arbeidsforhold_id;enhetskode;stillingskode;stillingstittel;stillingsprosent;fra;til"
TODAY = dt.date(2026, 11, 19)


@pytest.fixture
def units():
    office = sector_office(code="OPPVEKST")
    return {
        "office": office,
        "bhg": kindergarten(parent=office, code="BHG-KJELLER"),
        "skole": school(parent=office, code="SK-LEIRA"),
    }


@pytest.fixture
def fnr():
    return [synthetic_national_id(dt.date(1980 + i, 3, 1 + i)) for i in range(3)]


def _csv(*rows: str) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode()


def _import(content: bytes, name: str = "ansatte.csv"):
    with clock.freeze(TODAY):
        return erp_import_content(name=name, content=content, source="test")


def test_csv_creates_persons_employees_and_employments_and_roles_follow(units, fnr):
    from oas.access.services import role_mapping_seed

    role_mapping_seed()
    result = _import(
        _csv(
            f"1001;{fnr[0]};Kari;Nordmann;kari@kommune.no;40000000;oid-1;feide:kari@kommune.no;AF-1;BHG-KJELLER;STYRER;Styrer;100;2020-08-01;",
            f"1002;{fnr[1]};Per;Hansen;per@kommune.no;;;;AF-2;SK-LEIRA;LAERER;Lærer;80,5;2021-08-01;",
            f"1002;{fnr[1]};Per;Hansen;per@kommune.no;;;;AF-3;BHG-KJELLER;PED_LEDER;;19,5;2021-08-01;2027-07-31",
        )
    )
    assert result.status == ErpImportStatus.IMPORTED, result.errors
    assert result.counts["persons_created"] == 2
    assert result.counts["employments_created"] == 3
    kari = Employee.objects.get(employee_number="1001")
    assert (kari.person.national_id, kari.email, kari.entra_object_id, kari.feide_id) == (
        fnr[0],
        "kari@kommune.no",
        "oid-1",
        "feide:kari@kommune.no",
    )
    assert Employment.objects.get(external_id="AF-2").percentage == Decimal("80.50")
    assert Employment.objects.get(external_id="AF-3").valid_to == dt.date(2027, 7, 31)
    assert RoleAssignment.objects.filter(employee=kari, unit=units["bhg"]).exists()


def test_json_export_is_imported_the_same_way(units, fnr):
    document = {
        "versjon": 1,
        "ansatte": [
            {
                "ansattnummer": "2001",
                "fodselsnummer": fnr[0],
                "fornavn": "Ola",
                "etternavn": "Dunk",
                "arbeidsforhold": [
                    {
                        "arbeidsforhold_id": "J-1",
                        "enhetskode": "SK-LEIRA",
                        "stillingskode": "LAERER",
                        "stillingsprosent": 100,
                        "fra": "2022-01-01",
                        "til": None,
                    }
                ],
            }
        ],
    }
    result = _import(json.dumps(document).encode(), name="ansatte.json")
    assert result.status == ErpImportStatus.IMPORTED, result.errors
    assert Employment.objects.get(external_id="J-1").unit == units["skole"]


def test_second_import_updates_and_ends_employments_that_disappeared(units, fnr):
    _import(
        _csv(
            f"1001;{fnr[0]};Kari;Nordmann;kari@kommune.no;;;;AF-1;BHG-KJELLER;STYRER;;100;2020-08-01;",
            f"1001;{fnr[0]};Kari;Nordmann;kari@kommune.no;;;;AF-9;SK-LEIRA;LAERER;;20;2027-01-01;",
            f"1003;{fnr[2]};Lise;Berg;;;;;AF-5;SK-LEIRA;LAERER;;100;2019-08-01;",
        )
    )
    result = _import(_csv(f"1001;{fnr[0]};Kari;Nordmann;kari.n@kommune.no;;;;AF-1;BHG-KJELLER;STYRER;;60;2020-08-01;"))
    assert result.status == ErpImportStatus.IMPORTED, result.errors
    assert result.counts == {
        **result.counts,
        "employees_updated": 1,
        "employments_updated": 1,
        "employments_ended": 1,
        "employments_removed": 1,
        "employees_deactivated": 1,
    }
    assert Employment.objects.get(external_id="AF-1").percentage == Decimal("60.00")
    assert Employment.objects.get(external_id="AF-5").valid_to == TODAY - dt.timedelta(days=1)
    assert not Employment.objects.filter(external_id="AF-9").exists()  # had not started: removed
    assert not Employee.objects.get(employee_number="1003").active
    assert Employee.objects.get(employee_number="1001").email == "kari.n@kommune.no"


def test_one_bad_row_rejects_the_whole_file_and_reports_line_and_field(units, fnr):
    existing: Any = EmploymentFactory(
        employee=EmployeeFactory(employee_number="9999"), unit=units["bhg"], external_id="OLD-1"
    )
    result = _import(
        _csv(
            f"1001;{fnr[0]};Kari;Nordmann;;;;;AF-1;BHG-KJELLER;STYRER;;100;2020-08-01;",
            "1002;12345678901;Per;Hansen;ikke-epost;;;;AF-2;FINNES-IKKE;LAERER;;120;2021-13-01;",
        )
    )
    assert result.status == ErpImportStatus.REJECTED
    problems = {(e.line, e.field) for e in result.errors}
    assert {(3, "fodselsnummer"), (3, "epost"), (3, "stillingsprosent"), (3, "fra")} <= problems
    assert not Person.objects.filter(national_id=fnr[0]).exists()
    existing.refresh_from_db()
    assert existing.valid_to is None  # nothing ended either
    run = ErpImportRun.objects.get(id=result.run_id)
    assert run.status == ErpImportStatus.REJECTED
    assert any(e["line"] == 3 and e["field"] == "stillingsprosent" for e in run.errors)


def test_unknown_unit_code_found_only_against_the_database_also_rejects_everything(units, fnr):
    result = _import(
        _csv(
            f"1001;{fnr[0]};Kari;Nordmann;;;;;AF-1;BHG-KJELLER;STYRER;;100;2020-08-01;",
            f"1002;{fnr[1]};Per;Hansen;;;;;AF-2;FINNES-IKKE;LAERER;;100;2021-08-01;",
        )
    )
    assert result.status == ErpImportStatus.REJECTED
    assert [(e.line, e.field) for e in result.errors] == [(3, "enhetskode")]
    assert not Employee.objects.exists()


def test_json_missing_required_field_is_reported_by_path(units, fnr):
    document = {"versjon": 1, "ansatte": [{"ansattnummer": "1", "fodselsnummer": fnr[0], "fornavn": "A"}]}
    result = _import(json.dumps(document).encode(), name="x.json")
    assert result.status == ErpImportStatus.REJECTED
    assert [(e.location, e.field) for e in result.errors] == [("ansatte[0]", "etternavn")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.json", b"{not json", "Ugyldig JSON"),
        ("x.csv", b"a;b\n1;2\n", "overskriftsraden"),
        ("x.csv", (HEADER + "\n").encode(), "ingen ansatte"),
        ("x.xlsx", b"PK", "Ukjent filtype"),
    ],
)
def test_malformed_files_are_rejected_with_a_clear_message(units, name, content, message):
    result = _import(content, name=name)
    assert result.status == ErpImportStatus.REJECTED
    assert message in result.errors[0].message


def test_same_national_id_under_two_employee_numbers_is_refused(units, fnr):
    result = _import(
        _csv(
            f"1001;{fnr[0]};Kari;Nordmann;;;;;;;;;;;",
            f"1002;{fnr[0]};Kari;Nordmann;;;;;;;;;;;",
        )
    )
    assert [(e.line, e.field) for e in result.errors] == [(3, "fodselsnummer")]


def test_directory_import_takes_new_files_once(units, fnr, tmp_path, settings):
    settings.ERP_IMPORT_DIR = str(tmp_path)
    (tmp_path / "ansatte-1.csv").write_bytes(
        _csv(f"1001;{fnr[0]};Kari;Nordmann;;;;;AF-1;BHG-KJELLER;STYRER;;100;2020-08-01;")
    )
    (tmp_path / "notes.txt").write_text("ignored")
    with clock.freeze(TODAY):
        assert [r.status for r in erp_import_directory()] == [ErpImportStatus.IMPORTED]
        assert erp_import_directory() == []


def test_command_imports_a_file_and_fails_loudly_on_a_rejected_one(units, fnr, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(f"1001;{fnr[0]};Kari;Nordmann;;;;;AF-1;BHG-KJELLER;STYRER;;100;2020-08-01;"))
    call_command("erp_import", str(good))
    assert Employee.objects.filter(employee_number="1001").exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("1001;123;Kari;Nordmann;;;;;;;;;;;"))
    with pytest.raises(CommandError, match="avvist"):
        call_command("erp_import", str(bad))


def test_employment_moved_to_another_employee_is_updated_and_both_get_roles_recomputed(units, fnr):
    _import(
        _csv(
            f"1001;{fnr[0]};Kari;Nordmann;;;;;AF-1;BHG-KJELLER;STYRER;;100;2020-08-01;",
            f"1002;{fnr[1]};Per;Hansen;;;;;;;;;;;",
        )
    )
    result = _import(
        _csv(
            f"1001;{fnr[0]};Kari;Nordmann;;;;;;;;;;;",
            f"1002;{fnr[1]};Per;Hansen;;;;;AF-1;BHG-KJELLER;STYRER;;100;2020-08-01;",
        )
    )
    assert result.status == ErpImportStatus.IMPORTED, result.errors
    assert Employment.objects.get(external_id="AF-1").employee.employee_number == "1002"
    assert set(result.employee_ids) == set(Employee.objects.values_list("id", flat=True))


def test_existing_employee_listed_with_another_national_id_is_refused(units, fnr):
    _import(_csv(f"1001;{fnr[0]};Kari;Nordmann;;;;;;;;;;;"))
    result = _import(_csv(f"1001;{fnr[1]};Kari;Nordmann;;;;;;;;;;;"))
    assert result.status == ErpImportStatus.REJECTED
    assert [(e.line, e.field) for e in result.errors] == [(2, "fodselsnummer")]
    assert not Person.objects.filter(national_id=fnr[1]).exists()


@pytest.mark.parametrize("name", ["ansatte.csv", "ansatte.json"])
def test_documented_examples_import_the_same_employees(units, name):
    from pathlib import Path

    import integrations.erp

    path = Path(integrations.erp.__file__).with_name("examples") / name
    result = _import(path.read_bytes(), name=name)
    assert result.status == ErpImportStatus.IMPORTED, result.errors
    assert result.counts["employees_created"] == 2 and result.counts["employments_created"] == 3
    assert Employment.objects.get(external_id="AF-10002-1").percentage == Decimal("80.50")
