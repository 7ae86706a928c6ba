"""Compile .po catalogues to .mo with Babel (the fallback where GNU gettext is not installed)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def _catalogue_dirs() -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = [Path(p) for p in settings.LOCALE_PATHS]
    found.extend(base.glob("*/locale"))
    found.extend(c for c in base.glob("*/*/locale") if not {".venv", "var", "node_modules"} & set(c.parts))
    return sorted(set(found))


def compile_catalogues() -> list[Path]:
    """Write a .mo next to every .po under the project's locale directories; return the .mo paths."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written: list[Path] = []
    for directory in _catalogue_dirs():
        for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as handle:
                catalogue = read_po(handle)
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as handle:
                write_mo(handle, catalogue)
            written.append(mo_path)
    return written
