"""Where a page is registered: `@page(...)` on a handler adds its route and, with `nav=`, its navigation entry.

Each area of the UI is one module in pages/ that registers its pages at import; `AREAS` in pages/__init__.py
lists the modules (one line per area). The navigation is `NAV`, in the order the areas register.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .context import Context

USER, ADMIN = "user", "admin"
ROLES = (USER, ADMIN)
PageHandler = Callable[[web.Request, "Context"], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Page:
    method: str
    # the path under the UI's root (behind ingress, the X-Ingress-Path prefix goes before it)
    path: str
    handler: PageHandler
    # who may see it: "user" (every signed-in user) or "admin"; None: nobody needs to be signed in (login)
    role: str | None


@dataclass(frozen=True, slots=True)
class NavItem:
    # the translation key of its label
    label: str
    path: str
    role: str


PAGES: list[Page] = []
NAV: list[NavItem] = []


def page(
    path: str, *, method: str = "GET", role: str | None = USER, nav: str | None = None
) -> Callable[[PageHandler], PageHandler]:
    """Register a page; `nav`: the translation key of its entry in the navigation (GET pages only)."""

    def register(handler: PageHandler) -> PageHandler:
        PAGES.append(Page(method, path, handler, role))
        if nav is not None:
            NAV.append(NavItem(nav, path, role or USER))
        return handler

    return register


def allowed(role_needed: str | None, role: str | None) -> bool:
    if role_needed is None:
        return True
    if role is None:
        return False
    return role_needed == USER or role == ADMIN
