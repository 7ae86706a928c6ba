"""README's *Layout* section matches the tree: every top-level folder and every kernel package is described, and
every kernel entry it names exists (an entry left behind after a move fails here)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _layout() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Layout\n\n```\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def _names(line: str) -> list[str]:
    """The names a layout line describes: the part before the description (two or more spaces)."""
    head = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0] if not line.startswith("manage.py") else line
    return [name.rstrip("/") for name in head.split()]


# Not part of the source: the virtualenv, ./var (embedded services, uploads), caches and build output.
_NOT_SOURCE = {"var", "node_modules", "__pycache__", "build", "dist"}


def _dirs(folder: Path) -> set[str]:
    return {
        p.name
        for p in folder.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in _NOT_SOURCE and not p.name.endswith(".egg-info")
    }


def test_every_top_level_folder_is_in_the_layout():
    described = {name for line in _layout() if not line.startswith(" ") for name in _names(line)}
    assert _dirs(ROOT) - described == set()


def test_every_kernel_package_is_described_and_every_kernel_entry_exists():
    lines = _layout()
    start = next(i for i, line in enumerate(lines) if line.startswith("oas/"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    entries = {name for line in lines[start + 1 : end] for name in _names(line)}
    packages = {d for d in _dirs(ROOT / "oas") if (ROOT / "oas" / d / "__init__.py").exists()}
    assert packages - entries == set()
    assert {e for e in entries if not (ROOT / "oas" / e).exists()} == set()


def test_devtools_entries_exist():
    lines = _layout()
    start = next(i for i, line in enumerate(lines) if line.startswith("devtools/"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    entries = {name for line in lines[start + 1 : end] for name in _names(line)}
    assert {"settings", "embedded.py", "seed", "devidp", "stack.py"} <= entries
    assert {e for e in entries if not (ROOT / "devtools" / e).exists()} == set()
