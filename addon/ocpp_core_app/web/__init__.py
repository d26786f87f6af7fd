"""The management web UI, served by the app: behind Home Assistant's ingress (on the API's port) and, optionally,
on its own port with its own sign-in. Server-rendered (Jinja2), one CSS file, one small script, EN and DE.

Extension points: pages/ (one module per area, listed in pages/__init__.py), registry.page (a route and its
navigation entry), i18n/<area>/ (each area's catalogs), templates/."""

from .server import WebServer, install
from .state import INGRESS, LOGIN, WebState

__all__ = ["INGRESS", "LOGIN", "WebServer", "WebState", "install"]
