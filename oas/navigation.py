"""The app shell's navigation: one menu per audience, built from what the user may do.

Each app declares its menu entries in ``<app>/navigation.py`` with :func:`register_nav_item` (imported from
the app's ``AppConfig.ready()``). An entry names a URL; whether the user sees it is decided by the actions
that URL's view declares (``@requires``) — the same check the access middleware makes when the link is
followed — never by role names. So a menu entry can never lead to a 403, and a module appears in the menu
as soon as a role, grant or relation gives the user its action.

Entries may have children (a section such as "Opptak" with kindergarten and SFO admission): the menu links
to the only visible child directly, or to a section page listing the visible ones. Entries that need a unit
(``/barnehage/<unit_id>/belegg/``) link to a chooser listing the units where the user has the action, or
straight to the unit when there is only one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Exists, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import Promise

from oas.access.evaluation import access_queryset, has_action_anywhere
from oas.access.markers import declared_actions, is_public
from oas.access.principal import principal_for
from oas.organisation.models import OrgUnit

if TYPE_CHECKING:
    from oas.access.principal import Actor

STAFF = "staff"
GUARDIAN = "guardian"
PUBLIC = "public"
AUDIENCES = (STAFF, GUARDIAN, PUBLIC)

REQUEST_ATTR = "_oas_navigation"


@dataclass(frozen=True)
class NavItem:
    """One menu entry. ``url_name`` is reversed without arguments; ``unit_url_name`` takes ``unit_id``."""

    key: str
    label: str | Promise
    audience: str
    order: int = 100
    url_name: str = ""
    unit_url_name: str = ""
    # Unit entries: the kinds of unit to offer (OrgUnitKind values); empty offers every unit with the action.
    unit_kinds: tuple[str, ...] = ()
    parent: str = ""
    # Extra path prefixes that belong to this entry (for breadcrumbs), besides its own URL.
    prefixes: tuple[str, ...] = ()
    # Returns a number shown beside the label (unread messages); 0 shows nothing.
    badge: Callable[[Any], int] | None = None
    # A short explanation shown on section pages.
    description: str | Promise = ""
    icon: str = ""
    # For pages outside the declared-action mechanism (the Django admin): who sees the entry.
    check: Callable[[Any], bool] | None = None


_ITEMS: dict[str, NavItem] = {}


def register_nav_item(
    key: str,
    *,
    label: str | Promise,
    audience: str,
    order: int = 100,
    url_name: str = "",
    unit_url_name: str = "",
    unit_kinds: tuple[str, ...] = (),
    parent: str = "",
    prefixes: tuple[str, ...] = (),
    badge: Callable[[Any], int] | None = None,
    description: str | Promise = "",
    icon: str = "",
    check: Callable[[Any], bool] | None = None,
) -> NavItem:
    """Declare a menu entry; raise if the key is taken or the audience unknown."""
    if audience not in AUDIENCES:
        raise ValueError(f"{key}: unknown audience {audience!r}")
    item = NavItem(
        key=key,
        label=label,
        audience=audience,
        order=order,
        url_name=url_name,
        unit_url_name=unit_url_name,
        unit_kinds=unit_kinds,
        parent=parent,
        prefixes=prefixes,
        badge=badge,
        description=description,
        icon=icon,
        check=check,
    )
    if key in _ITEMS and _ITEMS[key] != item:
        raise ValueError(f"menu entry {key!r} is already declared differently")
    _ITEMS[key] = item
    return item


def nav_item(key: str) -> NavItem:
    """Return a declared entry (LookupError when unknown)."""
    try:
        return _ITEMS[key]
    except KeyError:
        raise LookupError(f"unknown menu entry {key!r}") from None


def _children(key: str) -> list[NavItem]:
    return sorted((i for i in _ITEMS.values() if i.parent == key), key=lambda i: (i.order, i.key))


def _view_actions(path: str) -> tuple[bool, tuple[str, ...]]:
    """(public, declared actions) of the view behind ``path``."""
    try:
        match = resolve(path)
    except Resolver404:
        return False, ()
    return is_public(match.func), declared_actions(match.func) or ()


def item_path(item: NavItem) -> str:
    """The URL the entry points at (the unit chooser for unit entries, the section page for sections)."""
    if item.unit_url_name:
        return reverse("nav-units", kwargs={"key": item.key})
    if item.url_name:
        return reverse(item.url_name)
    return reverse("nav-section", kwargs={"key": item.key})


def item_actions(item: NavItem) -> tuple[bool, tuple[str, ...]]:
    """(public, actions) the entry's target view declares."""
    if item.unit_url_name:
        return _view_actions(reverse(item.unit_url_name, kwargs={"unit_id": 0}))
    if item.url_name:
        return _view_actions(reverse(item.url_name))
    return False, ()


