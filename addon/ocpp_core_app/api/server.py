"""The API's aiohttp application and its server on the UI port (the add-on's ingress reaches it there later)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..journal import EventJournal
from . import options as option_routes
from . import payments as payment_routes
from . import routes, settings, tariffs
from .auth import FailureThrottle, auth_middleware
from .commands import run_command
from .errors import error_middleware
from .events import QUEUE_SIZE, events_handler
from .openapi import openapi_handler

PREFIX = "/api/v1"


def build_api(
    central: Any,
    token: str,
    *,
    journal: EventJournal | None = None,
    event_queue_size: int = QUEUE_SIZE,
    ui: Callable[[web.Application], None] | None = None,
    payments: Any = None,
    central_options: Any = None,
) -> web.Application:
    """The API under /api/v1/; `ui` adds the web UI's routes beside it (the API's middlewares skip them);
    `payments` the card payments (payments/flow.py PaymentFlow; None: off); `central_options` the options in
    force (admin/central_options.py; None: the central system's, kept in memory).
    Without a journal (tests of the API alone) one in memory, subscribed to the central system here."""
    app = web.Application(middlewares=[error_middleware, auth_middleware(token, FailureThrottle())])
    app["central"] = central
    app["payments"] = payments
    app["central_options"] = central_options
    if journal is None:
        journal = EventJournal(central)
        app["unsubscribe_journal"] = central.events.subscribe(journal.on_event)
    app["journal"] = journal
    app["event_queue_size"] = event_queue_size
    app["event_clients"] = set()
    app.router.add_get(f"{PREFIX}/openapi.json", openapi_handler)
    app.router.add_get(f"{PREFIX}/snapshot", routes.snapshot)
    app.router.add_get(f"{PREFIX}/chargers", routes.list_chargers)
    app.router.add_get(f"{PREFIX}/chargers/{{charger_id}}", routes.get_charger)
    app.router.add_post(f"{PREFIX}/chargers/{{charger_id}}/commands/{{name}}", run_command)
    app.router.add_get(f"{PREFIX}/transactions", routes.list_transactions)
    app.router.add_get(f"{PREFIX}/tags", routes.list_tags)
    app.router.add_post(f"{PREFIX}/tags", routes.add_tag)
    app.router.add_put(f"{PREFIX}/tags/{{id_tag}}", routes.update_tag)
    app.router.add_delete(f"{PREFIX}/tags/{{id_tag}}", routes.remove_tag)
    app.router.add_get(f"{PREFIX}/events", events_handler)
    payment_routes.add_routes(app, PREFIX)
    tariffs.add_routes(app, PREFIX)
    settings.add_routes(app, PREFIX)
    option_routes.add_routes(app, PREFIX)
    if ui is not None:
        ui(app)
    return app


class ApiServer:
    """The API served on host:port until `stop`."""

    def __init__(self, central: Any, token: str, host: str, port: int, **options: Any) -> None:
        self.app = build_api(central, token, **options)
        self._runner = web.AppRunner(self.app, access_log=None)
        self._host, self._port = host, port
        self.port = port

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server  # the port actually bound (0: any free one)
        sockets = getattr(server, "sockets", None) or ()
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for client in list(self.app["event_clients"]):
            await client.ws.close()
        await self._runner.cleanup()
        unsubscribe = self.app.get("unsubscribe_journal")
        if unsubscribe is not None:
            unsubscribe()
