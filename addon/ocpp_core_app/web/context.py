"""A page request's context: who asks (and their role), their language, the URL prefix (X-Ingress-Path behind
ingress), the CSRF token of their forms, and rendering."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from . import i18n
from .registry import ADMIN, NAV, allowed
from .render import render_template
from .state import INGRESS, STATE, WebState

LANG_COOKIE = "ocpp_core_lang"
# the cookie's mark of a language followed from Home Assistant's frontend (app.js), not chosen here
AUTO_PREFIX = "ha-"
# what the Supervisor sends: /api/hassio_ingress/<session token>; anything else is not taken as a prefix
INGRESS_PATH = re.compile(r"^/api/hassio_ingress/[A-Za-z0-9_\-]{1,200}$")


@dataclass(frozen=True, slots=True)
class User:
    # "ha:<user id>" behind ingress, "local:<account name>" on the own port
    key: str
    name: str
    role: str
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


@dataclass(slots=True)
class Context:
    request: web.Request
    state: WebState
    user: User | None
    lang: str
    # the path prefix every URL starts with ("" on the own port)
    base: str
    form: MultiDictProxy[str | bytes | Any] | None = None
    # cookies to set on the response: name -> value
    cookies: dict[str, str] = field(default_factory=dict)
    # the page the language switch reloads (a form's answer: the page of the form, not the POST's path)
    page_path: str | None = None
    # the query the language switch keeps (None: the request's, for a GET; a form's answer: none, or its own)
    page_query: dict[str, str] | None = None

    def t(self, key: str, **values: object) -> str:
        return i18n.translate(self.lang, key, **values)

    def url(self, path: str, **query: object) -> str:
        """A URL of this UI (under the ingress prefix); query values of None are left out."""
        given = {k: v for k, v in query.items() if v is not None and v != ""}
        return self.base + path + ("?" + urlencode(given) if given else "")

    @property
    def here(self) -> str:
        return self.page_path or self.request.path

    def language_url(self, lang: str) -> str:
        """This page in another language, with its query (a filter, the sign-in's `next`) kept."""
        if self.page_query is not None:
            kept = dict(self.page_query)
        else:
            kept = dict(self.request.query) if self.request.method == "GET" and self.page_path is None else {}
        kept.pop("lang", None)
        kept.pop("auto", None)
        return self.url(self.here, **kept, lang=lang)

    @property
    def follows_ha(self) -> bool:
        """Behind ingress, until the user picks a language here: app.js follows Home Assistant's (its frontend,
        the frame's parent of the same origin, has it as <html lang>)."""
        return self.state.mode == INGRESS and not language_chosen(self.request)

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    @property
    def cookie_path(self) -> str:
        return self.base or "/"

    def render(self, template: str, status: int = 200, **values: Any) -> web.Response:
        nav = [item for item in NAV if self.user is not None and allowed(item.role, self.user.role)]
        text = render_template(template, ctx=self, t=self.t, url=self.url, nav=nav, **values)
        response = web.Response(text=text, status=status, content_type="text/html", charset="utf-8")
        self.finish(response)
        return response

    def redirect(self, path: str, **query: object) -> web.Response:
        response = web.Response(status=303, headers={"Location": self.url(path, **query)})
        self.finish(response)
        return response

    def finish(self, response: web.StreamResponse) -> None:
        for name, value in self.cookies.items():
            response.set_cookie(
                name, value, path=self.cookie_path, httponly=True, samesite="Strict", max_age=365 * 86400
            )
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # behind ingress Home Assistant shows the UI in a frame of its own origin
        frames = "'self'" if self.state.mode == INGRESS else "'none'"
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors {frames}; form-action 'self'",
        )


def ingress_prefix(request: web.Request) -> str:
    given = request.headers.get("X-Ingress-Path", "")
    return given if INGRESS_PATH.match(given) else ""


def ingress_csrf(state: WebState, user_key: str) -> str:
    return hmac.new(state.secret, user_key.encode(), hashlib.sha256).hexdigest()[:32]


def language(request: web.Request) -> tuple[str, str | None]:
    """The language, and the one to remember in the cookie when the switch (?lang=) was used: as it is when the
    user chose it, marked `ha-` when app.js followed Home Assistant's language (?lang=de&auto=ha)."""
    asked = request.query.get("lang")
    if asked in i18n.LANGUAGES:
        return asked, (AUTO_PREFIX + asked if request.query.get("auto") == "ha" else asked)
    cookie = (request.cookies.get(LANG_COOKIE) or "").removeprefix(AUTO_PREFIX)
    return i18n.pick(cookie, request.headers.get("Accept-Language")), None


def language_chosen(request: web.Request) -> bool:
    """Whether the user picked the language here (the switch), rather than the browser's or Home Assistant's."""
    asked = request.query.get("lang")
    if asked in i18n.LANGUAGES:
        return request.query.get("auto") != "ha"
    return request.cookies.get(LANG_COOKIE) in i18n.LANGUAGES


def state_of(request: web.Request) -> WebState:
    return request.app[STATE]
