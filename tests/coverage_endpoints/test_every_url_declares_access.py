"""Static guard: every URL pattern of the site is ``@public`` or declares the actions it needs.

The deny-by-default middleware refuses an undeclared view at request time (tests/access/test_deny_by_default.py);
this test fails already when such a view is wired into a urls module, before anyone opens it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from oas.access.drf import DeclaredActions
from oas.access.markers import declared_actions, is_public
from oas.access.middleware import THIRD_PARTY_PUBLIC


def _patterns(resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()) -> Iterator[Any]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespaces, pattern.callback


def _site_patterns(urlconf: str | None = None) -> list[tuple[str, Any]]:
    # The Django admin keeps its own checks (is_staff and model permissions), as in the middleware.
    patterns = _patterns(get_resolver(urlconf))
    return [(route, view) for route, namespaces, view in patterns if "admin" not in namespaces]


def _undeclared(urlconf: str | None = None) -> list[str]:
    return [
        f"/{route}"
        for route, view in _site_patterns(urlconf)
        if not (is_public(view) or view in THIRD_PARTY_PUBLIC or declared_actions(view))
    ]


def _swapped_permission_class(urlconf: str | None = None) -> list[str]:
    return [
        f"/{route}"
        for route, view in _site_patterns(urlconf)
        if getattr(view, "cls", None) is not None
        and not is_public(view)
        and not any(isinstance(p, type) and issubclass(p, DeclaredActions) for p in view.cls.permission_classes)
    ]


def test_the_site_has_url_patterns_to_check() -> None:
    assert len(_site_patterns()) > 50


def test_every_url_pattern_is_public_or_declares_an_action() -> None:
    assert _undeclared() == []


def test_every_api_view_keeps_the_permission_class_that_checks_the_actions() -> None:
    assert _swapped_permission_class() == []


def test_the_guard_finds_views_that_declare_nothing() -> None:
    undeclared = _undeclared("tests.access.undeclared_urls")
    assert {"/test/undeclared/", "/test/undeclared-class/", "/api/test/undeclared"} <= set(undeclared)
    assert "/test/declared/" not in undeclared
    assert "/api/test/allowany-declared" in _swapped_permission_class("tests.access.undeclared_urls")
