"""Guard: the nynorsk and English catalogues are complete, well-formed and cover every msgid in the source.

Two checks:

* every committed entry in ``locale/{nn,en}/LC_MESSAGES/django.po`` (and ``djangojs.po`` where present) has a
  translation in every plural form, no ``fuzzy`` flag, and the same placeholders as its msgid;
* Django's ``makemessages`` run over a copy of the source (in a temporary directory, so the committed
  ``locale/`` is never written) finds no msgid that the committed catalogues lack.

To update the catalogues after adding UI text: ``make translations`` (runs ``makemessages`` for nb, nn and en),
translate the new entries in locale/nn and locale/en, then ``make messages``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
TRANSLATED = ("nn", "en")
# The same directories `make translations` leaves out.
IGNORED_DIRS = {".venv", "var", "node_modules", "locale", "__pycache__", ".git", ".ci"}
IGNORED_JS = ("static/vendor",)
EXTENSIONS = {"django": (".py", ".html", ".txt"), "djangojs": (".js",)}
UPDATE_HINT = (
    "Run `make translations` (or `.venv/bin/python manage.py makemessages -l nb -l nn -l en --ignore=.venv "
    "--ignore=var --ignore=node_modules --ignore=static --no-obsolete`; add `-d djangojs --ignore=static/vendor` "
    "for JavaScript), translate the new entries in locale/nn and locale/en, then `make messages`."
)

# %(name)s, %s, %d, %%, {name} – whatever Python's %-formatting or str.format would consume.
PLACEHOLDER = re.compile(r"%%|%(?:\([^)]+\))?[#0+-]?\d*(?:\.\d+)?[sdifrxX]|\{[A-Za-z_]\w*\}|\{\}")

Key = tuple[str | None, str]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _key(message: Message) -> Key:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return (message.context, str(msgid))


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _entries(path: Path) -> list[Message]:
    return [m for m in _read(path) if m.id]


def _committed(locale: str, domain: str) -> set[Key]:
    path = LOCALE / locale / "LC_MESSAGES" / f"{domain}.po"
    return {_key(m) for m in _entries(path)} if path.exists() else set()


def _listing(lines: list[str], limit: int = 60) -> str:
    shown = "\n".join(f"  {line}" for line in lines[:limit])
    return shown + (f"\n  … and {len(lines) - limit} more" if len(lines) > limit else "")


def _problems(path: Path) -> list[str]:
    problems: list[str] = []
    for message in _entries(path):
        ids = [str(i) for i in message.id] if isinstance(message.id, tuple | list) else [str(message.id)]
        raw = message.string
        strings = [str(s or "") for s in raw] if isinstance(raw, tuple | list) else [str(raw or "")]
        label = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {ids[0]!r}"
        if message.fuzzy:
            problems.append(f"{label} is marked fuzzy")
        if not strings or any(not s for s in strings):
            problems.append(f"{label} has an empty msgstr")
            continue
        allowed = {tuple(_placeholders(i)) for i in ids}
        problems.extend(
            f"{label}: placeholders {_placeholders(string)} differ from the msgid's"
            for string in strings
            if tuple(_placeholders(string)) not in allowed
        )
    return problems


@pytest.mark.parametrize("locale", TRANSLATED)
def test_committed_catalogue_is_complete_and_well_formed(locale: str) -> None:
    paths = sorted((LOCALE / locale / "LC_MESSAGES").glob("*.po"))
    assert any(p.name == "django.po" for p in paths), f"locale/{locale}/LC_MESSAGES/django.po is missing"
    problems = [problem for path in paths for problem in _problems(path)]
    assert not problems, f"{len(problems)} problems in the {locale} catalogue:\n{_listing(problems)}\n{UPDATE_HINT}"


def test_placeholder_check_catches_a_dropped_or_renamed_placeholder(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Barn %(n)d"\nmsgstr "Child"\n\n'
        'msgid "Hei {name}"\nmsgstr "Hello {navn}"\n\n'
        'msgid "Ferdig"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Ny"\nmsgstr "New"\n\n'
        'msgid "Sum %(total)s kr"\nmsgstr "Total NOK %(total)s"\n',
        encoding="utf-8",
    )
    problems = _problems(po)
    assert len(problems) == 4, problems
    assert not any("Sum" in p for p in problems)


def _copy_source(target: Path) -> None:
    """Copy the files makemessages reads (py/html/txt/js) so it can run outside the repository."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        skipped = set()
        for name in names:
            path = here / name
            if path.is_dir():
                if name in IGNORED_DIRS or name.startswith("."):
                    skipped.add(name)
            elif not name.endswith((".py", ".html", ".txt", ".js")):
                skipped.add(name)
        return skipped

    for child in ROOT.iterdir():
        if child.is_dir() and child.name not in IGNORED_DIRS and not child.name.startswith("."):
            shutil.copytree(child, target / child.name, ignore=ignore, symlinks=False)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, set[Key]]]:
    """Run makemessages (en) over a copy of the source; return the msgids per domain."""
    if not (shutil.which("xgettext") and shutil.which("msguniq") and shutil.which("msgmerge")):
        pytest.skip("GNU gettext (xgettext) is not installed; CI installs it")
    work = tmp_path_factory.mktemp("makemessages")
    source, output = work / "src", work / "locale"
    source.mkdir()
    output.mkdir()
    _copy_source(source)
    assert not (source / "locale").exists()  # otherwise makemessages would write there
    found: dict[str, set[Key]] = {}
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[str(output)]):
        # makemessages scans the working directory and writes to the first of LOCALE_PATHS (or a "locale"
        # directory next to the files); in the copy the only candidate is the temporary output directory.
        patch.chdir(source)
        for domain in EXTENSIONS:
            ignore = ["static"] if domain == "django" else list(IGNORED_JS)
            call_command(
                "makemessages", locale=["en"], domain=domain, ignore_patterns=ignore, no_obsolete=True, verbosity=0
            )
            po = output / "en" / "LC_MESSAGES" / f"{domain}.po"
            found[domain] = {_key(m) for m in _entries(po)} if po.exists() else set()
    assert found["django"], "makemessages found no msgids at all – the extraction itself is broken"
    yield found


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("domain", list(EXTENSIONS))
def test_catalogue_covers_every_msgid_in_the_source(extracted: dict[str, set[Key]], domain: str, locale: str) -> None:
    missing = sorted(extracted[domain] - _committed(locale, domain), key=lambda k: (k[0] or "", k[1]))
    listed = _listing([f"{msgid!r}" + (f" (context {ctx!r})" if ctx else "") for ctx, msgid in missing])
    assert not missing, (
        f"{len(missing)} msgids in the source are missing from locale/{locale}/LC_MESSAGES/{domain}.po:\n"
        f"{listed}\n{UPDATE_HINT}"
    )
