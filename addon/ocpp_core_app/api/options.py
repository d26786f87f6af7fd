"""GET / PUT /options: the central system's own options (the integration's general options and tag policy, in
remote mode), put in force at once, chargers staying connected, and kept in the store (admin/central_options.py).
"""

from __future__ import annotations

from aiohttp import web

from ..admin.central_options import CentralOptions, InvalidOptions
from .errors import ApiError
from .routes import _dumps, json_body


def _options(request: web.Request) -> CentralOptions:
    options: CentralOptions | None = request.app["central_options"]
    if options is None:  # (the API alone, in tests: the central system's options now, kept in memory)
        options = request.app["central_options"] = CentralOptions.in_memory(request.app["central"])
    return options


async def get_options(request: web.Request) -> web.Response:
    return web.json_response({"options": _options(request).values}, dumps=_dumps)


async def update_options(request: web.Request) -> web.Response:
    """Those given change, the others stay; 400 invalid_options (nothing changed) names a bad one."""
    options = _options(request)
    try:
        await options.update(await json_body(request))
    except InvalidOptions as err:
        raise ApiError(400, "invalid_options", str(err)) from None
    return web.json_response({"options": options.values}, dumps=_dumps)


def add_routes(app: web.Application, prefix: str) -> None:
    app.router.add_get(f"{prefix}/options", get_options)
    app.router.add_put(f"{prefix}/options", update_options)