def item_units(*, user: Actor, item: NavItem) -> QuerySet[OrgUnit]:
    """The units a unit entry offers the user: where they have one of its view's actions, of its kinds."""
    _open, actions = item_actions(item)
    units = OrgUnit.objects.none()
    for code in actions:
        units = units | access_queryset(user=user, action=code, queryset=OrgUnit.objects.all())
    if item.unit_kinds:
        units = units.filter(kind__in=item.unit_kinds)
    return units.distinct().order_by("name")


def item_visible(*, user: Actor, item: NavItem) -> bool:
    """Return whether the user may use the entry: its view is public or one of its actions is held somewhere."""
    if item.check is not None:
        return bool(user.is_authenticated and item.check(user))
    if not item.url_name and not item.unit_url_name:
        return any(item_visible(user=user, item=child) for child in _children(item.key))
    open_to_all, actions = item_actions(item)
    if open_to_all:
        return True
    allowed = user.is_authenticated and any(has_action_anywhere(user=user, action=code) for code in actions)
    # A unit entry also needs a unit to offer (a school leader has occupancy rights, but no kindergarten).
    return bool(allowed) and (not item.unit_url_name or item.key in _items_with_units(user))


def _items_with_units(user: Actor) -> set[str]:
    """Keys of the unit entries that offer the user at least one unit: one query for all of them.

    It depends only on the principal (roles, grants) and the org units, which is exactly what the principal's
    reuse follows (the access epoch): the answer is kept with the principal.
    """
    principal = principal_for(user)
    known: set[str] | None = principal.__dict__.get("_oas_nav_units")
    if known is None:
        checks = {
            f"n{i}": Exists(item_units(user=user, item=item))
            for i, item in enumerate(i for i in _ITEMS.values() if i.unit_url_name)
        }
        keys = [i.key for i in _ITEMS.values() if i.unit_url_name]
        row = OrgUnit.objects.annotate(**checks).values(*checks).first() if checks else None
        known = {keys[int(alias[1:])] for alias, value in (row or {}).items() if value}
        principal.__dict__["_oas_nav_units"] = known
    return known


def audience_of(user: Actor) -> str:
    """The menu a user gets: staff (and break-glass), guardian, or the public one."""
    if not user.is_authenticated:
        return PUBLIC
    kind = principal_for(user).kind
    if kind == GUARDIAN:
        return GUARDIAN
    if kind in {"staff", "break_glass"}:
        return STAFF
    return PUBLIC


@dataclass
class MenuEntry:
    key: str
    label: str | Promise
    url: str
    badge: int = 0
    current: bool = False
    description: str | Promise = ""
    icon: str = ""
    children: list[MenuEntry] = field(default_factory=list)


@dataclass
class Navigation:
    audience: str
    home_url: str
    menu: list[MenuEntry]
    breadcrumbs: list[tuple[str | Promise, str]]
    badge_total: int = 0
    user_name: str = ""
    user_unit: str = ""


def visible_children(*, user: Actor, key: str) -> list[MenuEntry]:
    """The visible entries of a section, in menu order."""
    return [_entry(user=user, item=child) for child in _children(key) if item_visible(user=user, item=child)]


def _entry(*, user: Actor, item: NavItem) -> MenuEntry:
    children: list[MenuEntry] = []
    url = ""
    if not item.url_name and not item.unit_url_name:
        children = visible_children(user=user, key=item.key)
        # A section with one visible entry links straight to it.
        url = children[0].url if len(children) == 1 else item_path(item)
    else:
        try:
            url = item_path(item)
        except NoReverseMatch:  # pragma: no cover - a misdeclared entry is a programming error
            url = ""
    badge = _badge(user=user, item=item)
    badge += sum(c.badge for c in children)
    return MenuEntry(
        key=item.key,
        label=item.label,
        url=url,
        badge=badge,
        description=item.description,
        icon=item.icon,
        children=children,
    )


