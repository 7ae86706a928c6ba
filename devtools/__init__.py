"""Development tools, installed by ``devtools.settings.development`` and ``.test``, never by production.

Layers (pyproject.toml, import-linter): devtools sits on top; no production module imports it.
"""
