"""A persona walking the app in a real browser, through the menu and the links on the pages only.

``Journey.start()`` is the only typed URL: the front page after login. Every later page is reached by a tap
(``tap``), ``menu`` opens a menu entry as a person would (the "Meny" button on a phone, the menu bar on a
desktop), and each page the persona lands on is checked by :class:`tests.browser.Visit` (axe-core, title,
screenshot).
"""

from __future__ import annotations

from typing import Any

from tests.browser import DESKTOP, LOCALE, PHONE, Visit, session_cookie
from tests.personas import persona_user

HOMES = ("/portal/", "/arbeidsflate/")


class Journey:
    """One persona's browser context with a tap counter."""

    def __init__(
        self, browser: Any, url: str, persona: str, name: str, *, phone: bool = False, user: Any = None
    ) -> None:
        """``user`` logs in someone of the demo who is not a persona (``persona`` then only names the role)."""
        self.url = url
        self.phone = phone
        self.visit = Visit(f"journey-{name}")
        viewport = PHONE if phone else DESKTOP
        self.context = browser.new_context(locale=LOCALE, viewport=viewport, is_mobile=phone, has_touch=phone)
        # On the full municipality a page such as the month's invoicing preview (every child with a place) takes
        # seconds to compute and to check with axe; a loaded 2-core CI needs the margin.
        self.context.set_default_timeout(60_000)
        self.context.add_cookies([session_cookie(user if user is not None else persona_user(persona), url)])
        self.page = self.context.new_page()
        self.taps = 0

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Journey:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.url)

    def start(self) -> None:
        """Open the front page (the only typed URL) and check where it lands."""
        self.page.goto(f"{self.url}/")
        self.visit.check(self.page)

    def tap(self, target: Any, *, check: bool = True) -> None:
        """Tap a locator (or a role/text locator's result) and check the page it leads to."""
        self.taps += 1
        target.click()
        self.page.wait_for_load_state()
        if check:
            self.visit.check(self.page)
            self.assert_way_back()

    def assert_way_back(self) -> None:
        """An inner page has breadcrumbs (the admin has its own) or a link back home."""
        path = self.path.split("?")[0]
        if path in HOMES:
            return
        # The admin: its breadcrumbs, or on its index the "Vis nettsted" link back to OAS.
        crumbs = ".breadcrumbs a, #user-tools a[href='/']" if path.startswith("/admin/") else ".oas-breadcrumbs a"
        assert self.page.locator(crumbs).count() >= 1, f"{path}: an inner page without breadcrumbs"

    def link(self, name: str, *, exact: bool = False, check: bool = True) -> None:
        """Tap the first visible link in the page's main content named ``name``."""
        self.tap(self.page.locator("main").get_by_role("link", name=name, exact=exact).first, check=check)

    def button(self, name: str, *, exact: bool = False, check: bool = True) -> None:
        """Tap the first button in the main content named ``name``."""
        self.tap(self.page.locator("main").get_by_role("button", name=name, exact=exact).first, check=check)

    def menu(self, key: str, *, check: bool = True) -> None:
        """Open menu entry ``key`` (``data-nav``) as the person would on this screen."""
        if self.phone:
            self.taps += 1
            self.page.get_by_test_id("menu").click()
            self.tap(self.page.locator(f'.oas-menu-list a[data-nav="{key}"]'), check=check)
        else:
            self.tap(self.page.locator(f'.oas-nav-bar a[data-nav="{key}"]'), check=check)

    def section(self, key: str, child: str) -> None:
        """Open section ``key`` in the menu and then its entry ``child`` (also when the menu links straight to it)."""
        self.menu(key)
        if "/meny/" in self.page.url:
            self.tap(self.page.locator(f'main a[data-nav="{child}"]'))
        if "/enheter/" in self.page.url:  # a unit chooser: the persona's first unit
            self.tap(self.page.locator("main a").first)

    def text(self) -> str:
        return str(self.page.locator("main").inner_text())
