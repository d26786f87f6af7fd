"""The add-on's app as an older add-on runs it: `python older_app.py GENERATION [the app's flags]`, `addon/` on
PYTHONPATH (tests/addon/app_process.py, `program`).  The real app, with what its API got later left out:

- `before-options`: no GET / PUT /options and no DELETE /chargers/{id} (the add-on before they came): an
  unknown path answers 404 not_found, DELETE on a charger 405 method_not_allowed, as that add-on answered;
- `before-remote-start-tag`: /options without the remote_start_tag option (PUT refuses it as unknown).
"""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any


class _WithoutForget:
    """The router, but DELETE /chargers/{charger_id} is not added (its other methods stay)."""

    def __init__(self, router: Any) -> None:
        self._router = router

    def __getattr__(self, name: str) -> Any:
        return getattr(self._router, name)

    def add_delete(self, path: str, handler: Any, **kwargs: Any) -> Any:
        if path.endswith("/chargers/{charger_id}"):
            return None
        return self._router.add_delete(path, handler, **kwargs)


def _before_options() -> None:
    from ocpp_core_app.api import options, settings

    add_settings = settings.add_routes
    options.add_routes = lambda app, prefix: None  # type: ignore[assignment]
    settings.add_routes = lambda app, prefix: add_settings(SimpleNamespace(router=_WithoutForget(app.router)), prefix)  # type: ignore[assignment,arg-type]


def _before_remote_start_tag() -> None:
    from ocpp_core_app import app
    from ocpp_core_app.admin import central_options

    del central_options.FIELDS[central_options.REMOTE_START_TAG]
    configured = app.configured_options

    def older(options: Any) -> dict[str, Any]:
        values = configured(options)
        del values[central_options.REMOTE_START_TAG]
        return values

    app.configured_options = older  # type: ignore[assignment]


GENERATIONS = {"before-options": _before_options, "before-remote-start-tag": _before_remote_start_tag}


if __name__ == "__main__":
    sys.modules.setdefault("aiodns", None)  # type: ignore[arg-type]  # (as the app's main does, before aiohttp)
    GENERATIONS[sys.argv.pop(1)]()
    from ocpp_core_app.__main__ import main

    sys.exit(main())