# Unread counts beside menu entries are kept this long in the cache (Redis): a page costs no query for them.
BADGE_SECONDS = 20


def _badge(*, user: Actor, item: NavItem) -> int:
    if item.badge is None or not user.is_authenticated:
        return 0
    key = f"nav:badge:{user.pk}:{item.key}"
    value = cache.get(key)
    if value is None:
        value = int(item.badge(user))
        cache.set(key, value, BADGE_SECONDS)
    return int(value)


def nav_badges_forget(*, user: Actor) -> None:
    """Drop the user's cached menu counts (after they read or answer messages)."""
    cache.delete_many([f"nav:badge:{user.pk}:{key}" for key, item in _ITEMS.items() if item.badge is not None])


def _home_url(audience: str) -> str:
    if audience == GUARDIAN:
        return reverse("portal:home")
    if audience == STAFF:
        return reverse("arbeidsflate:home")
    return reverse("home")


def _entry_patterns(item: NavItem, entry: MenuEntry, home_url: str) -> list[tuple[int, re.Pattern[str]]]:
    """(length, pattern) of the paths that belong to an entry: its URL and below, and its unit pages."""
    prefixes = [entry.url] if entry.url else []
    prefixes += list(item.prefixes)
    out: list[tuple[int, re.Pattern[str]]] = []
    for prefix in prefixes:
        if not prefix or prefix == "/":
            continue
        tail = "$" if prefix == home_url else ""  # the home page is current only on itself
        out.append((len(prefix), re.compile(re.escape(prefix) + tail)))
    if item.unit_url_name:
        unit_path = reverse(item.unit_url_name, kwargs={"unit_id": 0})
        out.append((len(unit_path), re.compile(re.escape(unit_path).replace("/0/", r"/\d+/"))))
    return out


def navigation_for(request: HttpRequest) -> Navigation:
    """Build the user's menu and breadcrumbs for this request (cached on the request)."""
    cached = getattr(request, REQUEST_ATTR, None)
    if cached is not None:
        return cached
    user = request.user
    audience = audience_of(user)
    home_url = _home_url(audience)
    tops = sorted(
        (i for i in _ITEMS.values() if i.audience == audience and not i.parent), key=lambda i: (i.order, i.key)
    )
    menu = [_entry(user=user, item=i) for i in tops if item_visible(user=user, item=i)]
    # The current entry: the longest matching URL prefix among visible entries and their children.
    best: tuple[int, MenuEntry | None, MenuEntry | None] = (0, None, None)
    for top in menu:
        candidates: list[tuple[MenuEntry, MenuEntry | None]] = [(top, None)]
        candidates += [(child, top) for child in top.children]
        for entry, parent in candidates:
            for length, pattern in _entry_patterns(_ITEMS[entry.key], entry, home_url):
                if length > best[0] and pattern.match(request.path):
                    best = (length, entry, parent)
    crumbs: list[tuple[str | Promise, str]] = []
    _, current, parent = best
    if request.path != home_url:
        from django.utils.translation import gettext_lazy

        crumbs.append((gettext_lazy("Forside"), home_url))
        if parent is not None:
            parent.current = True
            if len(parent.children) > 1:
                crumbs.append((parent.label, parent.url))
        if current is not None:
            current.current = True
            if request.path != current.url:
                crumbs.append((current.label, current.url))
    user_name, user_unit = "", ""
    if user.is_authenticated:
        principal = principal_for(user)
        user_name = principal.display_name or user.get_username()
        if audience == STAFF and principal.roles:
            user_unit = sorted({r.unit_name for r in principal.roles})[0]
    nav = Navigation(
        audience=audience,
        home_url=home_url,
        menu=menu,
        breadcrumbs=crumbs,
        badge_total=sum(e.badge for e in menu),
        user_name=user_name,
        user_unit=user_unit,
    )
    setattr(request, REQUEST_ATTR, nav)
    return nav


def context_processor(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``nav`` (built lazily, only when a template uses it)."""
    from django.utils.functional import SimpleLazyObject

    return {"nav": SimpleLazyObject(lambda: navigation_for(request))}
