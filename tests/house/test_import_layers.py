"""The import-linter contracts (pyproject.toml) are layered and have no loopholes; the ports that let a lower
layer read from a higher one are wired.

``lint-imports`` itself runs in ``make test`` (``make imports``); this checks what the contracts say.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from attendance import occupancy
from invoicing import place_details
from oas.people.models import Service

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
CAPABILITIES = ["fees", "attendance", "invoicing"]
DOMAINS = ["kindergarten", "sfo", "school", "assessment", "messaging", "timetable", "substitutes", "admission"]
# admission is the workflow kindergarten and sfo share: with the domains (it notifies through messaging.public),
# never importing them, and not in the public.py-only independence contract (it is their shared library).
INDEPENDENT = [app for app in [*CAPABILITIES, *DOMAINS] if app != "admission"]


def _contract(kind: str, name: str = "") -> dict[str, object]:
    found = [c for c in CONTRACTS if c["type"] == kind and name in c["name"]]
    assert len(found) == 1, found
    return found[0]


def test_the_layers_are_kernel_integrations_capabilities_domains_with_devtools_on_top_and_no_exceptions():
    layers = _contract("layers")
    assert layers["layers"] == ["devtools", " : ".join(DOMAINS), " : ".join(CAPABILITIES), "integrations", "oas"]
    assert "ignore_imports" not in layers


def test_admission_never_imports_the_domains_that_plug_their_rules_into_it():
    contract = _contract("forbidden", "Admission")
    assert contract["source_modules"] == ["admission"]
    assert {"kindergarten", "sfo"} <= set(contract["forbidden_modules"])  # type: ignore[call-overload]


def test_outside_integrations_only_its_public_module_may_be_imported_without_exceptions():
    front_door = _contract("forbidden", "front door")
    assert "ignore_imports" not in front_door
    forbidden = set(front_door["forbidden_modules"])  # type: ignore[call-overload]
    internals = {
        f"integrations.{p.stem}"
        for p in (ROOT / "integrations").iterdir()
        if p.name not in {"__init__.py", "public.py", "README.md", "__pycache__"}
    }
    assert internals == forbidden
    assert set(front_door["source_modules"]) == {"oas", "devtools", *CAPABILITIES, *DOMAINS}  # type: ignore[call-overload]


def test_capabilities_and_domains_may_only_ignore_imports_of_public_modules():
    independence = _contract("independence")
    assert independence["ignore_imports"] == [f"** -> {app}.public" for app in INDEPENDENT]


def test_the_domains_register_what_the_capabilities_below_them_read():
    # Invoicing prices kindergarten and SFO places, attendance shows a kindergarten's occupancy: both through a
    # reader the domain app registers in AppConfig.ready (a capability may not import a domain app).
    assert set(place_details._readers) == {Service.KINDERGARTEN, Service.SFO}
    assert place_details._readers[Service.KINDERGARTEN].__module__ == "kindergarten.public"
    assert place_details._readers[Service.SFO].__module__ == "sfo.public"
    assert [reader.__module__ for reader in occupancy._reader] == ["kindergarten.public"]
